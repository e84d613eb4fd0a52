import type { Migration } from '../../../platform/db/migrator.ts';

// Which account organisations act for which directory organisation: its staff edit the listing (through review)
// and send and receive referrals in its name. A directory organisation may have several, and the other way round.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('directory_steward')
    .addColumn('directory_organization_id', t.id, (c) => c.notNull())
    .addColumn('account_organization_id', t.id, (c) => c.notNull().references('organizations.id'))
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('created_by', t.id)
    .addPrimaryKeyConstraint('directory_steward_pk', ['directory_organization_id', 'account_organization_id'])
    .execute();
  await db.schema.createIndex('directory_steward_account_idx').on('directory_steward').column('account_organization_id').execute();
};
