import type { Migration } from '../../../platform/db/migrator.ts';

// Grant coordination (issue 19). Agencies are the structure module's, referenced by id without a foreign key
// (structure owns those rows). Opportunities are keyed by Grants.gov's OpportunityID; money is in whole dollars
// (double precision / real, as USAspending's obligations carry cents).
export const up: Migration['up'] = async (db, t, kind) => {
  const real = kind === 'postgresql' ? 'double precision' : 'real';
  await db.schema
    .createTable('grants_plan')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('agency_id', t.id, (c) => c.notNull())
    .addColumn('fiscal_year', 'integer', (c) => c.notNull())
    .addColumn('programme', 'text', (c) => c.notNull())
    .addColumn('assistance_listing', 'text')
    .addColumn('opportunity_number', 'text')
    .addColumn('purpose', 'text', (c) => c.notNull())
    .addColumn('eligible_applicants', 'text')
    .addColumn('populations', t.json, (c) => c.notNull())
    .addColumn('needs', t.json, (c) => c.notNull())
    .addColumn('states', t.json, (c) => c.notNull())
    .addColumn('nationwide', t.bool, (c) => c.notNull())
    .addColumn('estimated_total', real)
    .addColumn('number_of_awards', 'integer')
    .addColumn('post_date', t.date)
    .addColumn('close_date', t.date)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('grants_plan_agency_idx').on('grants_plan').columns(['agency_id', 'fiscal_year']).execute();
  await db.schema.createIndex('grants_plan_year_idx').on('grants_plan').column('fiscal_year').execute();

  await db.schema
    .createTable('grants_plan_version')
    .addColumn('plan_id', t.id, (c) => c.notNull().references('grants_plan.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('data', t.json, (c) => c.notNull())
    .addColumn('saved_by', 'text', (c) => c.notNull())
    .addColumn('saved_at', t.instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('grants_plan_version_pk', ['plan_id', 'version'])
    .execute();

  await db.schema
    .createTable('grants_review')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('plan_id', t.id, (c) => c.notNull().references('grants_plan.id'))
    .addColumn('plan_version', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('comment', 'text', (c) => c.notNull())
    .addColumn('reviewer_id', t.id)
    .addColumn('reviewer_name', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('grants_review_plan_idx').on('grants_review').column('plan_id').execute();

  await db.schema
    .createTable('grants_notice')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('agency_id', t.id, (c) => c.notNull())
    .addColumn('plan_id', t.id, (c) => c.references('grants_plan.id'))
    .addColumn('timing', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('decision_on', t.date, (c) => c.notNull())
    .addColumn('due_on', t.date, (c) => c.notNull())
    .addColumn('filed_at', t.instant, (c) => c.notNull())
    .addColumn('filed_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('grants_notice_agency_idx').on('grants_notice').column('agency_id').execute();
  await db.schema.createIndex('grants_notice_plan_idx').on('grants_notice').column('plan_id').execute();

  await db.schema
    .createTable('grants_notice_ack')
    .addColumn('notice_id', t.id, (c) => c.notNull().references('grants_notice.id'))
    .addColumn('user_id', t.id, (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('acknowledged_at', t.instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('grants_notice_ack_pk', ['notice_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('grants_opportunity')
    .addColumn('opportunity_id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('number', 'text')
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('agency_code', 'text')
    .addColumn('agency_name', 'text')
    .addColumn('listings', t.json, (c) => c.notNull())
    // The same numbers as text, ' 16.320 93.598 ', so that either engine filters by one with LIKE.
    .addColumn('listing_keys', 'text', (c) => c.notNull())
    .addColumn('eligible', t.json, (c) => c.notNull())
    .addColumn('instruments', t.json, (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('post_date', t.date)
    .addColumn('close_date', t.date)
    .addColumn('archive_date', t.date)
    .addColumn('last_updated', t.date, (c) => c.notNull())
    .addColumn('award_ceiling', real)
    .addColumn('award_floor', real)
    .addColumn('estimated_total', real)
    .addColumn('expected_awards', 'integer')
    .addColumn('fiscal_year', 'integer')
    .addColumn('description', 'text')
    .addColumn('url', 'text')
    .addColumn('matched', t.json, (c) => c.notNull())
    .addColumn('plan_id', t.id, (c) => c.references('grants_plan.id'))
    .addColumn('imported_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('grants_opportunity_close_idx').on('grants_opportunity').column('close_date').execute();
  await db.schema.createIndex('grants_opportunity_plan_idx').on('grants_opportunity').column('plan_id').execute();

  await db.schema
    .createTable('grants_award')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('award_key', 'text', (c) => c.notNull().unique())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('agency_id', t.id)
    .addColumn('awarding_agency', 'text')
    .addColumn('recipient_name', 'text', (c) => c.notNull())
    .addColumn('recipient_uei', 'text')
    .addColumn('assistance_listing', 'text')
    .addColumn('action_date', t.date)
    .addColumn('amount', real, (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('county_fips', 'text')
    .addColumn('zip', 'text')
    .addColumn('description', 'text')
    .addColumn('plan_id', t.id, (c) => c.references('grants_plan.id'))
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('grants_award_place_idx').on('grants_award').columns(['state', 'county_fips']).execute();
  await db.schema.createIndex('grants_award_date_idx').on('grants_award').column('action_date').execute();

  await db.schema
    .createTable('grants_watch')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addUniqueConstraint('grants_watch_kind_value_uq', ['kind', 'value'])
    .execute();

  await db.schema
    .createTable('grants_setting')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('grants_import')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('started_at', t.instant, (c) => c.notNull())
    .addColumn('finished_at', t.instant)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('records', 'integer', (c) => c.notNull())
    .addColumn('kept', 'integer', (c) => c.notNull())
    .addColumn('inserted', 'integer', (c) => c.notNull())
    .addColumn('updated', 'integer', (c) => c.notNull())
    .addColumn('unchanged', 'integer', (c) => c.notNull())
    .addColumn('quarantined', 'integer', (c) => c.notNull())
    .addColumn('detail', 'text')
    .execute();
};
