import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMail, TestClient, testMailServer } from '../../platform/testing.ts';
import { closeMail } from '../../platform/mail/index.ts';
import { json, referralBody, referralTest } from './testkit.ts';

/** Mail sent with no request behind it is written in the language its reader last used the workspace in. */
test('referral notices reach each person in the language they use the workspace in; switching language while signed in changes it', async () => {
  const mail = await testMailServer();
  const rt = await referralTest({ SMTP_URL: mail.url });
  const lastTo = async (email: string, after: number) => {
    for (let i = 0; i < 50 && !mail.received.slice(after).some((m) => m.to.includes(email)); i++) await new Promise((ok) => setTimeout(ok, 20));
    const m = mail.received.slice(after).find((x) => x.to.includes(email));
    assert.ok(m, `a mail to ${email}`);
    return readMail(m);
  };
  const langOf = async (id: string) => (await rt.t.db.handle.db.selectFrom('users').select('lang').where('id', '=', id).executeTakeFirstOrThrow()).lang;
  try {
    // The job centre's worker reads the workspace in Spanish: signing in with it keeps it.
    const receiver = new TestClient(rt.t.app, rt.t.ctx);
    receiver.cookies.set('lang', 'es');
    await receiver.signIn(rt.users.receiver);
    assert.equal(await langOf(rt.users.receiver.id), 'es');
    const sender = await rt.sign(rt.users.sender);
    assert.equal(await langOf(rt.users.sender.id), 'en');

    let seen = mail.received.length;
    const r = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    const toReceiver = await lastTo(rt.users.receiver.email, seen);
    assert.equal(toReceiver.subject, 'Taskforce Hub: una nueva derivación para su organización');
    assert.match(toReceiver.body, /Su organización ha recibido una nueva derivación\./);
    assert.match(toReceiver.body, new RegExp(`Inicie sesión para verla: ${rt.t.db.config.publicUrl}/referrals/${r.id}`));
    assert.doesNotMatch(toReceiver.body.replaceAll(`${rt.t.db.config.publicUrl}/referrals/${r.id}`, ''), /Sign in|referral|organisation/i, 'no English left in it');

    seen = mail.received.length;
    await json(receiver, 'POST', `/api/referrals/${r.id}/transitions`, { action: 'accept', version: 1 });
    const toSender = await lastTo(rt.users.sender.email, seen);
    assert.equal(toSender.subject, 'Taskforce Hub: a referral has changed');
    assert.match(toSender.body, /Sign in to see it: /);

    // The case manager switches to Spanish while signed in: kept once (audited once), shown on the account page.
    assert.equal((await sender.get('/lang/es?next=/account')).statusCode, 302);
    assert.equal((await sender.get('/lang/es?next=/account')).statusCode, 302);
    assert.equal(await langOf(rt.users.sender.id), 'es');
    const events = await rt.t.db.handle.db.selectFrom('audit_events').select('summary').where('action', '=', 'user.language').where('entity_id', '=', rt.users.sender.id).execute();
    assert.equal(events.length, 1, 'a switch to the language already kept writes nothing');
    const account = (await sender.get('/account')).body;
    assert.match(account, /Idioma de los correos<\/dt>\s*<dd[^>]*>\s*Español/);
    assert.match(account, /href="\/lang\/en\?next=%2Faccount"/);

    seen = mail.received.length;
    await json(receiver, 'POST', `/api/referrals/${r.id}/transitions`, { action: 'complete', version: 2, outcome: 'got_help' });
    const nowSpanish = await lastTo(rt.users.sender.email, seen);
    assert.equal(nowSpanish.subject, 'Taskforce Hub: una derivación ha cambiado');

    // Someone not signed in switches language as before; an unknown language is still not found.
    const anonymous = rt.t.client();
    assert.equal((await anonymous.get('/lang/es')).statusCode, 302);
    assert.equal((await anonymous.get('/lang/xx')).statusCode, 404);
  } finally {
    closeMail();
    await rt.close();
    await mail.close();
  }
});
