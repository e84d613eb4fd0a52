import type { Migration } from '../../../platform/db/migrator.ts';

// Event registration. An event that takes registrations has a number of places; a youth event takes them for a
// student group, by head count. A registration is made by an adult's account (referenced by id) and holds a group
// and a number, never a person's name, e-mail or school: students have no rows of their own.
export const up: Migration['up'] = async (db, t) => {
  await db.schema.alterTable('outreach_event').addColumn('capacity', 'integer').execute();
  await db.schema.alterTable('outreach_event').addColumn('youth', t.bool, (c) => c.notNull().defaultTo(false)).execute();

  await db.schema
    .createTable('outreach_event_registration')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('event_id', t.id, (c) => c.notNull().references('outreach_event.id'))
    .addColumn('registrant_user_id', t.id, (c) => c.notNull())
    .addColumn('group_id', t.id, (c) => c.references('outreach_group.id'))
    .addColumn('head_count', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('outreach_event_registration_event_idx').on('outreach_event_registration').columns(['event_id', 'status']).execute();
  await db.schema.createIndex('outreach_event_registration_user_idx').on('outreach_event_registration').column('registrant_user_id').execute();
};
