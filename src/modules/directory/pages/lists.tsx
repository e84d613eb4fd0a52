/**
 * Saved lists (issue 13 item 7): "My lists", one list (reorder, remove, rename, share, delete), its print view, the
 * "Save to list" form of the service page, and the public page a shared link opens. Every form works without
 * JavaScript; bad input comes back beside its field in the reader's language, changing nothing.
 */
import { formatDate } from '../../../platform/web/i18n.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../../platform/module.ts';
import { badRequest, type FieldError } from '../../../platform/http/errors.ts';
import { formErrors, rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { isUuid } from '../../../platform/db/index.ts';
import { safeHref } from '../../../platform/http/urls.ts';
import { localizeFieldErrors } from '../../../platform/web/field-errors.ts';
import type { View } from '../../../platform/web/view.ts';
import { ActionButton, Alert, Breadcrumbs, Csrf, ErrorSummary, IdempotencyKey, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { LISTS } from '../permissions.ts';
import { FormPost } from '../schema.ts';
import { itemIds, itemsOf, listChoices, listDetail, myLists, NAME_MAX, NOTE_MAX, openShare, ownList, type ListItem, type ListSummary } from '../lists.ts';
import { addToList, createList, deleteList, removeFromList, reorderList, revokeShare, shareList, updateList, type Shared } from '../lists-commands.ts';
import { LIST_RULES } from '../lists-messages.ts';
import { languagesText } from './shared.tsx';

const OWNER = { access: { permission: LISTS } } as const;
const ItemParams = Type.Object({ id: Type.String({ format: 'uuid' }), service_id: Type.String({ format: 'uuid' }) });
const SHARE_CHOICES = ['7', '30', '90', 'never'] as const;

const val = (values: FormValues, k: string) => (typeof values[k] === 'string' ? (values[k] as string) : '');
const day = (v: View, iso: string) => formatDate(v.lang, iso);

function labels(v: View): Record<string, string> {
  return {
    name: v.t('directory.lists.field.name'),
    note: v.t('directory.lists.field.note'),
    new_name: v.t('directory.lists.field.new_name'),
    list_id: v.t('directory.lists.savebox.list'),
    expires_in_days: v.t('directory.lists.share.expires'),
    service_id: v.t('directory.lists.items'),
    service_ids: v.t('directory.lists.items'),
    form: v.t('directory.lists.items'),
    direction: v.t('directory.lists.position'),
  };
}

/** Runs a one-button form's command; a refusal about input comes back on the list's page. */
async function act(req: FastifyRequest, reply: FastifyReply, id: string, run: () => Promise<string>) {
  try {
    return reply.redirect(await run(), 303);
  } catch (err) {
    const errors = formErrors(err);
    if (!errors) throw err;
    return listPage(req, reply, id, {}, errors);
  }
}

// ---------- the shared view (the link, and the owner's print view) ----------

function ServiceEntry({ v, item }: { v: View; item: ListItem }) {
  const c = item.card;
  if (!c) return <li class="margin-bottom-3">{v.t('directory.lists.gone')}</li>;
  return (
    <li class="margin-bottom-3">
      <h2 class="margin-bottom-1">{c.name}</h2>
      {c.organization && <p class="margin-top-0">{c.organization.name}</p>}
      {/* A fact the publisher left empty is left out (issue 16: no "—"), as on the service page and the cards. */}
      <dl class="directory-facts">
        {c.phone && (
          <div>
            <dt>{v.t('directory.phone')}</dt>
            <dd>
              <a href={`tel:${c.phone.replace(/[^\d+]/g, '')}`}>{c.phone}</a>
            </dd>
          </div>
        )}
        {(c.address || c.confidential) && (
          <div>
            <dt>{v.t('directory.address')}</dt>
            <dd>{c.address ?? v.t('directory.confidential')}</dd>
          </div>
        )}
        {c.hours.length > 0 && (
          <div>
            <dt>{v.t('directory.hours')}</dt>
            <dd>{c.hours.join('; ')}</dd>
          </div>
        )}
        {c.languages.length > 0 && (
          <div>
            <dt>{v.t('directory.languages')}</dt>
            <dd>{languagesText(v.lang, c.languages)}</dd>
          </div>
        )}
        {safeHref(c.url) && (
          <div>
            <dt>{v.t('directory.website')}</dt>
            <dd class="text-break-all">
              <a href={c.url}>{c.url}</a>
            </dd>
          </div>
        )}
      </dl>
    </li>
  );
}

function SharedView({ v, items }: { v: View; items: ListItem[] }) {
  return (
    <>
      <h1>{v.t('directory.lists.shared.title')}</h1>
      <p class="usa-intro">{v.t('directory.lists.shared.intro')}</p>
      {items.length === 0 ? <p>{v.t('directory.lists.shared.none')}</p> : <ol class="usa-list usa-list--unstyled">{items.map((item) => <ServiceEntry v={v} item={item} />)}</ol>}
      <p class="usa-hint">{v.t('directory.lists.shared.print')}</p>
    </>
  );
}

/** Pages a shared link opens: not indexed, not cached, and no address of it passed on to the sites it links to. */
function privately(reply: FastifyReply): FastifyReply {
  return reply.header('x-robots-tag', 'noindex, nofollow').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
}

// ---------- "Save to list" on the service page ----------

export function SaveToList({ v, serviceId, lists, values = {}, errors }: { v: View; serviceId: string; lists: { id: string; name: string }[]; values?: FormValues; errors?: FieldError[] }) {
  const choice = val(values, 'list_id') || (lists[0]?.id ?? 'new');
  return (
    <section aria-labelledby="save-to-list" class="margin-top-4">
      <h2 id="save-to-list">{v.t('directory.lists.savebox')}</h2>
      <form method="post" action="/directory/lists/save" class="usa-form">
        <Csrf v={v} />
        <IdempotencyKey />
        <ErrorSummary v={v} errors={errors ?? []} labels={labels(v)} />
        <input type="hidden" name="service_id" value={serviceId} />
        <Select name="list_id" label={v.t('directory.lists.savebox.list')} value={choice} options={[...lists.map((l) => ({ value: l.id, label: l.name })), { value: 'new', label: v.t('directory.lists.savebox.new') }]} errors={errors} />
        <TextInput name="new_name" label={v.t('directory.lists.savebox.new_name')} hint={v.t('directory.lists.savebox.new_name.hint')} maxLength={NAME_MAX} value={val(values, 'new_name')} errors={errors} />
        <SubmitButton>{v.t('directory.lists.savebox.save')}</SubmitButton>{' '}
        <a href="/directory/lists" class="usa-button usa-button--unstyled">
          {v.t('directory.lists.savebox.mine')}
        </a>
      </form>
    </section>
  );
}

/** The lists offered by the service page's form: the caller's, when they may keep lists. */
export async function listsForSaving(req: FastifyRequest): Promise<{ id: string; name: string }[] | undefined> {
  return req.view().can(LISTS) ? listChoices(req.ctx) : undefined;
}

async function saveToList(req: FastifyRequest, body: Record<string, unknown>): Promise<string> {
  const serviceId = typeof body.service_id === 'string' ? body.service_id : '';
  const listId = typeof body.list_id === 'string' ? body.list_id : '';
  if (listId !== 'new') {
    if (!isUuid(listId)) throw badRequest([{ field: 'list_id', message: 'is required' }]);
    await addToList(req.ctx, listId, { service_id: serviceId });
    return `/directory/lists/${listId}?added=1`;
  }
  // A new list is made only for a service that exists, so that a refused save leaves no empty list behind.
  const known = isUuid(serviceId) && (await req.ctx.db.selectFrom('directory_service').select('id').where('id', '=', serviceId).executeTakeFirst());
  if (!known) throw badRequest([{ field: 'list_id', message: 'is not a service in the directory' }]);
  let made: ListSummary;
  try {
    made = await createList(req.ctx, { name: typeof body.new_name === 'string' ? body.new_name : '' });
  } catch (err) {
    const errors = formErrors(err);
    if (errors) throw badRequest(errors.map((e) => (e.field === 'name' ? { ...e, field: 'new_name' } : e)));
    throw err;
  }
  await addToList(req.ctx, made.id, { service_id: serviceId });
  return `/directory/lists/${made.id}?added=1`;
}

async function savePage(req: FastifyRequest, reply: FastifyReply, serviceId: string, values: FormValues, errs?: FieldError[]) {
  const v = req.view();
  const e = localizeFieldErrors(v.lang, errs?.map((x) => (x.field === 'service_id' ? { ...x, field: 'list_id' } : x)), LIST_RULES);
  const title = v.t('directory.lists.savebox.title');
  const service = isUuid(serviceId) ? await req.ctx.db.selectFrom('directory_service').select(['id', 'name']).where('id', '=', serviceId).executeTakeFirst() : undefined;
  return reply.page(
    title,
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, ...(service ? [{ href: `/directory/services/${service.id}`, label: String(service.name) }] : []), { label: title }]} />
      <h1>{title}</h1>
      {service && <p class="usa-intro">{String(service.name)}</p>}
      <SaveToList v={v} serviceId={serviceId} lists={await listChoices(req.ctx)} values={values} errors={e} />
    </>,
    errs ? 400 : 200,
  );
}

