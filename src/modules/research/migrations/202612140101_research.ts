import type { Migration } from '../../../platform/db/migrator.ts';

// Research and data (issue 20): data calls to agencies, each agency's submission with every version kept, the
// reviews, and the reminders sent. Agencies and accounts are other owners' rows: referenced by id, no foreign key.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('research_call')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('period_start', t.date, (c) => c.notNull())
    .addColumn('period_end', t.date, (c) => c.notNull())
    .addColumn('due_date', t.date, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('fields', t.json, (c) => c.notNull())
    .addColumn('footnotes', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('research_call_due_idx').on('research_call').columns(['status', 'due_date']).execute();

  await db.schema
    .createTable('research_call_agency')
    .addColumn('call_id', t.id, (c) => c.notNull().references('research_call.id'))
    .addColumn('agency_id', t.id, (c) => c.notNull())
    .addPrimaryKeyConstraint('research_call_agency_pk', ['call_id', 'agency_id'])
    .execute();
  await db.schema.createIndex('research_call_agency_agency_idx').on('research_call_agency').column('agency_id').execute();

  await db.schema
    .createTable('research_submission')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('call_id', t.id, (c) => c.notNull().references('research_call.id'))
    .addColumn('agency_id', t.id, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('current_version', 'integer', (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .addUniqueConstraint('research_submission_call_agency_uq', ['call_id', 'agency_id'])
    .execute();

  await db.schema
    .createTable('research_submission_version')
    .addColumn('submission_id', t.id, (c) => c.notNull().references('research_submission.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('rows', t.json, (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('submitted_at', t.instant, (c) => c.notNull())
    .addColumn('review', 'text')
    .addColumn('review_note', 'text')
    .addColumn('reviewed_by', 'text')
    .addColumn('reviewed_at', t.instant)
    .addPrimaryKeyConstraint('research_submission_version_pk', ['submission_id', 'version'])
    .execute();

  await db.schema
    .createTable('research_reminder')
    .addColumn('call_id', t.id, (c) => c.notNull().references('research_call.id'))
    .addColumn('agency_id', t.id, (c) => c.notNull())
    .addColumn('recipient', t.id, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('sent_at', t.instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('research_reminder_pk', ['call_id', 'agency_id', 'recipient', 'kind'])
    .execute();
};
