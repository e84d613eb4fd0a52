import type { Migration } from '../../db/migrator.ts';

/**
 * The language a person reads the workspace in ('en' or 'es'), kept so that mail sent with no request behind it
 * (digests, reminders, referral notices) is written in it. Set at each sign-in and each change of language while
 * signed in; null until then (mail is then in English).
 */
export const up: Migration['up'] = async (db) => {
  await db.schema.alterTable('users').addColumn('lang', 'text').execute();
};
