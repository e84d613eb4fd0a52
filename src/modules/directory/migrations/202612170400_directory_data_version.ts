import type { Migration } from '../../../platform/db/migrator.ts';

// The directory's data version (search-cache.ts): one row, bumped in the transaction of every write that can change
// a search, so that every app process knows when the search answers it keeps have gone stale.
export const up: Migration['up'] = async (db) => {
  await db.schema
    .createTable('directory_data_version')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull())
    .execute();
  await db.insertInto('directory_data_version').values({ id: 1, n: 0 }).execute();
};