// ---------- My lists, and one list ----------

async function myListsPage(req: FastifyRequest, reply: FastifyReply, values: FormValues = {}, errs?: FieldError[]) {
  const v = req.view();
  const lists = await myLists(req.ctx);
  const e = localizeFieldErrors(v.lang, errs, LIST_RULES);
  const title = v.t('directory.lists.title');
  const linkState = (l: ListSummary) => (!l.shared ? v.t('directory.lists.link.off') : l.shared.expires_at ? v.t('directory.lists.link.until', { date: day(v, l.shared.expires_at) }) : v.t('directory.lists.link.on'));
  return reply.page(
    title,
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: title }]} />
      <h1>{title}</h1>
      <p class="usa-intro">{v.t('directory.lists.intro')}</p>
      {lists.length === 0 ? (
        <p>{v.t('directory.lists.none')}</p>
      ) : (
        <Table
          v={v}
          wrap
          caption={title}
          head={[v.t('directory.lists.name'), v.t('directory.lists.items'), v.t('directory.lists.link'), v.t('directory.lists.updated')]}
          rows={lists.map((l) => [<a href={`/directory/lists/${l.id}`}>{l.name}</a>, v.t('directory.lists.items.n', { n: l.items }), linkState(l), day(v, l.updated_at)])}
        />
      )}
      <h2 id="new-list">{v.t('directory.lists.new')}</h2>
      <form method="post" action="/directory/lists" class="usa-form usa-form--large" aria-labelledby="new-list">
        <Csrf v={v} />
        <IdempotencyKey />
        <ErrorSummary v={v} errors={e ?? []} labels={labels(v)} />
        <TextInput name="name" label={v.t('directory.lists.name')} hint={v.t('directory.lists.name.hint')} required maxLength={NAME_MAX} value={val(values, 'name')} errors={e} />
        <TextArea name="note" label={v.t('directory.lists.note')} hint={v.t('directory.lists.note.hint')} rows={2} value={val(values, 'note')} errors={e} />
        <SubmitButton>{v.t('directory.lists.create')}</SubmitButton>
      </form>
    </>,
    errs ? 400 : 200,
  );
}

