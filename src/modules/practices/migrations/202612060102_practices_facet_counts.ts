import type { Migration } from '../../../platform/db/migrator.ts';

// Facet counts over the whole library, kept as rows change, so that the unfiltered search (the library's front page)
// reads a few dozen counts instead of grouping every facet row of every practice.
export const up: Migration['up'] = async (db) => {
  // Facet counts of a search are read from its matches' facet rows: an index that holds them whole, by practice.
  await db.schema.dropIndex('practices_facet_practice_idx').execute();
  await db.schema.createIndex('practices_facet_practice_value_idx').on('practices_facet').columns(['practice_id', 'facet', 'value']).execute();
  await db.schema
    .createTable('practices_facet_count')
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('practices_facet_count_pk', ['facet', 'value'])
    .execute();
  await db
    .insertInto('practices_facet_count')
    .columns(['facet', 'value', 'n'])
    .expression(db.selectFrom('practices_facet').select(['facet', 'value', (eb) => eb.fn.countAll().as('n')]).groupBy(['facet', 'value']))
    .execute();
};
