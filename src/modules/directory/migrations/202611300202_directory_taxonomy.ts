import type { Migration } from '../../../platform/db/migrator.ts';
import { TAXONOMY, shippedTermRows } from '../taxonomy.ts';

// The shipped taxonomy is reference data every installation needs before any import can attach terms to services.
export const up: Migration['up'] = async (db) => {
  await db.insertInto('directory_taxonomy').values({ ...TAXONOMY, uri: null }).execute();
  for (const row of shippedTermRows()) await db.insertInto('directory_taxonomy_term').values(row).execute();
};
