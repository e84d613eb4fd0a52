import type { Migration } from '../../../platform/db/migrator.ts';
import { keySearchIndex } from '../../../platform/db/search.ts';

// Replacing a service's search text looked its FTS5 row up by an unindexed column, a scan of the whole index per
// batch: imports slowed down quadratically with the directory's size. The id table makes that lookup an index seek.
export const up: Migration['up'] = async (db, _t, kind) => {
  await keySearchIndex(db, kind, 'directory_service_search');
};
