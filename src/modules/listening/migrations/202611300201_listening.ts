import type { Migration } from '../../../platform/db/migrator.ts';

// Owners (partnerships, committees, agencies) belong to the structure module and are referred to by id without
// foreign keys: a module touches only its own tables.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('listening_series')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('owner_type', 'text', (c) => c.notNull())
    .addColumn('owner_id', t.id, (c) => c.notNull())
    .addColumn('reminder_days', 'integer', (c) => c.notNull())
    .addColumn('published_at', t.instant)
    // The published report as shown to the public: suppressed counts, quotes and the de-identified CSV rows.
    .addColumn('report', t.json)
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('listening_sessions')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('series_id', t.id, (c) => c.notNull().references('listening_series.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('date', t.date, (c) => c.notNull())
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('starts_at', t.instant, (c) => c.notNull())
    .addColumn('ends_at', t.instant, (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('location', 'text')
    .addColumn('online_url', 'text')
    .addColumn('audience_provider_types', t.json, (c) => c.notNull())
    .addColumn('audience_regions', t.json, (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('reserved_places', 'integer', (c) => c.notNull())
    .addColumn('registration_opens_at', t.instant)
    .addColumn('registration_closes_at', t.instant)
    .addColumn('agenda', t.json, (c) => c.notNull())
    .addColumn('questions', t.json, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('listening_sessions_series_idx').on('listening_sessions').column('series_id').execute();

  await db.schema
    .createTable('listening_registrations')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('session_id', t.id, (c) => c.notNull().references('listening_sessions.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('organization', 'text', (c) => c.notNull())
    .addColumn('organization_type', 'text', (c) => c.notNull())
    .addColumn('region', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reserved_place', t.bool, (c) => c.notNull())
    .addColumn('attended', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .addUniqueConstraint('listening_registrations_email_uq', ['session_id', 'email'])
    .execute();

  await db.schema
    .createTable('listening_reminders')
    .addColumn('registration_id', t.id, (c) => c.primaryKey().references('listening_registrations.id'))
    .addColumn('sent_at', t.instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('listening_inputs')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('session_id', t.id, (c) => c.notNull().references('listening_sessions.id'))
    .addColumn('series_id', t.id, (c) => c.notNull().references('listening_series.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('organization_type', 'text')
    .addColumn('region', 'text')
    .addColumn('participant_name', 'text')
    .addColumn('attribution', t.bool, (c) => c.notNull())
    .addColumn('quotable', t.bool, (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('listening_inputs_series_idx').on('listening_inputs').column('series_id').execute();

  await db.schema
    .createTable('listening_answers')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('input_id', t.id, (c) => c.notNull().references('listening_inputs.id'))
    .addColumn('question_key', 'text', (c) => c.notNull())
    .addColumn('question_label', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('listening_answers_input_idx').on('listening_answers').column('input_id').execute();

  await db.schema
    .createTable('listening_codes')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('series_id', t.id, (c) => c.notNull().references('listening_series.id'))
    .addColumn('parent_id', t.id, (c) => c.references('listening_codes.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('guid', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('listening_codes_series_idx').on('listening_codes').column('series_id').execute();

  await db.schema
    .createTable('listening_excerpts')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('series_id', t.id, (c) => c.notNull().references('listening_series.id'))
    .addColumn('answer_id', t.id, (c) => c.notNull().references('listening_answers.id'))
    .addColumn('start_offset', 'integer', (c) => c.notNull())
    .addColumn('end_offset', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('coder_id', t.id, (c) => c.notNull())
    .addColumn('coder_label', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('listening_excerpts_series_idx').on('listening_excerpts').column('series_id').execute();

  await db.schema
    .createTable('listening_excerpt_codes')
    .addColumn('excerpt_id', t.id, (c) => c.notNull().references('listening_excerpts.id'))
    .addColumn('code_id', t.id, (c) => c.notNull().references('listening_codes.id'))
    .addPrimaryKeyConstraint('listening_excerpt_codes_pk', ['excerpt_id', 'code_id'])
    .execute();

  await db.schema
    .createTable('listening_memos')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('series_id', t.id, (c) => c.notNull().references('listening_series.id'))
    .addColumn('code_id', t.id)
    .addColumn('excerpt_id', t.id)
    .addColumn('author_label', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('listening_suggestion_decisions')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('series_id', t.id, (c) => c.notNull().references('listening_series.id'))
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('code_id', t.id)
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .addColumn('decided_at', t.instant, (c) => c.notNull())
    .addUniqueConstraint('listening_suggestion_decisions_uq', ['series_id', 'fingerprint'])
    .execute();

  await db.schema
    .createTable('listening_recommendations')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('series_id', t.id, (c) => c.notNull().references('listening_series.id'))
    .addColumn('finding_code_id', t.id, (c) => c.references('listening_codes.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('owner_type', 'text')
    .addColumn('owner_id', t.id)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decline_reason', 'text')
    .addColumn('progress', 'integer', (c) => c.notNull())
    .addColumn('weight', 'numeric', (c) => c.notNull())
    // A work plan action this recommendation became, by id only (see docs/listening.md).
    .addColumn('workplan_action_id', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('listening_recommendation_excerpts')
    .addColumn('recommendation_id', t.id, (c) => c.notNull().references('listening_recommendations.id'))
    .addColumn('excerpt_id', t.id, (c) => c.notNull().references('listening_excerpts.id'))
    .addPrimaryKeyConstraint('listening_recommendation_excerpts_pk', ['recommendation_id', 'excerpt_id'])
    .execute();

  await db.schema
    .createTable('listening_timeline')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('recommendation_id', t.id, (c) => c.notNull().references('listening_recommendations.id'))
    .addColumn('entry_date', t.date, (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('status', 'text')
    .addColumn('author_label', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();
};
