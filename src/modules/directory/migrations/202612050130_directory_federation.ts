import type { Migration } from '../../../platform/db/migrator.ts';

// Federation (issue 12 item 6): the sources administrators register to be pulled on a schedule, with what the last
// pull was told (ETag, Last-Modified per address) for conditional requests; and the provenance of each service per source that
// lists it (one row per service and source), so that two sources listing the same service both show, and a service
// leaves the directory only when no source lists it any longer.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('directory_source')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('location', 'text', (c) => c.notNull())
    .addColumn('schedule', 'text', (c) => c.notNull())
    .addColumn('enabled', t.bool, (c) => c.notNull())
    // What the last pull was told per address fetched, as JSON: {url: {etag, last_modified}}.
    .addColumn('validators', 'text')
    .addColumn('next_pull_at', t.instant)
    .addColumn('last_pull_at', t.instant)
    .addColumn('last_result', 'text')
    .addColumn('last_import_id', t.id)
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('directory_provenance')
    .addColumn('service_id', t.id, (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('first_seen', t.instant, (c) => c.notNull())
    .addColumn('last_changed', t.instant, (c) => c.notNull())
    .addColumn('last_seen', t.instant, (c) => c.notNull())
    .addColumn('left_at', t.instant)
    .addPrimaryKeyConstraint('directory_provenance_pk', ['service_id', 'source'])
    .execute();
  await db.schema.createIndex('directory_provenance_source').on('directory_provenance').columns(['source', 'service_id']).execute();
  // What imports before federation knew: the one source that last listed each service.
  await db
    .insertInto('directory_provenance')
    .columns(['service_id', 'source', 'source_id', 'first_seen', 'last_changed', 'last_seen', 'left_at'])
    .expression(db.selectFrom('directory_service_source').select(['service_id', 'source', 'service_id as source_id', 'first_listed_at as first_seen', 'first_listed_at as last_changed', 'first_listed_at as last_seen', 'left_at']))
    .execute();
};
