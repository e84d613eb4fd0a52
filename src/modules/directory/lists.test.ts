/**
 * Saved lists (issue 13 item 7): a signed-in person keeps services in named lists, prints them and shares them by
 * a link that shows the services and nothing else. Every write of lists-commands.ts is refused to the public (401),
 * to a token without the scope (403) and to anyone but the list's owner (404: a list of someone else's does not
 * exist for them), changing nothing; bad input is named by field in both languages; the shared page shows no note,
 * no owner and no confidential address, and a revoked or expired link answers 410 with a page that says so.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, ctxAs, snapshotTables, csrfFrom, type TestApp, type TestClient } from '../../platform/testing.ts';
import { createToken, loadActor } from '../../platform/auth/index.ts';
import { ROLES } from '../../platform/auth/roles.ts';
import type { Ctx } from '../../platform/context.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { addDemoProviders } from './demo.ts';
import { uuidv5 } from './model.ts';
import { LISTS } from './permissions.ts';
import { LIST_TABLES } from './lists.ts';
import * as commands from './lists-commands.ts';

const SHELTER = uuidv5('demo:svc:shelter');
const JOBS = uuidv5('demo:svc:jobs');
const CASE = uuidv5('demo:svc:case');
const MISSING = uuidv5('lists:nothing-here');
const NOTE = 'Private note: call back Tuesday';

type Command = (ctx: Ctx, ...args: never[]) => Promise<unknown>;

let t: TestApp;
let owner: Ctx;
let listId: string;

const tables = () => snapshotTables(t.ctx, [...LIST_TABLES, 'audit_events']);

/** Arguments that would succeed for the owner, so that only the policy can refuse. */
const realArgs: Record<string, () => unknown[]> = {
  createList: () => [{ name: 'Someone else' }],
  updateList: () => [listId, { name: 'Renamed' }],
  deleteList: () => [listId],
  addToList: () => [listId, { service_id: CASE }],
  removeFromList: () => [listId, JOBS],
  reorderList: () => [listId, { service_ids: [SHELTER, JOBS] }],
  shareList: () => [listId, {}],
  revokeShare: () => [listId],
};

async function refused(name: string, ctx: Ctx, status: number): Promise<void> {
  const before = await tables();
  const run = (commands as unknown as Record<string, Command>)[name];
  await assert.rejects(run(ctx, ...((realArgs[name]?.() ?? [MISSING, {}]) as never[])), (err: unknown) => {
    assert.ok(err instanceof HttpError, `${name}: ${String(err)}`);
    assert.equal(err.status, status, `${name}: ${err.status} ${err.detail ?? ''}`);
    return true;
  });
  assert.equal(await tables(), before, `${name} changed nothing`);
}

const commandNames = () => Object.entries(commands).filter(([, x]) => typeof x === 'function').map(([name]) => name);

async function tokenOf(role: (typeof ROLES)[number], scopes: string[]): Promise<string> {
  const u = await t.user(role);
  const ctx: Ctx = { ...t.ctx, actor: (await loadActor(t.ctx.db, u.id, 'session'))! };
  return (await createToken(ctx, { name: `lists ${scopes.join(' ')}`, scopes })).token;
}

