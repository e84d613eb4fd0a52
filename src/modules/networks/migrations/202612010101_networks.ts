import type { Migration } from '../../../platform/db/migrator.ts';

// Local networks between victim service providers and existing resources. Members, conveners and agreement parties
// are directory (HSDS) organisations, referenced by id without a foreign key: the directory module owns those rows
// and an import may replace them. Areas are states and counties (FIPS codes) or a centre and radius.
export const up: Migration['up'] = async (db, t, kind) => {
  const real = kind === 'postgresql' ? 'double precision' : 'real';
  await db.schema
    .createTable('networks_network')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('convener_organization_id', t.id, (c) => c.notNull())
    .addColumn('area_kind', 'text', (c) => c.notNull())
    .addColumn('states', t.json, (c) => c.notNull())
    .addColumn('counties', t.json, (c) => c.notNull())
    .addColumn('center_lat', real)
    .addColumn('center_lng', real)
    .addColumn('radius_miles', real)
    .addColumn('needs', t.json, (c) => c.notNull())
    .addColumn('retired_on', t.date)
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('networks_network_name_idx').on('networks_network').column('name').execute();
  await db.schema.createIndex('networks_network_convener_idx').on('networks_network').column('convener_organization_id').execute();

  await db.schema
    .createTable('networks_member')
    .addColumn('network_id', t.id, (c) => c.notNull().references('networks_network.id'))
    .addColumn('directory_organization_id', t.id, (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('joined_on', t.date)
    .addColumn('note', 'text')
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('networks_member_pk', ['network_id', 'directory_organization_id'])
    .execute();
  await db.schema.createIndex('networks_member_org_idx').on('networks_member').column('directory_organization_id').execute();

  await db.schema
    .createTable('networks_agreement')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('network_id', t.id, (c) => c.notNull().references('networks_network.id'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('directory_organization_id', t.id)
    .addColumn('on_file', t.bool, (c) => c.notNull())
    .addColumn('signed_on', t.date)
    .addColumn('expires_on', t.date)
    .addColumn('note', 'text')
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('networks_agreement_network_idx').on('networks_agreement').column('network_id').execute();

  await db.schema
    .createTable('networks_contact')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('network_id', t.id, (c) => c.notNull().references('networks_network.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('title', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('directory_organization_id', t.id)
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('networks_contact_network_idx').on('networks_contact').column('network_id').execute();
};
