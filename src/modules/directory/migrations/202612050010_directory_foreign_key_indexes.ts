import type { Migration } from '../../../platform/db/migrator.ts';
import { HSDS_TABLES_V1 } from './202611300201_directory.ts';

// Every reference between directory records that a lookup follows, indexed. Loading one service follows its
// service_at_location rows to their schedules, phones and contacts, its phones to their languages and its contacts
// to their phones: without an index on those columns each step read the whole table, so a lookup by id grew with
// the directory (37 ms at 500,000 services against 4.7 ms at 50,000).
//
// The optional references (a phone belongs to a service, a location, a contact... or not) are indexed on their
// non-null values only. Most rows leave most of them empty, and a full index of a column that is mostly null is one
// the planners refuse once statistics exist (SQLite after ANALYZE saw "3,000 rows per key" and scanned the table);
// a partial index holds only the rows that refer to something, is as small as they are, and serves every lookup
// `col = ?` or `col in (...)`, which imply the column is not null. The existing full indexes of those columns are
// replaced by partial ones of the same name. Required references (`id!`) keep their full indexes.
// The plan test (query-plans.test.ts) fails when a route's query scans one of the large tables again.
const ADDED_PROPOSAL: [string, string][] = [
  ['proposal', 'target_id'],
  ['proposal', 'organization_id'],
];

export const up: Migration['up'] = async (db) => {
  for (const [table, spec] of Object.entries(HSDS_TABLES_V1)) {
    for (const [col, kind] of Object.entries(spec.columns)) {
      if (kind !== 'id' || col === 'id') continue;
      const name = `directory_${table}_${col}_idx`;
      await db.schema.dropIndex(name).ifExists().execute();
      await db.schema.createIndex(name).on(`directory_${table}`).column(col).where(col, 'is not', null).execute();
    }
  }
  for (const [table, col] of ADDED_PROPOSAL) await db.schema.createIndex(`directory_${table}_${col}_idx`).on(`directory_${table}`).column(col).execute();
  // Services are read in name order when nothing else orders them (the HSDS services list without a search).
  await db.schema.createIndex('directory_service_name_id_idx').on('directory_service').columns(['name', 'id']).execute();
};
