import type { Migration } from '../../../platform/db/migrator.ts';

// One table for goals, objectives and actions: they differ only by depth of their National Action Plan number
// (1, 1.3, 1.3.2). Agencies, committees and partnerships belong to the structure module and are referred to by id
// without foreign keys, because a module touches only its own tables.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('workplans_items')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('parent_id', t.id, (c) => c.references('workplans_items.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('lead_agency_id', t.id)
    .addColumn('supporting_agency_ids', t.json, (c) => c.notNull())
    .addColumn('owner_type', 'text')
    .addColumn('owner_id', t.id)
    .addColumn('start_date', t.date)
    .addColumn('due_date', t.date)
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('weight', 'numeric', (c) => c.notNull())
    .addColumn('sort_key', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('workplans_items_parent_idx').on('workplans_items').column('parent_id').execute();
  await db.schema.createIndex('workplans_items_lead_idx').on('workplans_items').column('lead_agency_id').execute();

  await db.schema
    .createTable('workplans_milestones')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('item_id', t.id, (c) => c.notNull().references('workplans_items.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('due_date', t.date)
    .addColumn('done_date', t.date)
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('workplans_milestones_item_idx').on('workplans_milestones').column('item_id').execute();

  await db.schema
    .createTable('workplans_key_results')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('item_id', t.id, (c) => c.notNull().references('workplans_items.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('start_value', 'numeric', (c) => c.notNull())
    .addColumn('target_value', 'numeric', (c) => c.notNull())
    .addColumn('unit', 'text')
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('workplans_key_results_item_idx').on('workplans_key_results').column('item_id').execute();

  // Each submission is a row: a resubmission after a return is a new row with the next submission number.
  await db.schema
    .createTable('workplans_updates')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('item_id', t.id, (c) => c.notNull().references('workplans_items.id'))
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('submission', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('narrative', 'text', (c) => c.notNull())
    .addColumn('kr_values', t.json, (c) => c.notNull())
    .addColumn('evidence', t.json, (c) => c.notNull())
    .addColumn('submitted_by', t.id)
    .addColumn('submitted_by_label', 'text', (c) => c.notNull())
    .addColumn('submitted_at', t.instant, (c) => c.notNull())
    .addColumn('reviewed_by_label', 'text')
    .addColumn('reviewed_at', t.instant)
    .addColumn('review_comment', 'text')
    .addUniqueConstraint('workplans_updates_item_period_submission_uq', ['item_id', 'period', 'submission'])
    .execute();
  await db.schema.createIndex('workplans_updates_state_idx').on('workplans_updates').column('state').execute();

  // What was e-mailed to whom for which period, so that running the digests twice sends nothing twice.
  await db.schema
    .createTable('workplans_notifications')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('sent_at', t.instant, (c) => c.notNull())
    .addUniqueConstraint('workplans_notifications_uq', ['kind', 'period', 'recipient'])
    .execute();
};
