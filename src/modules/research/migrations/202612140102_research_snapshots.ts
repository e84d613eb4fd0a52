import type { Migration } from '../../../platform/db/migrator.ts';

// Dated versions of the published datasets (issue 20, item 5): what a figure in a report was taken from.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('research_snapshot')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('dataset', 'text', (c) => c.notNull())
    .addColumn('taken_at', t.instant, (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('research_snapshot_dataset_idx').on('research_snapshot').columns(['dataset', 'taken_at']).execute();
};
