import { sql } from 'kysely';
import type { Migration } from '../../../platform/db/migrator.ts';
import { rebuildSearchPoints } from '../search-points.ts';

// One row per service, place it is offered at and need it meets (search-points.ts): the common searches (near a
// place, needs, populations, traits, languages, free, capacity) read these rows alone. On SQLite the table is
// clustered by grid cell and need (WITHOUT ROWID), so that the rows of one need near a place lie together;
// PostgreSQL gets the same key as its primary key.
export const up: Migration['up'] = async (db, t, kind) => {
  await db.schema
    .createTable('directory_search_point')
    .addColumn('cell', 'integer', (c) => c.notNull())
    .addColumn('need', 'integer', (c) => c.notNull())
    .addColumn('service_id', t.id, (c) => c.notNull())
    .addColumn('location_id', 'text', (c) => c.notNull())
    .addColumn('latitude', kind === 'postgresql' ? 'double precision' : 'real')
    .addColumn('longitude', kind === 'postgresql' ? 'double precision' : 'real')
    .addColumn('confidential', t.bool, (c) => c.notNull())
    .addColumn('needs', 'integer', (c) => c.notNull())
    .addColumn('populations', 'integer', (c) => c.notNull())
    .addColumn('traits', 'integer', (c) => c.notNull())
    .addColumn('languages', 'text', (c) => c.notNull())
    .addColumn('language_keys', 'text', (c) => c.notNull())
    .addColumn('free', t.bool, (c) => c.notNull())
    .addColumn('capacity', t.bool, (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // The service's row in the SQLite full-text index (platform/db/search.ts documentKeys); null on PostgreSQL.
    .addColumn('doc', 'integer')
    .addPrimaryKeyConstraint('directory_search_point_pk', ['cell', 'need', 'service_id', 'location_id'])
    .$call((q) => (kind === 'sqlite' ? q.modifyEnd(sql`without rowid`) : q))
    .execute();
  await db.schema.createIndex('directory_search_point_service_idx').on('directory_search_point').column('service_id').execute();
  // For needs without a place. Not (need) alone: its entries end with the key, so SQLite (planning without
  // statistics) saw "need and cell equal" in it as in the key and used it for a need near a place, reading each row
  // through a second seek. The masks column is never compared, so the index offers need alone, while its entries
  // stay in about the table's order (a need's mask is mostly that need), which keeps those row reads close together;
  // (need, service_id) read them in random order, twice as slow.
  await db.schema.createIndex('directory_search_point_need_idx').on('directory_search_point').columns(['need', 'needs']).execute();
  await rebuildSearchPoints(db);
};
