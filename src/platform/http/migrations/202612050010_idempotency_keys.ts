import type { Migration } from '../../db/migrator.ts';

export const up: Migration['up'] = async (db, t) => {
  // One row per key a person (or token) sent with a request that creates something: the request it was used for and,
  // once done, where its result is. No request body and no answer is kept, so no personal data lands here.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request', 'text', (c) => c.notNull())
    .addColumn('location', 'text')
    .addColumn('created_at', t.instant, (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['owner', 'key'])
    .execute();
  await db.schema.createIndex('idempotency_keys_created_idx').on('idempotency_keys').column('created_at').execute();
};
