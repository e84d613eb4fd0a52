import type { Migration } from '../../../platform/db/migrator.ts';
import { respaceIndex } from '../../../platform/db/search.ts';

// PostgreSQL's search text: words joined by punctuation ("shelter-based", "dv/family") stored as separate words, as
// queries and SQLite split them (platform wordsText). Nothing to do on SQLite.
export const up: Migration['up'] = async (db, _types, kind) => {
  if (kind === 'postgresql') await respaceIndex(db, 'directory_service_search');
};
