/** The routes every kind of record has in the same shape: new, edit, retire and history. */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { Ctx } from '../../../platform/context.ts';
import type { App } from '../../../platform/module.ts';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm } from '../../../platform/http/forms.ts';
import { hidden, Uuid } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { View } from '../../../platform/web/view.ts';
import { formatInstant } from '../../../platform/web/i18n.ts';
import { Breadcrumbs, Pager, Table } from '../../../platform/web/components.tsx';
import type { Revision } from '../schema.ts';
import * as store from '../store.ts';
import { maySeeContacts } from '../policies.ts';
import { presentRevision } from '../presenters.ts';
import { ADMIN, crumbsFor, FormPost, IdParam, LIST_FIELDS, PUBLIC, str, type PageReq, type RetireState, type Values } from './shared.tsx';

/** A new representative's form can start from the agency, body or partnership page it was opened from. */
export const NewQuery = Type.Object({
  agency_id: Type.Optional(Uuid),
  body_id: Type.Optional(Uuid),
  partnership_id: Type.Optional(Uuid),
});
const HistoryPageQuery = Type.Object({ page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) });

function HistoryPage({ v, name, back, items, total, page, perPage }: { v: View; name: string; back: string; items: Revision[]; total: number; page: number; perPage: number }) {
  const title = v.t('structure.history.of', { name });
  return (
    <div>
      <Breadcrumbs items={[...crumbsFor(v), { href: back, label: name }, { label: v.t('structure.history') }]} />
      <h1>{title}</h1>
      <Table
        v={v}
        caption={title}
        head={[v.t('structure.field.version'), v.t('structure.history.action'), v.t('structure.history.by'), v.t('structure.history.at'), v.t('structure.history.snapshot')]}
        rows={items.map((r) => [
          String(r.version),
          v.t(`structure.action.${r.action}`),
          r.actor_label,
          formatInstant(v.lang, r.at),
          <details>
            <summary>{v.t('structure.history.snapshot')}</summary>
            <pre class="font-mono-3xs text-wrap">{JSON.stringify(r.snapshot, null, 2)}</pre>
          </details>,
        ])}
      />
      <Pager v={v} page={page} perPage={perPage} total={total} />
    </div>
  );
}

export interface FormSpec<T extends { id: string }> {
  base: string;
  noun: 'agency' | 'committee' | 'partnership' | 'representative';
  load(ctx: Ctx, id: string): Promise<T | undefined>;
  values(rec: T): Values;
  input(body: Record<string, unknown>, edit: boolean, current?: T): Record<string, unknown>;
  render(req: PageReq, p: { values: Values; errors?: FieldError[]; action: string; title: string; cancel: string }): Promise<unknown>;
  create(ctx: Ctx, input: unknown): Promise<T>;
  update(ctx: Ctx, id: string, input: unknown): Promise<T>;
  retire(ctx: Ctx, id: string, input: unknown): Promise<T>;
  retireField: string;
  href(rec: T): string;
  name(rec: T): string;
  detail(req: PageReq, reply: FastifyReply, rec: T, extra: RetireState, status?: number): Promise<FastifyReply>;
  newValues?(q: Static<typeof NewQuery>): Values;
}

const formOpts = { listFields: LIST_FIELDS, keepPath: true };

export function registerForms<T extends { id: string }>(app: App, s: FormSpec<T>) {
  const loadOr404 = async (ctx: Ctx, id: string) => {
    const rec = await s.load(ctx, id);
    if (!rec) throw notFound();
    return rec;
  };
  const newTitle = (v: View) => v.t(`structure.${s.noun}.new`);
  const editTitle = (v: View, rec: T) => v.t(`structure.${s.noun}.edit`, { name: s.name(rec) });

  app.get(`${s.base}/new`, { config: ADMIN, schema: { ...hidden, querystring: NewQuery } }, async (req, reply) => {
    const v = req.view();
    const body = await s.render(req, { values: s.newValues?.(req.query) ?? {}, action: s.base, title: newTitle(v), cancel: s.base });
    return reply.page(newTitle(v), body);
  });

  app.post(s.base, { config: ADMIN, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => s.href(await s.create(req.ctx, s.input(formBody(req.body), false))),
      async (errors) => {
        const v = req.view();
        const body = await s.render(req, { values: rawValues(req.body), errors, action: s.base, title: newTitle(v), cancel: s.base });
        return reply.page(newTitle(v), body, 400);
      },
      formOpts,
    ),
  );

  app.get(`${s.base}/:id/edit`, { config: ADMIN, schema: { ...hidden, params: IdParam } }, async (req, reply) => {
    const rec = await loadOr404(req.ctx, req.params.id);
    const v = req.view();
    const body = await s.render(req, { values: s.values(rec), action: `${s.base}/${rec.id}/edit`, title: editTitle(v, rec), cancel: s.href(rec) });
    return reply.page(editTitle(v, rec), body);
  });

  app.post(`${s.base}/:id/edit`, { config: ADMIN, schema: { ...hidden, params: IdParam, body: FormPost } }, async (req, reply) => {
    const rec = await loadOr404(req.ctx, req.params.id);
    return submitForm(
      reply,
      async () => s.href(await s.update(req.ctx, rec.id, s.input(formBody(req.body), true, rec))),
      async (errors) => {
        const v = req.view();
        const body = await s.render(req, { values: rawValues(req.body), errors, action: `${s.base}/${rec.id}/edit`, title: editTitle(v, rec), cancel: s.href(rec) });
        return reply.page(editTitle(v, rec), body, 400);
      },
      formOpts,
    );
  });

  app.post(`${s.base}/:id/retire`, { config: ADMIN, schema: { ...hidden, params: IdParam, body: FormPost } }, async (req, reply) => {
    const rec = await loadOr404(req.ctx, req.params.id);
    const form = formBody(req.body);
    return submitForm(
      reply,
      async () => s.href(await s.retire(req.ctx, rec.id, form)),
      (errors) => s.detail(req, reply, rec, { retireErrors: errors, retireValue: str(form[s.retireField]) }, 400),
      formOpts,
    );
  });

  app.get(`${s.base}/:id/history`, { config: PUBLIC, schema: { ...hidden, params: IdParam, querystring: HistoryPageQuery } }, async (req, reply) => {
    const rec = await loadOr404(req.ctx, req.params.id);
    const page = req.query.page ?? 1;
    const perPage = 50;
    const { items, total } = await store.listRevisions(req.ctx.db, s.noun, rec.id, perPage, (page - 1) * perPage);
    const contacts = maySeeContacts(req.actor);
    const shown = items.map((r) => presentRevision(r, contacts));
    const v = req.view();
    return reply.page(v.t('structure.history.of', { name: s.name(rec) }), <HistoryPage v={v} name={s.name(rec)} back={s.href(rec)} items={shown} total={total} page={page} perPage={perPage} />);
  });
}