function api(token: string, method: string, url: string, body?: unknown, lang = 'en') {
  return t.app.inject({
    method: method as 'POST',
    url,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'accept-language': lang, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A form post from a page: the page's CSRF token, then the post. */
async function post(c: TestClient, page: string, url: string, form: Record<string, string>) {
  c.csrf = csrfFrom((await c.get(page)).body);
  return c.request('POST', url, { form });
}

before(async () => {
  t = await testApp();
  await addDemoProviders(t.ctx);
  owner = await ctxAs(t.ctx, await t.user('caseworker'));
  listId = (await commands.createList(owner, { name: 'Housing in DC', note: NOTE })).id;
  await commands.addToList(owner, listId, { service_id: JOBS });
  await commands.addToList(owner, listId, { service_id: SHELTER });
});

after(async () => {
  await t.close();
});

test('lists-commands.ts holds every write of saved lists', () => {
  assert.deepEqual(commandNames().sort(), Object.keys(realArgs).sort());
});

test('every list command refuses the public (401), a token without the scope (403) and anyone but the owner (404), changing nothing', async () => {
  const anonymous: Ctx = { ...t.ctx, system: undefined, actor: null };
  const member = await t.user('member');
  const scopeless: Ctx = { ...t.ctx, system: undefined, actor: (await loadActor(t.ctx.db, member.id, 'token', []))! };
  for (const name of commandNames()) {
    await refused(name, anonymous, 401);
    await refused(name, scopeless, 403);
  }
  // Every other role, administrators included: another person's list is not theirs to read or change.
  for (const role of ROLES.filter((r) => r !== 'caseworker')) {
    const other = await ctxAs(t.ctx, await t.user(role));
    for (const name of commandNames().filter((n) => n !== 'createList')) await refused(name, other, 404);
  }
});

test('each role keeps its own lists through the API; nobody reads another person\'s list; the scope is checked', async () => {
  for (const role of ROLES) {
    const token = await tokenOf(role, [LISTS]);
    const made = await api(token, 'POST', '/api/directory/lists', { name: `${role} list` });
    assert.equal(made.statusCode, 201, `${role}: ${made.body}`);
    const mine = made.json() as { id: string };
    assert.equal((await api(token, 'GET', `/api/directory/lists/${mine.id}`)).statusCode, 200);
    const own = (await api(token, 'GET', '/api/directory/lists')).json() as { items: { id: string }[] };
    const expected = role === 'caseworker' ? [mine.id, listId] : [mine.id];
    assert.deepEqual(own.items.map((l) => l.id).sort(), expected.sort(), `${role} sees only their own lists`);
    if (role !== 'caseworker') {
      assert.equal((await api(token, 'GET', `/api/directory/lists/${listId}`)).statusCode, 404, `${role} reads the case worker's list`);
      assert.equal((await api(token, 'POST', `/api/directory/lists/${listId}/items`, { service_id: CASE })).statusCode, 404);
    }
    assert.equal((await api(token, 'DELETE', `/api/directory/lists/${mine.id}`)).statusCode, 204);
  }
  const readOnly = await tokenOf('caseworker', ['contacts.read']);
  assert.equal((await api(readOnly, 'GET', '/api/directory/lists')).statusCode, 403);
  assert.equal((await api(readOnly, 'POST', '/api/directory/lists', { name: 'x' })).statusCode, 403);
  assert.equal((await t.client().get('/api/directory/lists')).statusCode, 401);
  assert.equal((await t.client().get('/directory/lists')).statusCode, 302, 'the page sends the public to sign in');
});

test('bad input is named by field, in English and Spanish, on the API and the forms, and changes nothing', async () => {
  const token = await tokenOf('caseworker', [LISTS]);
  const before = await tables();
  const cases: [string, string, unknown, string, RegExp][] = [
    ['POST', '/api/directory/lists', { name: '' }, 'name', /is required/],
    ['POST', '/api/directory/lists', { name: 'x'.repeat(101) }, 'name', /at most 100/],
    ['POST', '/api/directory/lists', { name: '   ' }, 'name', /is required/],
    ['POST', `/api/directory/lists/${listId}/items`, { service_id: MISSING }, 'service_id', /not a service in the directory/],
    ['POST', `/api/directory/lists/${listId}/items`, { service_id: JOBS }, 'service_id', /already in this list/],
    ['PUT', `/api/directory/lists/${listId}/order`, { service_ids: [JOBS] }, 'service_ids', /every service of the list once/],
    ['POST', `/api/directory/lists/${listId}/share`, { expires_in_days: 0 }, 'expires_in_days', /at least 1/],
  ];
  for (const [method, url, body, field, message] of cases) {
    const res = await api(token, method, url, body);
    assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(body)}: ${res.body}`);
    const problem = res.json() as { errors: { field: string; message: string }[] };
    assert.ok(problem.errors.some((e) => e.field === field && message.test(e.message)), `${field}: ${res.body}`);
  }
  // The forms, in both languages: the problem beside its field, the input kept.
  const c = await t.signedIn('caseworker');
  for (const [lang, required, long] of [['en', /is required/, /must be at most 100 characters/], ['es', /es obligatorio/, /debe tener como máximo 100 caracteres/]] as const) {
    c.cookies.set('lang', lang);
    let res = await post(c, '/directory/lists', '/directory/lists', { name: '' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /href="#field-name"/);
    assert.match(res.body, required);
    res = await post(c, '/directory/lists', '/directory/lists', { name: 'y'.repeat(101), note: 'kept' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, long);
    assert.match(res.body, />kept</);
    res = await post(c, `/directory/services/${JOBS}`, '/directory/lists/save', { service_id: JOBS, list_id: listId });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, lang === 'es' ? /ya está en esta lista/ : /is already in this list/);
    res = await post(c, `/directory/services/${JOBS}`, '/directory/lists/save', { service_id: JOBS, list_id: 'new', new_name: '' });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, lang === 'es' ? /Nombre de la lista nueva: es obligatorio/ : /Name of the new list: is required/);
  }
  // Another person's list, by the form: not found, not changed.
  const member = await t.signedIn('member');
  const res = await post(member, `/directory/services/${CASE}`, '/directory/lists/save', { service_id: CASE, list_id: listId });
  assert.equal(res.statusCode, 404);
  assert.equal((await member.get(`/directory/lists/${listId}`)).statusCode, 404);
  assert.equal(await tables(), before);
});

test('the walkthrough by the forms: save from the service page into a new list, reorder, remove, share, print, revoke', async () => {
  const c = await t.signedIn('member');
  assert.match((await c.get('/directory')).body, /<a href="\/directory\/lists">My lists<\/a>/, 'the search page leads a signed-in person to their lists');
  assert.doesNotMatch((await t.client().get('/directory')).body, /href="\/directory\/lists"/, 'but not the public');
  const service = await c.get(`/directory/services/${CASE}`);
  assert.match(service.body, /action="\/directory\/lists\/save"/, 'the service page offers the Save to list form');
  let res = await post(c, `/directory/services/${CASE}`, '/directory/lists/save', { service_id: CASE, list_id: 'new', new_name: 'For the Tuesday meeting' });
  assert.equal(res.statusCode, 303);
  const page = String(res.headers.location);
  const id = /\/directory\/lists\/([0-9a-f-]{36})/.exec(page)![1];
  for (const s of [JOBS, SHELTER]) assert.equal((await post(c, `/directory/services/${s}`, '/directory/lists/save', { service_id: s, list_id: id })).statusCode, 303);
  const order = async () => [...(await c.get(`/directory/lists/${id}`)).body.matchAll(/data-service="([0-9a-f-]{36})"/g)].map((m) => m[1]);
  assert.deepEqual(await order(), [CASE, JOBS, SHELTER]);
  assert.equal((await post(c, `/directory/lists/${id}`, `/directory/lists/${id}/items/${SHELTER}/move`, { direction: 'up' })).statusCode, 303);
  assert.deepEqual(await order(), [CASE, SHELTER, JOBS]);
  const sideways = await post(c, `/directory/lists/${id}`, `/directory/lists/${id}/items/${JOBS}/move`, { direction: 'sideways' });
  assert.equal(sideways.statusCode, 400);
  assert.match(sideways.body, /Order: must be one of: up, down/);
  assert.deepEqual(await order(), [CASE, SHELTER, JOBS]);
  assert.equal((await post(c, `/directory/lists/${id}`, `/directory/lists/${id}/items/${CASE}/remove`, {})).statusCode, 303);
  assert.deepEqual(await order(), [SHELTER, JOBS]);
  res = await post(c, `/directory/lists/${id}`, `/directory/lists/${id}`, { name: 'Tuesday', note: NOTE });
  assert.equal(res.statusCode, 303);
  assert.match((await c.get('/directory/lists')).body, /Tuesday/);
  // The print view: the services, not the note.
  const print = await c.get(`/directory/lists/${id}/print`);
  assert.equal(print.statusCode, 200);
  assert.match(print.body, /Safe Haven Emergency Shelter/);
  assert.doesNotMatch(print.body, /call back Tuesday/);
  // The share link is shown once, on the answer to the post.
  res = await post(c, `/directory/lists/${id}`, `/directory/lists/${id}/share`, { expires_in_days: '30' });
  assert.equal(res.statusCode, 200);
  const link = /\/directory\/shared\/([A-Za-z0-9_-]{30,})/.exec(res.body)![0];
  assert.doesNotMatch((await c.get(`/directory/lists/${id}`)).body, new RegExp(link), 'the token is not kept to be shown again');
  const shared = await t.client().get(link);
  assert.equal(shared.statusCode, 200);
  assert.match(shared.body, /Pathways to Work for Survivors/);
  assert.equal(await post(c, `/directory/lists/${id}`, `/directory/lists/${id}/share/revoke`, {}).then((r) => r.statusCode), 303);
  const gone = await t.client().get(link);
  assert.equal(gone.statusCode, 410);
  assert.match(gone.body, /This link was turned off/);
  assert.equal((await post(c, '/directory/lists', `/directory/lists/${id}/delete`, {})).statusCode, 303);
  assert.equal((await c.get(`/directory/lists/${id}`)).statusCode, 404);
  assert.equal((await t.client().get(link)).statusCode, 404, 'the link of a deleted list leads nowhere');
});

test('the shared page: the services\' public details in the reader\'s language, no note, no owner, no confidential address, not indexed; an expired link answers 410', async () => {
  const token = await tokenOf('caseworker', [LISTS]);
  const res = await api(token, 'POST', `/api/directory/lists/${listId}/share`, { expires_in_days: 7 });
  assert.equal(res.statusCode, 201, res.body);
  const { url, expires_at } = res.json() as { url: string; expires_at: string };
  assert.ok(Date.parse(expires_at) > Date.now() + 6 * 86400_000);
  const path = new URL(url).pathname;
  const anon = t.client();
  const page = await anon.get(path);
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['x-robots-tag']), /noindex/);
  assert.match(String(page.headers['cache-control']), /no-store/);
  assert.match(String(page.headers['referrer-policy']), /no-referrer/);
  assert.match(page.body, /Pathways to Work for Survivors/);
  assert.match(page.body, /Safe Haven Emergency Shelter/);
  assert.match(page.body, /\(202\) 555-0100/, 'the organisation\'s phone');
  assert.match(page.body, /1100 Vermont Ave NW/, 'a public address');
  assert.match(page.body, /Leave this site/);
  for (const secret of [/Hidden Lane/, /20010/, /555-0199/, /38\.93/, /call back Tuesday/, /Housing in DC/, /caseworker-\d+@test/, /Test caseworker/]) assert.doesNotMatch(page.body, secret);
  const es = await anon.get(path, { 'accept-language': 'es' });
  assert.match(es.body, /lang="es"/);
  assert.match(es.body, /Servicios guardados para usted/);
  // Languages a service speaks are named in the reader's language, on the shared page and the service's own page.
  const spoken = (body: string) => [...body.matchAll(/>(?:Idiomas|Languages)<\/dt>\s*<dd[^>]*>([^<]*)</g)].map((m) => m[1]);
  assert.deepEqual(spoken(es.body).sort(), ['español e inglés', 'inglés']);
  assert.deepEqual(spoken((await anon.get(`/directory/services/${JOBS}`, { 'accept-language': 'es' })).body), ['español e inglés']);
  assert.deepEqual(spoken((await anon.get(`/directory/services/${JOBS}`)).body), ['Spanish and English'], 'in English as the publisher names them');
  // A fact the publisher left empty is left out, as on the service page and the cards: no "—" for a survivor to puzzle over.
  await t.ctx.db.deleteFrom('directory_schedule').where('service_id', '=', JOBS).execute();
  for (const lang of ['en', 'es']) {
    const bare = /<main[^]*<\/main>/.exec((await anon.get(path, { 'accept-language': lang })).body)![0];
    assert.doesNotMatch(bare, />\s*—\s*</, `${lang}: no dash for the hours left empty`);
    assert.equal([...bare.matchAll(/>(?:Hours|Horario)<\/dt>/g)].length, 1, `${lang}: the shelter's hours only`);
  }
  // The API's public answer says the same.
  const json = (await t.client().get(`/api${path}`)).json() as { services: { name: string; address: string | null }[] };
  assert.equal(json.services.length, 2);
  assert.equal(json.services.find((s) => s.name.startsWith('Safe Haven'))!.address, null);
  assert.doesNotMatch(JSON.stringify(json), /Hidden Lane|call back|Housing in DC/);
  // Expired: the link is known, its time is over.
  await t.ctx.db.updateTable('directory_list_share').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('list_id', '=', listId).execute();
  const expired = await anon.get(path);
  assert.equal(expired.statusCode, 410);
  assert.match(expired.body, /This link has expired/);
  assert.equal((await anon.get('/directory/shared/not-a-real-token-at-all-xxxxxxxxxx')).statusCode, 404);
  // Revoking by the API, and the audit trail of the owner's commands holds no token.
  assert.equal((await api(token, 'DELETE', `/api/directory/lists/${listId}/share`)).statusCode, 204);
  const audit = await t.ctx.db.selectFrom('audit_events').select(['action', 'summary']).where('entity_id', '=', listId).execute();
  assert.ok(audit.some((a) => a.action === 'directory.list.share'));
  assert.ok(audit.some((a) => a.action === 'directory.list.unshare'));
  assert.doesNotMatch(JSON.stringify(audit), new RegExp(path.split('/').pop()!));
  assert.doesNotMatch(JSON.stringify(audit), /call back Tuesday|Housing in DC/, 'no note or name in the audit log');
});

test('the API walkthrough: create, add, reorder, read, rename, remove, delete', async () => {
  const token = await tokenOf('analyst', [LISTS]);
  const made = (await api(token, 'POST', '/api/directory/lists', { name: 'Legal', note: 'mine' })).json() as { id: string };
  for (const s of [CASE, JOBS]) assert.equal((await api(token, 'POST', `/api/directory/lists/${made.id}/items`, { service_id: s })).statusCode, 201);
  const reordered = await api(token, 'PUT', `/api/directory/lists/${made.id}/order`, { service_ids: [JOBS, CASE] });
  assert.equal(reordered.statusCode, 200, reordered.body);
  let list = (await api(token, 'GET', `/api/directory/lists/${made.id}`)).json() as { name: string; note: string; items: { service_id: string; name: string }[] };
  assert.deepEqual(list.items.map((i) => i.service_id), [JOBS, CASE]);
  assert.equal(list.note, 'mine');
  assert.equal((await api(token, 'PUT', `/api/directory/lists/${made.id}`, { name: 'Legal aid' })).statusCode, 200);
  assert.equal((await api(token, 'DELETE', `/api/directory/lists/${made.id}/items/${JOBS}`)).statusCode, 200);
  list = (await api(token, 'GET', `/api/directory/lists/${made.id}`)).json() as typeof list;
  assert.equal(list.name, 'Legal aid');
  assert.deepEqual(list.items.map((i) => i.service_id), [CASE]);
  assert.equal((await api(token, 'DELETE', `/api/directory/lists/${made.id}`)).statusCode, 204);
  assert.equal((await api(token, 'GET', `/api/directory/lists/${made.id}`)).statusCode, 404);
  const doc = (await t.client().get('/api/openapi.json')).json() as { paths: Record<string, Record<string, { tags?: string[]; summary?: string }>> };
  for (const p of ['/api/directory/lists', '/api/directory/lists/{id}', '/api/directory/lists/{id}/items', '/api/directory/lists/{id}/order', '/api/directory/lists/{id}/share', '/api/directory/shared/{token}']) {
    assert.ok(doc.paths[p], p);
    for (const op of Object.values(doc.paths[p])) assert.ok(op.tags?.includes('Directory') && op.summary, p);
  }
});
