import type { Migration } from '../../db/migrator.ts';

/**
 * Failed proofs are counted here instead of on the account (issue 15, findings 6 and 8), one row per counter:
 * - `password` / hash of the e-mail / '' : wrong passwords for that e-mail from anywhere (a soft throttle);
 * - `password` / hash of the e-mail / address : from one client address (the lock);
 * - `code` / user id / '' : wrong second-factor codes for the account (the lock of the code step).
 * Passwords are counted by e-mail whether or not an account has it, so that the counting itself reveals nothing;
 * `user_id` is set when it does, so that an administrator can see and clear an account's counters.
 *
 * A second-factor key being set up waits in `totp_pending_secret` (since `totp_pending_at`, for a while only), so
 * that enrolling a new authenticator leaves the one in force until the new one is confirmed. The old `users.failed_logins` and `users.locked_until` are no longer
 * written; they stay for app nodes of the previous release during an upgrade.
 */
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('auth_throttle')
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('user_id', t.id, (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_start', t.instant, (c) => c.notNull())
    .addColumn('locked_until', t.instant)
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('auth_throttle_pk', ['scope', 'subject', 'address'])
    .execute();
  await db.schema.createIndex('auth_throttle_user_idx').on('auth_throttle').column('user_id').execute();
  await db.schema.createIndex('auth_throttle_updated_idx').on('auth_throttle').column('updated_at').execute();

  await db.schema.alterTable('users').addColumn('totp_pending_secret', 'text').execute();
  await db.schema.alterTable('users').addColumn('totp_pending_at', t.instant).execute();
  // A key whose set-up was started but never confirmed was pending; pending keys now expire, and one of unknown age
  // is dropped: its owner starts the set-up again (with a fresh proof).
  await db.updateTable('users').set({ totp_secret: null }).where('mfa_enabled', '=', false).where('totp_secret', 'is not', null).execute();
};
