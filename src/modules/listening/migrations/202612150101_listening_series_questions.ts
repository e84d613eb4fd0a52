import type { Migration } from '../../../platform/db/migrator.ts';
import { toJson } from '../../../platform/db/index.ts';
import { templateQuestions } from '../questions.ts';

// Each series asks its own ordered questions. Series made before this take the housing set, the questions every
// session was given until now (same keys, same English; Spanish added). Sessions keep the questions they stored, so
// their inputs, answers and coding stay as they were; a new session stores none and asks its series' questions.
export const up: Migration['up'] = async (db, t) => {
  await db.schema.alterTable('listening_series').addColumn('questions', t.json).execute();
  await db.updateTable('listening_series').set({ questions: toJson(templateQuestions('housing')) }).execute();
};
