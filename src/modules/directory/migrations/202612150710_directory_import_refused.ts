import type { Migration } from '../../../platform/db/migrator.ts';

// The import history keeps refused imports too (issue 12 item 4): why an import was refused (`strict`: --strict and
// a row refused; `unreadable`: the publication could not be read; `nothing_valid`: every row was quarantined) and the
// first refusal as a sentence; their refused rows are findings of kind `refused`. Null on imports that went in.
export const up: Migration['up'] = async (db) => {
  await db.schema.alterTable('directory_import').addColumn('refused', 'text').execute();
  await db.schema.alterTable('directory_import').addColumn('reason', 'text').execute();
};
