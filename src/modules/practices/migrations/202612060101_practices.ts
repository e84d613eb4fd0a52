import type { Migration } from '../../../platform/db/migrator.ts';
import { createSearchIndex } from '../../../platform/db/search.ts';
import { DEFAULT_RULES } from '../rules.ts';

// Promising practices (issue 17): practices, their studies, two independent reviews per study and a lead's
// reconciliation, versioned rating rules, per-outcome ratings, links to other modules' records (by id, no foreign
// key: those modules own the rows), nominations, digest subscribers, and the events the feed and digest carry.
export const up: Migration['up'] = async (db, t, kind) => {
  const real = kind === 'postgresql' ? 'double precision' : 'real';
  await db.schema
    .createTable('practices_practice')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('components', 'text')
    .addColumn('populations', t.json, (c) => c.notNull())
    .addColumn('setting', 'text', (c) => c.notNull())
    .addColumn('outcome_domains', t.json, (c) => c.notNull())
    .addColumn('cost', 'text')
    .addColumn('resources', t.json, (c) => c.notNull())
    .addColumn('contact_name', 'text')
    .addColumn('contact_email', 'text')
    .addColumn('source', 'text')
    .addColumn('demo', t.bool, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('practices_practice_name_idx').on('practices_practice').column('name').execute();
  await createSearchIndex(db, kind, 'practices_search');

  // One row per (facet, value) a practice has: population, outcome, setting, design, rating and outcome:rating.
  await db.schema
    .createTable('practices_facet')
    .addColumn('practice_id', t.id, (c) => c.notNull().references('practices_practice.id'))
    .addColumn('facet', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('practices_facet_pk', ['facet', 'value', 'practice_id'])
    .execute();
  await db.schema.createIndex('practices_facet_practice_idx').on('practices_facet').column('practice_id').execute();

  await db.schema
    .createTable('practices_link')
    .addColumn('practice_id', t.id, (c) => c.notNull().references('practices_practice.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target_id', t.id, (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('practices_link_pk', ['practice_id', 'kind', 'target_id'])
    .execute();
  await db.schema.createIndex('practices_link_target_idx').on('practices_link').columns(['kind', 'target_id']).execute();

  await db.schema
    .createTable('practices_study')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('practice_id', t.id, (c) => c.notNull().references('practices_practice.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('authors', 'text', (c) => c.notNull())
    .addColumn('year', 'integer')
    .addColumn('journal', 'text')
    .addColumn('doi', 'text')
    .addColumn('url', 'text')
    .addColumn('design', 'text', (c) => c.notNull())
    .addColumn('sample_size', 'integer')
    .addColumn('setting', 'text')
    .addColumn('attrition', real)
    .addColumn('outcomes', t.json, (c) => c.notNull())
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('practices_study_practice_idx').on('practices_study').column('practice_id').execute();

  await db.schema
    .createTable('practices_review')
    .addColumn('study_id', t.id, (c) => c.notNull().references('practices_study.id'))
    .addColumn('reviewer_id', t.id, (c) => c.notNull())
    .addColumn('reviewer_label', 'text', (c) => c.notNull())
    .addColumn('rating', 'text', (c) => c.notNull())
    .addColumn('notes', 'text')
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('practices_review_pk', ['study_id', 'reviewer_id'])
    .execute();

  await db.schema
    .createTable('practices_reconciliation')
    .addColumn('study_id', t.id, (c) => c.primaryKey().references('practices_study.id'))
    .addColumn('rating', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('lead_id', t.id)
    .addColumn('lead_label', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('practices_rule_set')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('rules', t.json, (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();
  // Rule set 1, documented in docs/practices.md; the committee's later versions are added beside it, never over it.
  await db
    .insertInto('practices_rule_set')
    .values({ version: 1, rules: JSON.stringify(DEFAULT_RULES), note: 'First rule set (docs/practices.md).', created_by: 'system', created_at: new Date().toISOString() })
    .execute();

  await db.schema
    .createTable('practices_rating')
    .addColumn('practice_id', t.id, (c) => c.notNull().references('practices_practice.id'))
    .addColumn('domain', 'text', (c) => c.notNull())
    .addColumn('rating', 'text', (c) => c.notNull())
    .addColumn('rule_version', 'integer', (c) => c.notNull())
    .addColumn('rule_index', 'integer')
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('studies', 'integer', (c) => c.notNull())
    .addColumn('computed_at', t.instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('practices_rating_pk', ['practice_id', 'domain'])
    .execute();

  await db.schema
    .createTable('practices_event')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('practice_id', t.id, (c) => c.notNull().references('practices_practice.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', t.instant, (c) => c.notNull())
    .addColumn('detail', t.json, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('practices_event_at_idx').on('practices_event').column('at').execute();

  await db.schema
    .createTable('practices_nomination')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('summary', 'text', (c) => c.notNull())
    .addColumn('materials', 'text')
    .addColumn('outcome_domains', t.json, (c) => c.notNull())
    .addColumn('populations', t.json, (c) => c.notNull())
    .addColumn('organization_name', 'text')
    .addColumn('nominator_id', t.id, (c) => c.notNull())
    .addColumn('nominator_email', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('practice_id', t.id)
    .addColumn('decided_at', t.instant)
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('practices_nomination_status_idx').on('practices_nomination').columns(['status', 'created_at']).execute();

  await db.schema
    .createTable('practices_subscriber')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('confirm_hash', 'text', (c) => c.notNull())
    .addColumn('unsubscribe_hash', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', t.instant)
    .addColumn('unsubscribed_at', t.instant)
    .addColumn('last_sent_at', t.instant)
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .execute();
};
