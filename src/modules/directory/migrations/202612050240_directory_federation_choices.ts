import type { Migration } from '../../../platform/db/migrator.ts';

// Federation (issue 12 item 6), continued: a steward's choice between two matched services' differing values, per
// record and field (the value kept and the value the record's source gave, so that the source's next pull does not
// put it back until the source changes it); and organisations matched across sources like services.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('directory_service_choice')
    .addColumn('service_id', t.id, (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('kept', 'text')
    .addColumn('replaced', 'text')
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', t.instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_service_choice_pk', ['service_id', 'field'])
    .execute();
  await db.schema
    .createTable('directory_organization_match')
    .addColumn('organization_id', t.id, (c) => c.primaryKey())
    .addColumn('same_as', t.id, (c) => c.notNull())
    .addColumn('matched_on', 'text', (c) => c.notNull())
    .addColumn('matched_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('directory_organization_match_same_as').on('directory_organization_match').column('same_as').execute();
};
