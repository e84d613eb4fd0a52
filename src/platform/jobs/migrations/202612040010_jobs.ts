import type { Migration } from '../../db/migrator.ts';

export const up: Migration['up'] = async (db, t) => {
  // One row per job: when it is next due, and which node holds it while it runs. Nodes claim a due run by a
  // conditional update of this row, so each run happens once however many nodes there are.
  await db.schema
    .createTable('jobs')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('next_run_at', t.instant, (c) => c.notNull())
    .addColumn('lease_holder', 'text')
    .addColumn('lease_until', t.instant)
    .addColumn('updated_at', t.instant, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('job_runs')
    .addColumn('id', t.id, (c) => c.primaryKey())
    .addColumn('job', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('slot', t.instant)
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('started_at', t.instant, (c) => c.notNull())
    .addColumn('finished_at', t.instant)
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('job_runs_job_started_idx').on('job_runs').columns(['job', 'started_at']).execute();
  await db.schema.createIndex('job_runs_started_idx').on('job_runs').column('started_at').execute();
};
