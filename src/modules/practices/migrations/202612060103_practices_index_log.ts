import type { Migration } from '../../../platform/db/migrator.ts';

// Search answers from an index each app process keeps in memory (search-index.ts). Every change to a practice's
// facet rows or name appends its id here under the next number of practices_index_state, whose one row writers lock
// until they commit (so numbers become visible in order); a process reads the numbers past the last it applied.
export const up: Migration['up'] = async (db, t) => {
  await db.schema.createTable('practices_index_state').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('seq', 'integer', (c) => c.notNull()).execute();
  await db.insertInto('practices_index_state').values({ id: 1, seq: 0 }).execute();
  await db.schema
    .createTable('practices_index_change')
    .addColumn('seq', 'integer', (c) => c.primaryKey())
    .addColumn('practice_id', t.id, (c) => c.notNull())
    .execute();
};
