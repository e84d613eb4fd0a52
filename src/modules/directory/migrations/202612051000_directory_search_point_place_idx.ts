import type { Migration } from '../../../platform/db/migrator.ts';

// A place search without text (the API's `near`, search.ts nearestByPoints) counts the services within the radius
// and reads the nearest points in the database. This index holds what those queries read of a point (its cell,
// whether it is confidential, its coordinates and, as every index of the table does, its key: need, service and
// location), a third of a point's row: they read it alone, and the caller who may not see confidential places
// skips them (or reads only them) by the second column.
export const up: Migration['up'] = async (db) => {
  await db.schema.createIndex('directory_search_point_place_idx').on('directory_search_point').columns(['cell', 'confidential', 'latitude', 'longitude']).execute();
};
