/** Snapshots of the published datasets: the dated list, each version as it was served, and the same in the API. */
import { formatInstant } from '../../../platform/web/i18n.ts';
import { Type } from '@sinclair/typebox';
import { notFound } from '../../../platform/http/errors.ts';
import { IdParams, hidden, readErrors } from '../../../platform/http/schemas.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { Breadcrumbs, Table } from '../../../platform/web/components.tsx';
import { getSnapshot, listSnapshots, type Snapshot } from '../store.ts';
import { crumbs, PUBLIC } from './shared.tsx';

const TAGS = ['Research'];
const SnapshotOut = Type.Object({ id: Type.String({ format: 'uuid' }), dataset: Type.String(), taken_at: Type.String({ format: 'date-time' }), media_type: Type.String(), sha256: Type.String(), size: Type.Integer() });
const ListQuery = Type.Object({ dataset: Type.Optional(Type.String({ maxLength: 60, pattern: '^[a-z0-9-]+$' })) });

function SnapshotsPage({ v, items }: { v: View; items: Snapshot[] }) {
  return (
    <div>
      <Breadcrumbs items={crumbs(v, [{ label: v.t('rs.snap.title') }])} />
      <h1>{v.t('rs.snap.title')}</h1>
      <p class="usa-intro">{v.t('rs.snap.intro')}</p>
      <Table
        v={v}
        wrap
        caption={v.t('rs.snap.title')}
        head={[v.t('rs.snap.dataset'), v.t('rs.snap.taken'), v.t('rs.snap.sha256')]}
        rows={items.map((s) => [<a href={`/research/snapshots/${s.id}`}>{s.dataset}</a>, formatInstant(v.lang, s.taken_at, 'UTC'), <code>{s.sha256.match(/.{1,16}/g)!.map((part, i) => (i ? [<wbr />, part] : part))}</code>])}
      />
    </div>
  );
}

export async function snapshotPages(app: App): Promise<void> {
  app.get('/research/snapshots', { config: PUBLIC, schema: { ...hidden, querystring: ListQuery } }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('rs.snap.title'), <SnapshotsPage v={v} items={await listSnapshots(req.ctx.db, { dataset: req.query.dataset })} />);
  });
  app.get('/research/snapshots/:id', { config: PUBLIC, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const s = await getSnapshot(req.ctx.db, req.params.id);
    if (!s) throw notFound('No such snapshot.');
    const ext = s.media_type === 'text/csv' ? 'csv' : 'json';
    return reply.type(`${s.media_type}; charset=utf-8`).header('content-disposition', `attachment; filename="${s.dataset}-${s.taken_at.slice(0, 10)}.${ext}"`).header('x-content-sha256', s.sha256).send(s.content);
  });
  app.get('/api/research/snapshots', { config: PUBLIC, schema: { tags: TAGS, summary: 'Dated versions of the published datasets, newest first', querystring: ListQuery, response: { 200: Type.Array(SnapshotOut), ...readErrors } } }, async (req) => listSnapshots(req.ctx.db, { dataset: req.query.dataset }));
  app.get('/api/research/snapshots/:id', { config: PUBLIC, schema: { tags: TAGS, summary: 'One snapshot: the dataset as it was served then (CSV or JSON), its SHA-256 in x-content-sha256', params: IdParams, response: { 200: Type.String(), ...readErrors } } }, async (req, reply) => {
    const s = await getSnapshot(req.ctx.db, req.params.id);
    if (!s) throw notFound('No such snapshot.');
    return reply.type(`${s.media_type}; charset=utf-8`).header('x-content-sha256', s.sha256).send(s.content);
  });
}
