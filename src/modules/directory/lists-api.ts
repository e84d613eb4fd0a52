/**
 * Saved lists in the API (issue 13 item 7): the owner's lists under /api/directory/lists (permission and token scope
 * `directory.lists`; another person's list is 404), and the public answer of a shared link.
 */
import { Type } from '@sinclair/typebox';
import type { App } from '../../platform/module.ts';
import type { Ctx } from '../../platform/context.ts';
import type { View } from '../../platform/web/view.ts';
import { HttpError, notFound } from '../../platform/http/errors.ts';
import { IdParams, Nullable, ProblemRef, secured, writeErrors } from '../../platform/http/schemas.ts';
import { LISTS } from './permissions.ts';
import { ItemBody, ListBody, OrderBody, ShareBody, itemsOf, listDetail, myLists, openShare, publicService, type ListSummary } from './lists.ts';
import { addToList, createList, deleteList, removeFromList, reorderList, revokeShare, shareList, updateList } from './lists-commands.ts';

const TAGS = ['Directory'];
const OWNER = { access: { permission: LISTS } } as const;
const readErrors = { 400: ProblemRef, 401: ProblemRef, 403: ProblemRef, 404: ProblemRef };

const Summary = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  note: Nullable(Type.String({ description: "The owner's reminder; never printed or shared." })),
  items: Type.Integer({ description: 'Services in the list.' }),
  shared: Nullable(Type.Object({ created_at: Type.String({ format: 'date-time' }), expires_at: Nullable(Type.String({ format: 'date-time' })) }, { description: 'The working link, if any (its address was shown once, when made).' })),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
const PublicService = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  organization: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  address: Nullable(Type.String({ description: 'Null for a confidential location: never shown here.' })),
  confidential_location: Type.Boolean(),
  hours: Type.Array(Type.String()),
  languages: Type.Array(Type.String()),
  website: Nullable(Type.String()),
});
const Detail = Type.Composite([Type.Omit(Summary, ['items']), Type.Object({ items: Type.Array(Type.Object({ service_id: Type.String({ format: 'uuid' }), name: Nullable(Type.String({ description: 'Null when the service has left the directory.' })), service: Nullable(PublicService) })) })]);
const SharedOut = Type.Object({ url: Type.String({ description: 'The link to hand on; shown in this answer only.' }), expires_at: Nullable(Type.String({ format: 'date-time' })) });
const TokenParams = Type.Object({ token: Type.String({ maxLength: 100 }) });

async function detail(ctx: Ctx, id: string, v: View) {
  const s: ListSummary = await listDetail(ctx, id);
  const items = await itemsOf(ctx.db, id, v);
  return { ...s, items: items.map((i) => ({ service_id: i.service_id, name: i.card?.name ?? null, service: i.card ? publicService(i.card) : null })) };
}

export function listsApi(app: App): void {
  app.get('/api/directory/lists', { config: OWNER, schema: { tags: TAGS, summary: 'My saved lists of services', security: secured, response: { 200: Type.Object({ items: Type.Array(Summary) }), 401: ProblemRef, 403: ProblemRef } } }, async (req) => ({ items: await myLists(req.ctx) }));
  app.post('/api/directory/lists', { config: OWNER, schema: { tags: TAGS, summary: "Make a saved list (a name for what it is for, never a survivor's name)", security: secured, body: ListBody, response: { 201: Summary, ...writeErrors } } }, async (req, reply) => reply.code(201).send(await createList(req.ctx, req.body)));
  app.get('/api/directory/lists/:id', { config: OWNER, schema: { tags: TAGS, summary: 'One of my saved lists with its services in order', security: secured, params: IdParams, response: { 200: Detail, ...readErrors } } }, async (req) => {
    return detail(req.ctx, req.params.id, req.view());
  });
  app.put('/api/directory/lists/:id', { config: OWNER, schema: { tags: TAGS, summary: 'Rename a saved list or change its note', security: secured, params: IdParams, body: ListBody, response: { 200: Summary, ...writeErrors } } }, async (req) => updateList(req.ctx, req.params.id, req.body));
  app.delete('/api/directory/lists/:id', { config: OWNER, schema: { tags: TAGS, summary: 'Delete a saved list (its link stops working)', security: secured, params: IdParams, response: { 204: Type.Null(), ...writeErrors } } }, async (req, reply) => {
    await deleteList(req.ctx, req.params.id);
    return reply.code(204).send(null);
  });
  app.post('/api/directory/lists/:id/items', { config: OWNER, schema: { tags: TAGS, summary: 'Add a service at the end of a saved list', security: secured, params: IdParams, body: ItemBody, response: { 201: Summary, ...writeErrors } } }, async (req, reply) => reply.code(201).send(await addToList(req.ctx, req.params.id, req.body)));
  app.delete('/api/directory/lists/:id/items/:service_id', { config: OWNER, schema: { tags: TAGS, summary: 'Take a service out of a saved list', security: secured, params: Type.Object({ id: Type.String({ format: 'uuid' }), service_id: Type.String({ format: 'uuid' }) }), response: { 200: Summary, ...writeErrors } } }, async (req) => removeFromList(req.ctx, req.params.id, req.params.service_id));
  app.put('/api/directory/lists/:id/order', { config: OWNER, schema: { tags: TAGS, summary: 'Put the services of a saved list in a new order', security: secured, params: IdParams, body: OrderBody, response: { 200: Summary, ...writeErrors } } }, async (req) => reorderList(req.ctx, req.params.id, req.body));
  app.post('/api/directory/lists/:id/share', { config: OWNER, schema: { tags: TAGS, summary: 'Make the link that shows the services of a saved list (replaces the working one)', security: secured, params: IdParams, body: Type.Optional(ShareBody), response: { 201: SharedOut, ...writeErrors } } }, async (req, reply) => {
    const s = await shareList(req.ctx, req.params.id, req.body ?? {});
    return reply.code(201).header('cache-control', 'no-store').send({ url: new URL(s.path, req.ctx.config.publicUrl).toString(), expires_at: s.expires_at });
  });
  app.delete('/api/directory/lists/:id/share', { config: OWNER, schema: { tags: TAGS, summary: "Turn a saved list's link off", security: secured, params: IdParams, response: { 204: Type.Null(), ...writeErrors } } }, async (req, reply) => {
    await revokeShare(req.ctx, req.params.id);
    return reply.code(204).send(null);
  });
  app.get('/api/directory/shared/:token', { config: { access: 'public' }, schema: { tags: TAGS, summary: "The services of a shared list (public details only: no list name, note or owner; a confidential location's address never)", params: TokenParams, response: { 200: Type.Object({ services: Type.Array(PublicService) }), 404: ProblemRef, 410: ProblemRef } } }, async (req, reply) => {
    const opened = await openShare(req.ctx.db, req.params.token);
    reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex, nofollow');
    if (!opened) throw notFound('No such link.');
    if (!opened.ok) throw new HttpError(410, 'Gone', opened.why === 'revoked' ? 'This link was turned off.' : 'This link has expired.');
    const v = req.view();
    const items = await itemsOf(req.ctx.db, opened.listId, v);
    return { services: items.flatMap((i) => (i.card ? [publicService(i.card)] : [])) };
  });
}
