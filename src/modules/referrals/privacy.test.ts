import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { testDatabase, testMailServer, TestClient } from '../../platform/testing.ts';
import { systemCtx } from '../../platform/context.ts';
import { closeMail } from '../../platform/mail/index.ts';
import { CLIENT, json, referralBody, setUpOrganisations } from './testkit.ts';
import { purgeClosed, runReminders } from './commands.ts';

const SECRETS = [CLIENT.name, CLIENT.phone, CLIENT.email, CLIENT.safe_contact, 'Quixotic', '555-0147'];
const NOTE = 'Sensitive note: staying at the Maple Street motel';

function assertAbsent(where: string, text: string) {
  for (const s of [...SECRETS, NOTE, 'Maple Street']) assert.ok(!text.includes(s), `${where} holds "${s}"`);
}

test('the client name, contact details and notes appear nowhere in plaintext: database, logs, e-mails, audit, statistics', async () => {
  const mail = await testMailServer();
  const db = await testDatabase({ SMTP_URL: mail.url, RATE_LIMIT_PER_MINUTE: '100000' });
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const { buildApp } = await import('../../app.tsx');
  const app = await buildApp({ config: db.config, database: db.handle, logger: { level: 'trace', stream } });
  await app.ready();
  const ctx = systemCtx(db.handle, db.config, 'test');
  const out: string[] = [];
  const origWrite = process.stdout.write.bind(process.stdout);
  // The mail module and the commands write progress lines to standard output: capture them too.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    out.push(String(chunk));
    return origWrite(chunk as string, ...(rest as []));
  }) as typeof process.stdout.write;
  try {
    const users = await setUpOrganisations({ app, db, ctx } as never);
    const sign = async (u: typeof users.sender) => {
      const c = new TestClient(app, ctx);
      await c.signIn(u);
      return c;
    };
    const sender = await sign(users.sender);
    const receiver = await sign(users.receiver);
    const r = await json(sender, 'POST', '/api/referrals', referralBody({ note: NOTE }), 201);
    await json(receiver, 'GET', `/api/referrals/${r.id}/client`);
    let v = (await json(receiver, 'POST', `/api/referrals/${r.id}/transitions`, { action: 'accept', version: 1, note: NOTE })).version;
    await json(sender, 'GET', `/api/referrals/${r.id}/client`);
    const page = await receiver.get(`/referrals/${r.id}/client`);
    assert.ok(page.body.includes(CLIENT.name), 'the page shows the details to the receiver');
    v = (await json(receiver, 'POST', `/api/referrals/${r.id}/transitions`, { action: 'complete', version: v, outcome: 'got_help', note: NOTE })).version;
    const second = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    await json(sender, 'POST', `/api/referrals/${second.id}/consent/revoke`, { note: NOTE });
    await runReminders(ctx, new Date(Date.now() + 5 * 86_400_000), (l) => out.push(l));
    // A failed attempt must not echo what was sent either.
    await sender.request('POST', '/api/referrals', { json: referralBody({ urgency: 'whenever' }) });
    await receiver.request('POST', `/api/referrals/${r.id}/transitions`, { json: { action: 'accept', version: 1, note: NOTE } });

    // E-mails: sent over real SMTP, a link and nothing else.
    await new Promise((ok) => setTimeout(ok, 200));
    assert.ok(mail.received.length >= 4, `mails: ${mail.received.length}`);
    for (const m of mail.received) {
      assertAbsent('an e-mail', m.data);
      assert.ok(new RegExp(`${db.config.publicUrl}/referrals/[0-9a-f-]{36}`).test(m.data), 'a link to the referral');
      assert.ok(!m.data.includes('Apprenticeship'), 'no service name in e-mails');
      assert.ok(!/job-training|employment/.test(m.data), 'no needs in e-mails');
    }
    assert.ok(mail.received.some((m) => m.to.includes(users.receiver.email)));
    assert.ok(mail.received.some((m) => m.to.includes(users.sender.email)));

    // Statistics and the audit log.
    const analyst = await (async () => {
      const { makeUser } = await import('../../platform/testing.ts');
      return sign(await makeUser(ctx, 'analyst', 'analyst@test.example'));
    })();
    assertAbsent('statistics', (await analyst.get('/api/referrals/stats')).body);
    assertAbsent('statistics page', (await analyst.get('/referrals/stats')).body);
    const audit = await db.handle.db.selectFrom('audit_events').selectAll().execute();
    assertAbsent('the audit log', JSON.stringify(audit));
    assertAbsent('the inbox', (await receiver.get('/referrals')).body);
    assertAbsent('the referral page', (await receiver.get(`/referrals/${r.id}`)).body.replaceAll(NOTE, ''));

    await purgeClosed(ctx, new Date(Date.now() + 200 * 86_400_000), (l) => out.push(l));
    assertAbsent('the application log', logs.join(''));
    assertAbsent('standard output', out.join(''));
    assert.ok(logs.length > 10, 'the log was captured');

    // The database itself: every row of every table as text on PostgreSQL; the file bytes (and WAL) on SQLite.
    if (db.handle.kind === 'postgresql') {
      const tables = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = 'public'`.execute(db.handle.db);
      for (const { tablename } of tables.rows) {
        const rows = await sql<{ t: string }>`select t::text as t from ${sql.table(tablename)} t`.execute(db.handle.db);
        assertAbsent(`table ${tablename}`, rows.rows.map((x) => x.t).join('\n'));
      }
    } else {
      await app.close();
      const file = db.config.sqlitePath;
      for (const f of [file, `${file}-wal`]) if (existsSync(f)) assertAbsent(f, readFileSync(f).toString('latin1'));
      await db.handle.db.destroy().catch(() => {});
    }
  } finally {
    process.stdout.write = origWrite;
    await app.close().catch(() => {});
    closeMail();
    await mail.close();
    await db.drop().catch(() => {});
  }
});
