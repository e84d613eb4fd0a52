import type { Migration } from '../../../platform/db/migrator.ts';

// Which account organisations act for which agency: their staff report on the agency's work-plan actions and get its
// reminders. An administrator sets the link, as for directory stewards (decision 0005): matching the organisation's
// name to the agency's let anyone who named an account organisation after an agency report in its name.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('structure_agency_organizations')
    .addColumn('agency_id', t.id, (c) => c.notNull().references('structure_agencies.id'))
    .addColumn('organization_id', t.id, (c) => c.notNull().references('organizations.id'))
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('created_by', t.id)
    .addPrimaryKeyConstraint('structure_agency_organizations_pk', ['agency_id', 'organization_id'])
    .execute();
  await db.schema.createIndex('structure_agency_organizations_org_idx').on('structure_agency_organizations').column('organization_id').execute();

  // Keep today's ties: every organisation whose name equals an agency's name or abbreviation (ignoring case and
  // surrounding spaces, the old rule) gets an explicit link, so nobody loses the right to report on upgrade.
  const norm = (s: unknown) => String(s ?? '').trim().toLowerCase();
  const agencies = await db.selectFrom('structure_agencies').select(['id', 'name', 'abbreviation']).execute();
  const organizations = await db.selectFrom('organizations').select(['id', 'name']).execute();
  const now = new Date().toISOString();
  for (const o of organizations) {
    const name = norm(o.name);
    if (!name) continue;
    for (const a of agencies) {
      if (name !== norm(a.name) && (a.abbreviation === null || name !== norm(a.abbreviation))) continue;
      await db.insertInto('structure_agency_organizations').values({ agency_id: a.id, organization_id: o.id, created_at: now, created_by: null }).execute();
    }
  }
};
