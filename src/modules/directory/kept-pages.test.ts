/**
 * The directory's search page kept for the public (platform/web/kept-pages.ts, issue 14): an anonymous caller's page
 * is rendered once per address, language, data version and minute; a signed-in person never gets a kept page and
 * never leaves theirs for others; a write to the directory is seen by the next anonymous caller; SEARCH_CACHE_ENTRIES=0
 * keeps nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../../platform/testing.ts';
import { addDemoProviders } from './demo.ts';
import { uuidv5 } from './model.ts';
import { Dataset } from './validate.ts';
import { importDataset } from './import.ts';

let t: TestApp;
before(async () => {
  t = await testApp();
  await addDemoProviders(t.ctx);
});
after(() => t.close());

const kept = () => ({ ...t.app.keptPages.counts });
const anonymous = (url: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url, headers });

test('an anonymous page is rendered once and sent again as it was; each language and address has its own', async () => {
  const first = await anonymous('/directory');
  assert.equal(first.statusCode, 200);
  const k0 = kept();
  const again = await anonymous('/directory');
  assert.equal(again.statusCode, 200);
  assert.equal(kept().hits, k0.hits + 1, 'the second anonymous landing page is the kept one');
  assert.equal(again.body, first.body);
  assert.equal(again.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(again.headers.etag, first.headers.etag, 'the same ETag, so a browser revalidating gets 304');
  assert.equal(again.headers['cache-control'], 'public, max-age=60');
  assert.equal((await anonymous('/directory', { 'if-none-match': String(first.headers.etag) })).statusCode, 304);

  const es = await anonymous('/directory', { 'accept-language': 'es' });
  assert.match(es.body, /<html lang="es"/, 'a Spanish reader gets the Spanish page, not the kept English one');
  assert.match((await anonymous('/directory', { 'accept-language': 'es' })).body, /<html lang="es"/);
  const other = await anonymous('/directory?q=shelter');
  assert.notEqual(other.body, first.body);
  assert.match(other.body, /Search results|results/i);
  // A refused input is answered as before, and not kept.
  for (let i = 0; i < 2; i++) assert.equal((await anonymous('/directory?radius=7')).statusCode, 400);
});

test('a signed-in person never gets a kept page, and their page is never kept for others', async () => {
  // An anonymous caller leaves a kept page; the signed-in person asking the same address gets their own.
  await anonymous('/directory?q=job');
  const member = await t.signedIn('member');
  const me = await t.user('member');
  const hits = kept().hits;
  const theirs = await member.get('/directory?q=job');
  assert.equal(theirs.statusCode, 200);
  assert.equal(kept().hits, hits, 'not answered from the kept pages');
  assert.match(theirs.body, new RegExp(`\\(${me.name}\\)`), 'names the person');
  assert.match(theirs.body, /name="_csrf" value="[^"]+"/, 'their sign-out form has their token');
  assert.equal(theirs.headers['cache-control'], 'no-store');

  // A signed-in person's page first, at an address nobody asked for before: the anonymous caller after them gets a
  // page without their name or token.
  const url = '/directory?q=food';
  const signedInPage = await member.get(url);
  assert.match(signedInPage.body, /name="_csrf"/);
  for (let i = 0; i < 2; i++) {
    const anon = await anonymous(url);
    assert.equal(anon.statusCode, 200);
    assert.doesNotMatch(anon.body, /name="_csrf"/);
    assert.doesNotMatch(anon.body, new RegExp(me.name));
    assert.match(anon.body, /href="\/login\?next=/, 'offers to sign in');
  }
  // And the person still gets their own after the anonymous page was kept.
  const after = await member.get(url);
  assert.match(after.body, new RegExp(`\\(${me.name}\\)`));
});

test('a write to the directory is on the next anonymous page', async () => {
  const url = '/directory?q=platypus';
  for (let i = 0; i < 2; i++) assert.doesNotMatch((await anonymous(url)).body, /Platypus Pantry/);
  const ds = new Dataset();
  const o = { file: 'more.json', row: 1 };
  ds.add('organization', { id: uuidv5('kept:org'), name: 'Platypus Friends', description: 'Food.' }, o);
  ds.add('service', { id: uuidv5('kept:svc'), organization_id: uuidv5('kept:org'), name: 'Platypus Pantry', description: 'Platypus food pantry.', status: 'active' }, o);
  await importDataset(t.ctx, ds, 'hsds-3.0-json');
  assert.match((await anonymous(url)).body, /Platypus Pantry/);
});

test('SEARCH_CACHE_ENTRIES=0 keeps no page', async () => {
  const off = await testApp({ env: { SEARCH_CACHE_ENTRIES: '0' } });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await off.app.inject({ method: 'GET', url: '/directory' })).statusCode, 200);
    assert.equal(off.app.keptPages.counts.hits, 0);
    assert.equal(off.app.keptPages.size('directory-search'), 0);
  } finally {
    await off.close();
  }
});