function ItemRow({ v, listId, item, first, last }: { v: View; listId: string; item: ListItem; first: boolean; last: boolean }) {
  const name = item.card?.name ?? v.t('directory.lists.gone');
  const base = `/directory/lists/${listId}/items/${item.service_id}`;
  const move = (direction: 'up' | 'down') => (
    <form method="post" action={`${base}/move`} class="display-inline-block margin-right-1">
      <Csrf v={v} />
      <input type="hidden" name="direction" value={direction} />
      <button type="submit" class="usa-button usa-button--outline usa-button--small">
        {v.t(`directory.lists.${direction}`)}
        <span class="usa-sr-only">: {name}</span>
      </button>
    </form>
  );
  return (
    <li class="margin-bottom-2 padding-bottom-1 border-bottom-1px border-base-lighter" data-service={item.service_id}>
      <p class="margin-bottom-1 text-bold">{item.card ? <a href={`/directory/services/${item.service_id}`}>{name}</a> : name}</p>
      {item.card?.organization && <p class="margin-top-0 margin-bottom-1">{item.card.organization.name}</p>}
      <div>
        {!first && move('up')}
        {!last && move('down')}
        <ActionButton v={v} action={`${base}/remove`} secondary>
          {v.t('directory.lists.remove')}
          <span class="usa-sr-only">: {name}</span>
        </ActionButton>
      </div>
    </li>
  );
}

