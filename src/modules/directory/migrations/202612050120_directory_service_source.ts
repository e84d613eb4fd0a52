import type { Migration } from '../../../platform/db/migrator.ts';

// Which source last listed each imported service (issue 12 item 5). A full import from a source makes the services
// that source listed before but lists no longer inactive, kept, with the time they left (left_at); a service listed
// again comes back. One row per service: the source that listed it last.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('directory_service_source')
    .addColumn('service_id', t.id, (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('first_listed_at', t.instant, (c) => c.notNull())
    .addColumn('left_at', t.instant)
    .execute();
  await db.schema.createIndex('directory_service_source_source').on('directory_service_source').columns(['source', 'service_id']).execute();
};
