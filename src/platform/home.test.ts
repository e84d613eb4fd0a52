/**
 * Issue 16 item 2: a home page per role. Signed-in people see what needs their action, with counts and links, and a
 * count in the header on every page; the public sees what the task force does and where to find help.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestClient } from './testing.ts';
import { catalogOf } from './web/i18n.ts';
import { seedDemo, DEMO_PASSWORD } from './seed.ts';
import { modules } from '../modules/index.ts';
import { DEMO_CASEWORKERS } from '../modules/referrals/index.ts';
import { submitUpdate } from '../modules/workplans/commands.ts';

const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000' } });
after(() => t.close());
await seedDemo(t.ctx, modules, () => {});

async function demo(email: string): Promise<TestClient> {
  const u = await t.ctx.db.selectFrom('users').select(['id', 'email']).where('email', '=', email).executeTakeFirstOrThrow();
  const c = t.client();
  // Straight to a session: the demo case workers would first be asked to set up a second factor.
  await c.startSession({ id: u.id, email, password: DEMO_PASSWORD, role: 'member', name: '', organization_id: '' } as never);
  return c;
}

test('the public home says what the task force does and where to find help, in both languages', async () => {
  const en = await t.client().get('/');
  assert.match(en.body, /<h2[^>]*>Find help<\/h2>/);
  assert.match(en.body, /href="\/directory"[^>]*>Find services near you/);
  assert.match(en.body, /<h2[^>]*>What the task force does<\/h2>/);
  assert.doesNotMatch(en.body, /Needs your action/);
  const es = await t.client().get('/', { cookie: 'lang=es' });
  assert.match(es.body, /<h2[^>]*>Encontrar ayuda<\/h2>/);
  assert.match(es.body, /<h2[^>]*>Qué hace el grupo de trabajo<\/h2>/);
});

test("a case worker's home lists the referrals waiting for an answer and unread notifications, with counts, links and a header count", async () => {
  const c = await demo(DEMO_CASEWORKERS.receiver.email);
  const home = await c.get('/');
  assert.match(home.body, /<h2[^>]*id="tasks"[^>]*>Needs your action<\/h2>/);
  const waiting = /<a href="\/referrals\?box=received&amp;status=sent">(\d+) referrals? waiting for your answer<\/a>/.exec(home.body);
  assert.ok(waiting, 'the waiting referrals are listed');
  assert.equal(Number(waiting[1]), 1, 'the demo has one sent referral waiting at the job center');
  assert.match(home.body, /class="task-count usa-tag[^"]*"[^>]*>\d+<\/span>/, 'a count in the header');
  // Each notification names its subject: which service, from and to whom (never the client).
  const inbox = await c.get('/referrals');
  assert.match(inbox.body, /<a href="\/referrals\/[0-9a-f-]{36}">New referral received: [^<]+<\/a> — from Capital Area Freedom Network to [^,<]+, Sent,/);
  const other = await c.get('/directory');
  assert.match(other.body, /href="\/#tasks"/, 'the header count on every page links to the list');
  c.cookies.set('lang', 'es');
  const es = await c.get('/');
  assert.match(es.body, /Necesita su atención/);
  assert.match(es.body, /1 derivación esperando su respuesta/);
});

test('a chair sees updates waiting for review; someone with nothing waiting is told so', async () => {
  const chair = await demo('chair@demo.taskforce.example');
  assert.match((await chair.get('/')).body, /Nothing needs your action right now\./, 'the demo has nothing to review');
  const missing = ((await t.client().get('/api/workplans/watch')).json() as { missing: { id: string; period: string }[] }).missing[0];
  await submitUpdate(t.ctx, missing.id, { period: missing.period, status: 'on_track', narrative: 'Two sessions held.' });
  const home = await chair.get('/');
  assert.match(home.body, /<a href="\/workplans\/review">1 progress update waiting for your review<\/a>/);
  assert.match(home.body, /aria-label="Needs your action: 1"/);
  const analyst = await demo('analyst@demo.taskforce.example');
  const quiet = await analyst.get('/');
  assert.match(quiet.body, /Nothing needs your action right now\./);
  assert.doesNotMatch(quiet.body, /class="task-count/);
});

test('every card on the home says what its area is for, for the public and for a case worker, in both languages', async () => {
  const cw = await demo(DEMO_CASEWORKERS.receiver.email);
  for (const [who, c] of [['public', t.client()], ['case worker', cw]] as const) {
    for (const lang of ['en', 'es']) {
      const body = (await c.get('/', { cookie: `lang=${lang}` })).body;
      const cards = body.split('<li class="usa-card').slice(1);
      assert.ok(cards.length >= 3, `${who} ${lang}: cards shown`);
      for (const card of cards) {
        const about = /<div class="usa-card__body"><p>([^<]{20,})<\/p>/.exec(card);
        assert.ok(about && !about[1].startsWith('home.'), `${who} ${lang}: a description in ${card.slice(0, 160)}`);
      }
    }
  }
  assert.match((await cw.get('/')).body, /href="\/referrals"[^>]*>Referrals<\/a><\/h2><\/div><div class="usa-card__body"><p>Send a client/);
});

test("the home cards' descriptions come from the modules: each header link a module adds carries its own, in both languages", () => {
  for (const m of modules) {
    for (const n of (m.nav ?? []).filter((x) => !x.manage)) {
      assert.ok(n.description, `${m.name}: ${n.href} has a description`);
      for (const lang of ['en', 'es'] as const) assert.ok(m.messages?.[lang][n.description], `${m.name}: ${n.description} in ${lang}`);
    }
  }
  assert.deepEqual(Object.keys(catalogOf('en')).filter((k) => k.startsWith('home.about.')), [], 'no list of module texts kept by the platform');
});