async function listPage(req: FastifyRequest, reply: FastifyReply, id: string, values: FormValues = {}, errs?: FieldError[], shared?: Shared) {
  const v = req.view();
  const summary = await listDetail(req.ctx, id);
  const items = await itemsOf(req.ctx.db, id, v);
  const e = localizeFieldErrors(v.lang, errs, LIST_RULES);
  const query = (req.query ?? {}) as Record<string, unknown>;
  const form = errs && (values.name !== undefined || values.note !== undefined) ? values : { name: summary.name, note: summary.note ?? '' };
  const link = shared ? new URL(shared.path, req.ctx.config.publicUrl).toString() : undefined;
  const title = summary.name;
  if (shared) privately(reply);
  return reply.page(
    title,
    <>
      <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { href: '/directory/lists', label: v.t('directory.lists.title') }, { label: title }]} />
      <h1>{title}</h1>
      {query.added === '1' && <Alert type="success" slim>{v.t('directory.lists.added')}</Alert>}
      {query.saved === '1' && <Alert type="success" slim>{v.t('directory.lists.saved')}</Alert>}
      <ErrorSummary v={v} errors={e ?? []} labels={labels(v)} />
      <p>
        <a class="usa-button usa-button--outline" href={`/directory/lists/${id}/print`}>
          {v.t('directory.lists.print.button')}
        </a>
      </p>
      <h2>{v.t('directory.lists.items')}</h2>
      {items.length === 0 ? (
        <p>{v.t('directory.lists.empty')}</p>
      ) : (
        <ol class="usa-list usa-list--unstyled">
          {items.map((item, i) => (
            <ItemRow v={v} listId={id} item={item} first={i === 0} last={i === items.length - 1} />
          ))}
        </ol>
      )}
      <h2 id="share">{v.t('directory.lists.share')}</h2>
      <p>{v.t('directory.lists.share.intro')}</p>
      {link && (
        <Alert type="success" heading={v.t('directory.lists.share.made')}>
          <a class="text-break-all" href={link}>
            {link}
          </a>
        </Alert>
      )}
      {!link && <p>{!summary.shared ? v.t('directory.lists.share.none') : summary.shared.expires_at ? v.t('directory.lists.share.working.until', { date: day(v, summary.shared.expires_at) }) : v.t('directory.lists.share.working')}</p>}
      <form method="post" action={`/directory/lists/${id}/share`} class="usa-form">
        <Csrf v={v} />
        <Select name="expires_in_days" label={v.t('directory.lists.share.expires')} value={val(values, 'expires_in_days') || '30'} options={SHARE_CHOICES.map((c) => ({ value: c, label: v.t(`directory.lists.share.expires.${c}`) }))} errors={e} />
        <SubmitButton>{summary.shared ? v.t('directory.lists.share.remake') : v.t('directory.lists.share.make')}</SubmitButton>
      </form>
      {summary.shared && (
        <p>
          <ActionButton v={v} action={`/directory/lists/${id}/share/revoke`} secondary>
            {v.t('directory.lists.share.revoke')}
          </ActionButton>
        </p>
      )}
      <h2 id="edit">{v.t('directory.lists.edit')}</h2>
      <form method="post" action={`/directory/lists/${id}`} class="usa-form usa-form--large" aria-labelledby="edit">
        <Csrf v={v} />
        <TextInput name="name" label={v.t('directory.lists.name')} hint={v.t('directory.lists.name.hint')} required maxLength={NAME_MAX} value={val(form as FormValues, 'name')} errors={e} />
        <TextArea name="note" label={v.t('directory.lists.note')} hint={v.t('directory.lists.note.hint')} rows={2} value={val(form as FormValues, 'note').slice(0, NOTE_MAX * 2)} errors={e} />
        <SubmitButton>{v.t('directory.lists.save')}</SubmitButton>
      </form>
      <p class="margin-top-4">
        <ActionButton v={v} action={`/directory/lists/${id}/delete`} secondary>
          {v.t('directory.lists.delete')}
        </ActionButton>
      </p>
    </>,
    errs ? 400 : 200,
  );
}

function linkProblem(v: View, why: 'revoked' | 'expired' | 'unknown') {
  return (
    <>
      <h1>{v.t(`directory.lists.shared.${why}.title`)}</h1>
      <p class="usa-intro">{v.t(`directory.lists.shared.${why}`)}</p>
      <p>
        <a href="/directory">{v.t('directory.lists.shared.find')}</a>
      </p>
    </>
  );
}

/** The form's choice of how long a link works, as the command takes it: a number of days, or null for no end. */
function expiresFrom(body: Record<string, unknown>): unknown {
  const x = body.expires_in_days;
  if (x === undefined || x === '' || x === 'never') return null;
  return typeof x === 'string' && /^\d{1,6}$/.test(x) ? Number(x) : x;
}

