import type { Migration } from '../../../platform/db/migrator.ts';

// The language a registrant signed up in ('en' or 'es'), so that the session reminder is written in it. Earlier
// registrations have none and are reminded in English, as before.
export const up: Migration['up'] = async (db) => {
  await db.schema.alterTable('listening_registrations').addColumn('lang', 'text').execute();
};
