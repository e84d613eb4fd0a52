import type { Migration } from '../../../platform/db/migrator.ts';
import { removeDocuments } from '../../../platform/db/search.ts';

// The search index holds only the services search can find (issue 14): a text search counts its matches from the
// index alone, without reading each match's service row for its status. Defunct services' documents go.
export const up: Migration['up'] = async (db) => {
  const rows = await db.selectFrom('directory_service').select('id').where('status', '=', 'defunct').execute();
  await removeDocuments(db, 'directory_service_search', rows.map((r) => String(r.id)));
};