export function listPages(app: App): void {
  app.get('/directory/lists', { config: OWNER, schema: hidden }, async (req, reply) => myListsPage(req, reply));
  app.post('/directory/lists', { config: OWNER, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => `/directory/lists/${(await createList(req.ctx, formBody(req.body))).id}`,
      (e) => myListsPage(req, reply, rawValues(req.body), e),
    ),
  );
  app.get('/directory/lists/save', { config: OWNER, schema: { ...hidden, querystring: Type.Object({ service_id: Type.Optional(Type.String({ maxLength: 40 })) }) } }, async (req, reply) => savePage(req, reply, req.query.service_id ?? '', {}));
  app.post('/directory/lists/save', { config: OWNER, schema: { ...hidden, body: FormPost } }, async (req, reply) => {
    const body = formBody(req.body);
    return submitForm(
      reply,
      () => saveToList(req, body),
      (e) => savePage(req, reply, typeof body.service_id === 'string' ? body.service_id : '', rawValues(req.body), e),
    );
  });
  app.get('/directory/lists/:id', { config: OWNER, schema: { ...hidden, params: IdParams, querystring: Type.Object({ added: Type.Optional(Type.String({ maxLength: 1 })), saved: Type.Optional(Type.String({ maxLength: 1 })) }) } }, async (req, reply) => listPage(req, reply, req.params.id));
  app.post('/directory/lists/:id', { config: OWNER, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    await ownList(req.ctx, req.params.id);
    return submitForm(
      reply,
      async () => `/directory/lists/${(await updateList(req.ctx, req.params.id, formBody(req.body))).id}?saved=1`,
      (e) => listPage(req, reply, req.params.id, rawValues(req.body), e),
    );
  });
  app.post('/directory/lists/:id/delete', { config: OWNER, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    await deleteList(req.ctx, req.params.id);
    return reply.redirect('/directory/lists', 303);
  });
  app.post('/directory/lists/:id/items/:service_id/remove', { config: OWNER, schema: { ...hidden, params: ItemParams } }, async (req, reply) =>
    act(req, reply, req.params.id, async () => {
      await removeFromList(req.ctx, req.params.id, req.params.service_id);
      return `/directory/lists/${req.params.id}`;
    }),
  );
  app.post('/directory/lists/:id/items/:service_id/move', { config: OWNER, schema: { ...hidden, params: ItemParams, body: FormPost } }, async (req, reply) =>
    act(req, reply, req.params.id, async () => {
      const { id, service_id } = req.params;
      const order = await itemIds(req.ctx.db, (await ownList(req.ctx, id)).id);
      const at = order.indexOf(service_id);
      const direction = formBody(req.body).direction;
      if (direction !== 'up' && direction !== 'down') throw badRequest([{ field: 'direction', message: 'must be one of: up, down' }]);
      const to = at + (direction === 'up' ? -1 : 1);
      if (at >= 0 && to >= 0 && to < order.length) [order[at], order[to]] = [order[to], order[at]];
      await reorderList(req.ctx, id, { service_ids: order });
      return `/directory/lists/${id}`;
    }),
  );
  app.post('/directory/lists/:id/share', { config: OWNER, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const body = formBody(req.body);
    let shared: Shared;
    try {
      shared = await shareList(req.ctx, req.params.id, { expires_in_days: expiresFrom(body) });
    } catch (err) {
      const errors = formErrors(err);
      if (!errors) throw err;
      return listPage(req, reply, req.params.id, rawValues(req.body), errors);
    }
    // The link is shown on this answer only: its token is kept nowhere to be shown again.
    return listPage(req, reply, req.params.id, {}, undefined, shared);
  });
  app.post('/directory/lists/:id/share/revoke', { config: OWNER, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    await revokeShare(req.ctx, req.params.id);
    return reply.redirect(`/directory/lists/${req.params.id}#share`, 303);
  });
  app.get('/directory/lists/:id/print', { config: OWNER, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const v = req.view();
    const list = await ownList(req.ctx, req.params.id);
    const items = await itemsOf(req.ctx.db, list.id, v);
    return reply.page(
      v.t('directory.lists.shared.title'),
      <>
        <Breadcrumbs items={[{ href: '/directory/lists', label: v.t('directory.lists.title') }, { href: `/directory/lists/${list.id}`, label: list.name }, { label: v.t('directory.lists.print') }]} />
        <SharedView v={v} items={items} />
      </>,
    );
  });
  app.get('/directory/shared/:token', { config: { access: 'public' }, schema: { ...hidden, params: Type.Object({ token: Type.String({ maxLength: 100 }) }) } }, async (req, reply) => {
    const v = req.view();
    privately(reply);
    const opened = await openShare(req.ctx.db, req.params.token);
    if (!opened) return reply.page(v.t('directory.lists.shared.unknown.title'), linkProblem(v, 'unknown'), 404);
    if (!opened.ok) return reply.page(v.t(`directory.lists.shared.${opened.why}.title`), linkProblem(v, opened.why), 410);
    return reply.page(v.t('directory.lists.shared.title'), <SharedView v={v} items={await itemsOf(req.ctx.db, opened.listId, v)} />);
  });
}
