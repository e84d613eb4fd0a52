import type { Migration } from '../../../platform/db/migrator.ts';

// The same service arriving from two sources under different ids (issue 12 item 6): matched on its normalised name
// and its address, phone or website. The later record names the one first seen (same_as); both keep their
// provenance. Values on which the two disagree are listed for a steward.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('directory_service_match')
    .addColumn('service_id', t.id, (c) => c.primaryKey())
    .addColumn('same_as', t.id, (c) => c.notNull())
    .addColumn('matched_on', 'text', (c) => c.notNull())
    .addColumn('matched_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('directory_service_match_same_as').on('directory_service_match').column('same_as').execute();
};
