import type { Migration } from '../../../platform/db/migrator.ts';

// Youth engagement and public outreach. Students have no rows of their own: a group is a sponsor's record (its
// name, kind, state and grade band) and nothing here holds a student's name, e-mail, address or photo. Sponsors
// are platform accounts, referenced by id. Photos are kept only after sharp re-encoded them without metadata.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('outreach_sponsor')
    .addColumn('user_id', t.id, (c) => c.primaryKey())
    .addColumn('terms_version', 'integer', (c) => c.notNull())
    .addColumn('accepted_at', t.instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('outreach_group')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('sponsor_user_id', t.id, (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('grade_band', 'text', (c) => c.notNull())
    .addColumn('demo', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outreach_group_sponsor_idx').on('outreach_group').column('sponsor_user_id').execute();

  await db.schema
    .createTable('outreach_campaign')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('call_to_action', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('starts_on', t.date, (c) => c.notNull())
    .addColumn('ends_on', t.date, (c) => c.notNull())
    .addColumn('goal', 'integer', (c) => c.notNull())
    .addColumn('unit', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('demo', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('outreach_signup')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('campaign_id', t.id, (c) => c.notNull().references('outreach_campaign.id'))
    .addColumn('group_id', t.id, (c) => c.notNull().references('outreach_group.id'))
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addUniqueConstraint('outreach_signup_once', ['campaign_id', 'group_id'])
    .execute();
  await db.schema.createIndex('outreach_signup_group_idx').on('outreach_signup').column('group_id').execute();

  await db.schema
    .createTable('outreach_photo')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('mime', 'text', (c) => c.notNull())
    .addColumn('width', 'integer', (c) => c.notNull())
    .addColumn('height', 'integer', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    // base64 of the re-encoded image: one column type on both engines
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('outreach_reportback')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('signup_id', t.id, (c) => c.notNull().references('outreach_signup.id'))
    .addColumn('campaign_id', t.id, (c) => c.notNull().references('outreach_campaign.id'))
    .addColumn('group_id', t.id, (c) => c.notNull().references('outreach_group.id'))
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull())
    .addColumn('photo_id', t.id, (c) => c.references('outreach_photo.id'))
    .addColumn('photo_alt', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('review_note', 'text')
    .addColumn('reviewed_by', t.id)
    .addColumn('reviewed_at', t.instant)
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outreach_reportback_campaign_idx').on('outreach_reportback').columns(['campaign_id', 'status']).execute();
  await db.schema.createIndex('outreach_reportback_group_idx').on('outreach_reportback').column('group_id').execute();
  await db.schema.createIndex('outreach_reportback_signup_idx').on('outreach_reportback').column('signup_id').execute();
  await db.schema.createIndex('outreach_reportback_status_idx').on('outreach_reportback').columns(['status', 'created_at']).execute();

  await db.schema
    .createTable('outreach_lesson')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('grade_band', 'text', (c) => c.notNull())
    .addColumn('duration_minutes', 'integer', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('goals', 'text', (c) => c.notNull())
    .addColumn('materials', 'text', (c) => c.notNull())
    .addColumn('steps', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('demo', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('outreach_lesson_version')
    .addColumn('lesson_id', t.id, (c) => c.notNull().references('outreach_lesson.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('content', t.json, (c) => c.notNull())
    .addColumn('change_note', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('outreach_lesson_version_pk', ['lesson_id', 'version'])
    .execute();

  await db.schema
    .createTable('outreach_material')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('alt_text', 'text')
    .addColumn('transcript', 'text')
    .addColumn('licence', 'text', (c) => c.notNull())
    .addColumn('translation_of', t.id)
    .addColumn('demo', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();

  // Uses of lessons and downloads of materials, a number per item and day: never who, from where or when exactly.
  await db.schema
    .createTable('outreach_usage')
    .addColumn('item_kind', 'text', (c) => c.notNull())
    .addColumn('item_id', t.id, (c) => c.notNull())
    .addColumn('day', t.date, (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('outreach_usage_pk', ['item_kind', 'item_id', 'day'])
    .execute();

  await db.schema
    .createTable('outreach_event')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('date', t.date, (c) => c.notNull())
    .addColumn('end_date', t.date, (c) => c.notNull())
    .addColumn('start_time', 'text')
    .addColumn('end_time', 'text')
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('starts_at', t.instant, (c) => c.notNull())
    .addColumn('ends_at', t.instant, (c) => c.notNull())
    .addColumn('place', 'text')
    .addColumn('online_url', 'text')
    .addColumn('accessibility', 'text', (c) => c.notNull())
    .addColumn('demo', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outreach_event_starts_idx').on('outreach_event').column('starts_at').execute();
};
