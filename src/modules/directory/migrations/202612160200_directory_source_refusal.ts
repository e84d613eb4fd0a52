import type { Migration } from '../../../platform/db/migrator.ts';

// A pull whose import was refused is in the import history (directory_import.refused): the source keeps that entry's
// id to link to it (issue 12). Apart from last_import_id, which is set only by imports that went in and which stops
// a rename (provenance and snapshots record the name): a refusal imported nothing, so the source may be renamed.
export const up: Migration['up'] = async (db, t) => {
  await db.schema.alterTable('directory_source').addColumn('last_refusal_id', t.id).execute();
};
