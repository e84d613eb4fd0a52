import type { Migration } from '../../db/migrator.ts';

/**
 * Links sent by e-mail that let a person set a password without being signed in: a password reset, or an
 * invitation to a new account (issue 16 item 7). Only the SHA-256 of the link's random token is kept; a link works
 * once (`used_at`) and until `expires_at`. `purpose` is 'reset' or 'invite'.
 */
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('account_links')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('user_id', t.id, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('expires_at', t.instant, (c) => c.notNull())
    .addColumn('used_at', t.instant)
    .execute();
  await db.schema.createIndex('account_links_user_idx').on('account_links').columns(['user_id', 'purpose']).execute();
};
