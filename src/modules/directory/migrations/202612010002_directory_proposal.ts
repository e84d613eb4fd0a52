import type { Migration } from '../../../platform/db/migrator.ts';

// Changes that providers propose to their own listings, waiting for review. `base` holds the values the proposal
// was made from, so that a reviewer sees when the record changed in the meantime instead of overwriting it.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('directory_proposal')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('target_type', 'text', (c) => c.notNull())
    .addColumn('target_id', t.id, (c) => c.notNull())
    .addColumn('target_name', 'text', (c) => c.notNull())
    .addColumn('organization_id', t.id, (c) => c.notNull())
    .addColumn('base', t.json, (c) => c.notNull())
    .addColumn('proposed', t.json, (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('proposer_id', t.id, (c) => c.notNull().references('users.id'))
    .addColumn('proposer_organization_id', t.id, (c) => c.notNull().references('organizations.id'))
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('reviewed_at', t.instant)
    .addColumn('reviewer_id', t.id)
    .execute();
  await db.schema.createIndex('directory_proposal_status_idx').on('directory_proposal').columns(['status', 'created_at']).execute();
  await db.schema.createIndex('directory_proposal_proposer_idx').on('directory_proposal').column('proposer_id').execute();
};
