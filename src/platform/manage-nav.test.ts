/**
 * Issue 16 item 9: the administrators' header wrapped onto three lines. Pages for managing the workspace (users,
 * audit log, jobs, the directory's review queues and imports) are gathered under one "Manage" link and a page
 * listing them; people without any of them see neither.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from './testing.ts';

const t = await testApp();
after(() => t.close());

const primary = (html: string) => [...(/<ul class="usa-nav__primary[^"]*">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '').matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);

test('an administrator finds the management pages under one Manage link, listed on /manage, in both languages', async () => {
  const admin = await t.signedIn('admin');
  const links = primary((await admin.get('/')).body);
  assert.ok(links.includes('/manage'), 'one Manage link');
  for (const gone of ['/admin/users', '/admin/audit', '/admin/jobs', '/directory/review', '/directory/imports']) assert.ok(!links.includes(gone), `${gone} is under Manage, not in the header`);
  assert.ok(links.length <= 14, `the header holds ${links.length} links (20 before)`);
  const page = await admin.get('/manage');
  assert.equal(page.statusCode, 200);
  for (const href of ['/admin/users', '/admin/audit', '/admin/jobs', '/directory/review', '/directory/imports']) assert.match(page.body, new RegExp(`<a href="${href}"`), href);
  assert.equal((page.body.match(/<h1[ >]/g) ?? []).length, 1);
  // Its heading set like every page's (USWDS prose turned it into a serif heading touching the menu).
  assert.doesNotMatch(page.body, /class="usa-prose"><h1/);
  admin.cookies.set('lang', 'es');
  const es = await admin.get('/manage');
  assert.match(es.body, /<h1>Administrar<\/h1>/);
  assert.match(es.body, />Usuarios</);
});

test('someone with no management page sees no Manage link, and /manage says there is nothing for them', async () => {
  const member = await t.signedIn('member');
  assert.ok(!primary((await member.get('/')).body).includes('/manage'));
  const page = await member.get('/manage');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /Your role opens no pages for managing the workspace\./);
  assert.doesNotMatch(page.body, /href="\/admin\//);
  assert.equal((await t.client().get('/manage')).statusCode, 302, 'the public is asked to sign in');
});
