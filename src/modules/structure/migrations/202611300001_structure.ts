import type { Migration } from '../../../platform/db/migrator.ts';

// Agencies, bodies and partnerships are data with effective dates, not enums: the composition of the task force
// changes over time (domain.md §1.2–1.3). Nothing is deleted; retiring sets an end date and history keeps snapshots.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('structure_agencies')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('abbreviation', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('website', 'text')
    .addColumn('parent_id', t.id, (c) => c.references('structure_agencies.id'))
    .addColumn('member_from', t.date)
    .addColumn('member_until', t.date)
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('structure_agencies_name_idx').on('structure_agencies').column('name').execute();

  await db.schema
    .createTable('structure_bodies')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('charter', 'text')
    .addColumn('chair_title', 'text')
    .addColumn('parent_id', t.id, (c) => c.references('structure_bodies.id'))
    .addColumn('active_from', t.date)
    .addColumn('active_until', t.date)
    // Display order (the seed page's order for the demo data); creation time can tie within a millisecond.
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('structure_memberships')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('body_id', t.id, (c) => c.notNull().references('structure_bodies.id'))
    .addColumn('agency_id', t.id, (c) => c.notNull().references('structure_agencies.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('represented_by_id', t.id, (c) => c.references('structure_agencies.id'))
    .addColumn('from', t.date)
    .addColumn('until', t.date)
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('structure_memberships_body_idx').on('structure_memberships').column('body_id').execute();

  await db.schema
    .createTable('structure_partnerships')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('purpose', 'text')
    .addColumn('goals', t.json, (c) => c.notNull())
    .addColumn('lead_agency_id', t.id, (c) => c.references('structure_agencies.id'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('from', t.date)
    .addColumn('until', t.date)
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('structure_partners')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('partnership_id', t.id, (c) => c.notNull().references('structure_partnerships.id'))
    .addColumn('agency_id', t.id, (c) => c.references('structure_agencies.id'))
    .addColumn('name', 'text')
    .addColumn('website', 'text')
    .addColumn('from', t.date)
    .addColumn('until', t.date)
    .addColumn('position', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('structure_partners_partnership_idx').on('structure_partners').column('partnership_id').execute();

  await db.schema
    .createTable('structure_representatives')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('person_name', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('agency_id', t.id, (c) => c.notNull().references('structure_agencies.id'))
    .addColumn('body_id', t.id, (c) => c.references('structure_bodies.id'))
    .addColumn('partnership_id', t.id, (c) => c.references('structure_partnerships.id'))
    .addColumn('role', 'text')
    .addColumn('from', t.date)
    .addColumn('until', t.date)
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('structure_representatives_agency_idx').on('structure_representatives').column('agency_id').execute();

  await db.schema
    .createTable('structure_revisions')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', t.id, (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('snapshot', t.json, (c) => c.notNull())
    .addColumn('actor_id', t.id)
    .addColumn('actor_label', 'text', (c) => c.notNull())
    .addColumn('at', t.instant, (c) => c.notNull())
    .addUniqueConstraint('structure_revisions_entity_version_uq', ['entity_type', 'entity_id', 'version'])
    .execute();
};
