import type { Migration } from '../../../platform/db/migrator.ts';

// Directory organisations, services, locations, networks and accounts belong to other modules and the platform; they
// are referred to by id without foreign keys (a module touches only its own tables).
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('referrals')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('sender_organization_id', t.id, (c) => c.notNull())
    .addColumn('receiver_organization_id', t.id, (c) => c.notNull())
    .addColumn('service_id', t.id, (c) => c.notNull())
    .addColumn('location_id', t.id)
    .addColumn('network_id', t.id)
    // Public directory names as they were when the referral was made, so lists need no lookups.
    .addColumn('sender_name', 'text', (c) => c.notNull())
    .addColumn('receiver_name', 'text', (c) => c.notNull())
    .addColumn('service_name', 'text', (c) => c.notNull())
    .addColumn('network_name', 'text')
    // County FIPS code and state of the receiving location or organisation: never the client's address.
    .addColumn('area_fips', 'text')
    .addColumn('area_state', 'text')
    .addColumn('needs', t.json, (c) => c.notNull())
    .addColumn('urgency', 'text', (c) => c.notNull())
    // AES-256-GCM; may carry details about the client. Removed by the purge.
    .addColumn('note_enc', 'text')
    .addColumn('decline_reason', 'text')
    .addColumn('outcome', 'text')
    .addColumn('outcome_reason', 'text')
    .addColumn('created_by', t.id, (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('sent_at', t.instant)
    .addColumn('accepted_at', t.instant)
    .addColumn('closed_at', t.instant)
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .addColumn('reminded_at', t.instant)
    .addColumn('purged_at', t.instant)
    .execute();
  await db.schema.createIndex('referrals_sender_idx').on('referrals').columns(['sender_organization_id', 'updated_at']).execute();
  await db.schema.createIndex('referrals_receiver_idx').on('referrals').columns(['receiver_organization_id', 'updated_at']).execute();
  await db.schema.createIndex('referrals_status_idx').on('referrals').columns(['status', 'closed_at']).execute();

  // One row per shared detail, each encrypted on its own; the purge deletes the rows.
  await db.schema
    .createTable('referral_client_fields')
    .addColumn('referral_id', t.id, (c) => c.notNull().references('referrals.id'))
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('value_enc', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('referral_client_fields_pk', ['referral_id', 'field'])
    .execute();

  // The client's written consent as attested by the case manager; kept after the purge (it holds no details).
  await db.schema
    .createTable('referral_consents')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('referral_id', t.id, (c) => c.notNull().unique().references('referrals.id'))
    .addColumn('organization_id', t.id, (c) => c.notNull())
    .addColumn('fields', t.json, (c) => c.notNull())
    .addColumn('form_version', 'text', (c) => c.notNull())
    .addColumn('form_text', 'text', (c) => c.notNull())
    .addColumn('attested_by', t.id, (c) => c.notNull())
    .addColumn('attested_at', t.instant, (c) => c.notNull())
    .addColumn('expires_on', t.date, (c) => c.notNull())
    .addColumn('revoked_at', t.instant)
    .addColumn('revoked_by', t.id)
    .execute();

  await db.schema
    .createTable('referral_events')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('referral_id', t.id, (c) => c.notNull().references('referrals.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('at', t.instant, (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('actor_id', t.id)
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('actor_organization', 'text')
    .addColumn('reason', 'text')
    .addColumn('note_enc', 'text')
    .addUniqueConstraint('referral_events_version_uq', ['referral_id', 'version'])
    .execute();

  // In-app notifications: which referral changed, for whom; no details.
  await db.schema
    .createTable('referral_notifications')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('user_id', t.id, (c) => c.notNull())
    .addColumn('referral_id', t.id, (c) => c.notNull().references('referrals.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('read_at', t.instant)
    .execute();
  await db.schema.createIndex('referral_notifications_user_idx').on('referral_notifications').columns(['user_id', 'read_at']).execute();
};
