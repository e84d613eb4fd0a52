import type { Migration } from '../../../platform/db/migrator.ts';

// Crosswalk (issue 13 item 3): directory managers' changes to the shipped crosswalk (crosswalk-defaults.json) from
// publishers' vocabularies to the directory's own terms. A row adds an entry, or (removed) takes a shipped one away;
// the shipped defaults themselves stay in the data file, so a new release can add to them. The state row says
// whether stored services still wait for the crosswalk to be applied again (the directory.crosswalk job).
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('directory_crosswalk')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('term', 'text', (c) => c.notNull())
    .addColumn('removed', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('created_by', 'text')
    .execute();
  await db.schema.createIndex('directory_crosswalk_entry').on('directory_crosswalk').columns(['kind', 'source', 'term']).unique().execute();
  await db.schema
    .createTable('directory_crosswalk_state')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pending', t.bool, (c) => c.notNull())
    .addColumn('applied_at', t.instant)
    .execute();
};
