import type { Migration } from '../../../platform/db/migrator.ts';

// Saved lists (issue 13 item 7): a signed-in person's named lists of services, to print or to share by a link. A
// list holds services and the owner's own note, never a client's details. A shared link is stored as the SHA-256 of
// its token (the token itself is shown once), so that a copy of the database opens no list; it may expire and is
// revoked by stamping it, so that a revoked link can say so (410) instead of looking unknown.
export const up: Migration['up'] = async (db, t) => {
  await db.schema
    .createTable('directory_list')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('owner_id', t.id, (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('directory_list_owner_idx').on('directory_list').columns(['owner_id', 'updated_at']).execute();
  // No foreign key to directory_service: imports replace services, and a list keeps the place of one that left
  // (shown as no longer listed) rather than blocking the import or losing the item silently.
  await db.schema
    .createTable('directory_list_item')
    .addColumn('list_id', t.id, (c) => c.notNull().references('directory_list.id').onDelete('cascade'))
    .addColumn('service_id', t.id, (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('added_at', t.instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('directory_list_item_pk', ['list_id', 'service_id'])
    .execute();
  await db.schema
    .createTable('directory_list_share')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('list_id', t.id, (c) => c.notNull().references('directory_list.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addColumn('expires_at', t.instant)
    .addColumn('revoked_at', t.instant)
    .execute();
  await db.schema.createIndex('directory_list_share_list_idx').on('directory_list_share').column('list_id').execute();
};
