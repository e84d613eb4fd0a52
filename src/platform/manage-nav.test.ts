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

/** Every link in the header's primary navigation, the "More" submenu's included. */
const primary = (html: string) => [...(/<ul class="usa-nav__primary[^"]*">([\s\S]*?)<div class="usa-nav__secondary/.exec(html)?.[1] ?? '').matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
/** The links on the header's first level, outside the "More" submenu. */
const topLevel = (html: string) => {
  const nav = /<ul class="usa-nav__primary[^"]*">([\s\S]*?)<div class="usa-nav__secondary/.exec(html)?.[1] ?? '';
  return [...nav.replace(/<ul id="nav-more"[\s\S]*?<\/ul>/g, '').matchAll(/<a href="([^"]+)"/g)].map((m) => m[1]);
};

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

test('issue 16 item 9: the header keeps a few links on its first level and gathers the rest under a USWDS More submenu', async () => {
  const admin = await t.signedIn('admin');
  const home = (await admin.get('/')).body;
  const all = primary(home);
  const top = topLevel(home);
  assert.ok(top.length <= 7, `the first level holds ${top.length} links (14 wrapped onto three lines at 1,280 px)`);
  assert.ok(top.includes('/') && top.includes('/manage'), 'Home and Manage stay on the first level');
  assert.ok(all.length >= 12, 'every link is still in the header');
  const more = /<button type="button" class="usa-accordion__button usa-nav__link nav-more__button[^"]*" aria-expanded="false" aria-controls="nav-more"><span>([^<]+)<\/span><\/button><ul id="nav-more" class="usa-nav__submenu nav-more__list" hidden>/.exec(home);
  assert.ok(more, 'a USWDS nav submenu: a button controlling a hidden list');
  assert.equal(more[1], 'More');
  // Without JavaScript, nav.css opens it on hover and focus (Tab from the button) and lists it in the narrow menu.
  const css = (await admin.get('/assets/nav.css')).body;
  assert.match(css, /\.no-js \.nav-more:focus-within > \.nav-more__list/);
  assert.match(home, /<link rel="stylesheet" href="\/assets\/nav.css"/);
  // The page one is on, when it sits under More, is marked there and on the summary.
  const inside = all.find((href) => !top.includes(href))!;
  const there = (await admin.get(inside)).body;
  assert.match(there, new RegExp(`<a href="${inside}"[^>]*aria-current="page"`));
  assert.match(there, /<button type="button" class="[^"]*nav-more__button usa-current"/);
  admin.cookies.set('lang', 'es');
  assert.match((await admin.get('/')).body, /aria-controls="nav-more"><span>Más<\/span><\/button>/);
  const member = await t.signedIn('member');
  assert.ok(topLevel((await member.get('/')).body).length <= 7);
});
