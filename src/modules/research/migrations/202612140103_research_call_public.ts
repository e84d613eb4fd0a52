import type { Migration } from '../../../platform/db/migrator.ts';

// A data call's compiled table is published in the open data catalog only when the chair marks the call public
// (issue 20, item 4). Calls issued before this default to not public.
export const up: Migration['up'] = async (db, t) => {
  await db.schema.alterTable('research_call').addColumn('public', t.bool, (c) => c.notNull().defaultTo(false)).execute();
};
