import type { Migration } from '../../../platform/db/migrator.ts';

// One data key per referral, wrapped (AES-256-GCM) by the master key named in `master_key_id` (DATA_KEY). The
// referral's client details and notes are sealed under it; the purge deletes the row, which makes every copy of them
// unreadable. Referrals made before this table keep their values sealed under the master key until they are moved
// (`taskforce referrals rekey`, or their next change).
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('referral_keys')
    .addColumn('referral_id', t.id, (c) => c.primaryKey().references('referrals.id'))
    .addColumn('master_key_id', 'text', (c) => c.notNull())
    .addColumn('wrapped', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();
};
