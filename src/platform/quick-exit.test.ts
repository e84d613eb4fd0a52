/**
 * Issue 16 items 8 and 9: a "Leave this site" control on every page with the hotline beside it; the rate limit counts
 * pages and API calls, not stylesheets and images; a styled, translated 429 page; a favicon.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from './testing.ts';

const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '8' } });
after(() => t.close());

test('every page carries a quick exit that leaves for a neutral site, and the hotline, in both languages', async () => {
  for (const path of ['/', '/login', '/directory']) {
    const res = await t.client().get(path);
    assert.equal(res.statusCode, 200, path);
    assert.match(res.body, /<a [^>]*class="quick-exit__link[^"]*"[^>]*href="https:\/\/www\.weather\.gov\/"[^>]*>Leave this site/, path);
    assert.match(res.body, /rel="noreferrer"/);
    assert.match(res.body, /class="quick-exit"[\s\S]*href="tel:\+18883737888"/, `${path}: the hotline stays in the bar`);
  }
  const es = await t.client().get('/', { cookie: 'lang=es' });
  assert.match(es.body, /Salir de este sitio/);
  assert.match(es.body, /<link rel="icon" href="\/assets\/favicon\.svg"/);
  const icon = await t.client().get('/favicon.ico');
  assert.equal(icon.statusCode, 301);
  assert.equal(icon.headers.location, '/assets/favicon.svg');
  const svg = await t.client().get('/assets/favicon.svg');
  assert.equal(svg.statusCode, 200);
  assert.match(String(svg.headers['content-type']), /image\/svg\+xml/);
});

test('stylesheets, scripts and images do not count against the rate limit; pages do, and the 429 page is styled and translated', async () => {
  const c = t.client();
  const headers = { 'x-forwarded-for': '203.0.113.9' };
  for (let i = 0; i < 20; i++) {
    for (const a of ['/assets/app.css', '/assets/app.js', '/assets/uswds/css/uswds.min.css']) assert.equal((await c.get(a, headers)).statusCode, 200, a);
  }
  let limited = null;
  for (let i = 0; i < 12 && !limited; i++) {
    const res = await c.get('/', { ...headers, cookie: 'lang=es' });
    if (res.statusCode === 429) limited = res;
    else assert.equal(res.statusCode, 200, `page ${i + 1} answered within the limit`);
  }
  assert.ok(limited, 'the ninth page is refused');
  assert.match(String(limited.headers['content-type']), /text\/html/);
  assert.ok(limited.headers['retry-after'], 'says when to come back');
  assert.match(limited.body, /<link rel="stylesheet" href="\/assets\/app\.css"/, 'styled with the site layout');
  assert.match(limited.body, /Demasiadas solicitudes/);
  assert.match(limited.body, /Salir de este sitio/);
});

test('the API reference shows code as code, not literal backticks (issue 16 item 9)', async () => {
  const c = t.client();
  c.address = '198.51.100.7'; // this file's low rate limit is spent from the default address
  const docs = await c.get('/api/docs');
  assert.equal(docs.statusCode, 200);
  const doc = (await c.get('/api/openapi.json')).json() as { paths: Record<string, Record<string, { description?: string; summary?: string }>> };
  const withTicks = Object.values(doc.paths).flatMap((ops) => Object.values(ops)).filter((op) => /`[^`]+`/.test(`${op.summary ?? ''} ${op.description ?? ''}`));
  assert.ok(withTicks.length > 0, 'some descriptions quote code between backticks');
  const text = docs.body.replace(/<pre[\s\S]*?<\/pre>/g, '').replace(/<code>[\s\S]*?<\/code>/g, '');
  assert.doesNotMatch(text, /`/, 'no backtick is shown outside code');
});
