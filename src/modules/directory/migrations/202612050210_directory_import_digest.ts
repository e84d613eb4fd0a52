import type { Migration } from '../../../platform/db/migrator.ts';

// What each source's last import from a path read (issue 12 item 8): the digest of the publication's bytes and the
// options it was imported with, and what the import found, so that importing the same publication again, with no
// directory write since, records an unchanged import without reading and comparing every row again.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('directory_import_digest')
    .addColumn('source', 'text', (c) => c.primaryKey())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('import_id', t.id, (c) => c.notNull())
    .addColumn('started_at', t.instant, (c) => c.notNull())
    .addColumn('seen', 'integer', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('found', 'text', (c) => c.notNull())
    .addColumn('counts', 'text', (c) => c.notNull())
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('approximate', 'integer', (c) => c.notNull())
    .execute();
};
