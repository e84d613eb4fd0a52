import type { Migration } from '../../../platform/db/migrator.ts';
import { rebuildSummary } from '../summary.ts';

// Figures about the whole directory, kept up to date on import and edit (summary.ts): the landing page and the
// unfiltered lists read them instead of counting every service.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('directory_summary')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('directory_summary_member')
    .addColumn('service_id', t.id, (c) => c.primaryKey())
    .addColumn('keys', 'text', (c) => c.notNull())
    .execute();
  await rebuildSummary(db);
};
