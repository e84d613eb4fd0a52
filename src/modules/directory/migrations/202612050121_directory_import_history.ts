import type { Migration } from '../../../platform/db/migrator.ts';

// The history of directory imports (issue 12 item 4): who imported what from which source, what was found, what it
// changed, and every row it quarantined or warned about, for the administrators' page and the API.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('directory_import')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('source', 'text')
    .addColumn('actor_id', t.id)
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('imported_at', t.instant, (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('found', 'text', (c) => c.notNull())
    .addColumn('partial', t.bool, (c) => c.notNull())
    .addColumn('added', 'integer', (c) => c.notNull())
    .addColumn('changed', 'integer', (c) => c.notNull())
    .addColumn('unchanged', 'integer', (c) => c.notNull())
    .addColumn('removed', 'integer', (c) => c.notNull())
    .addColumn('quarantined', 'integer', (c) => c.notNull())
    .addColumn('warnings', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('directory_import_imported_at').on('directory_import').columns(['imported_at', 'id']).execute();
  await db.schema
    .createTable('directory_import_finding')
    .addColumn('import_id', t.id, (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('row', 'integer', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_import_finding_pk', ['import_id', 'seq'])
    .execute();
};
