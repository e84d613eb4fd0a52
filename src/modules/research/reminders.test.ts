/**
 * Reminders through the job and a real SMTP server: staff of an agency that owes an open call get one "due" e-mail in
 * the week before the due date and one "overdue" after it, each once; an agency whose submission is in gets none, and
 * one whose submission was returned owes it again. The mail carries a link, not figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMail, testApp, testMailServer } from '../../platform/testing.ts';
import { formatDate } from '../../platform/web/i18n.ts';
import { closeMail } from '../../platform/mail/index.ts';
import * as commands from './commands.ts';
import { researchModule } from './index.ts';
import { agency, callInput, staffOf } from './testkit.ts';

test('research.reminders: due and overdue e-mails to the staff of agencies that owe a call, each once', async () => {
  const mail = await testMailServer();
  const t = await testApp({ env: { SMTP_URL: mail.url } });
  try {
    const dol = await agency(t, 'Department of Labor', 'DOL');
    const hhs = await agency(t, 'Department of Health and Human Services', 'HHS');
    const dolStaff = await staffOf(t, dol);
    const hhsStaff = await staffOf(t, hhs);
    await staffOf(t, null);
    const c = await commands.createCall(t.ctx, callInput([dol, hhs], { due_date: '2026-01-31' }));
    await commands.submitRows(t.ctx, c.id, hhs, { rows: [{ victims: 4321, hours: 1 }] });
    const job = researchModule.jobs!.find((j) => j.name === 'research.reminders')!;

    assert.match(String(await job.run(t.ctx, new Date('2026-01-10T13:00:00Z'), () => {})), /0 sent/, 'nothing three weeks ahead');
    assert.match(String(await job.run(t.ctx, new Date('2026-01-25T13:00:00Z'), () => {})), /1 sent/);
    assert.equal(mail.received.length, 1);
    assert.deepEqual(mail.received[0].to, [dolStaff.email]);
    assert.equal(readMail(mail.received[0]).subject, `Data call due ${formatDate('en', '2026-01-31')}: ${c.title}`);
    assert.match(readMail(mail.received[0]).subject, /Jan 31, 2026/, 'the date in words');
    assert.match(mail.received[0].data, new RegExp(`/research/calls/${c.id}/agencies/${dol}`));
    assert.doesNotMatch(mail.received[0].data, /4321/, 'no figures in the mail');
    assert.match(String(await job.run(t.ctx, new Date('2026-01-26T13:00:00Z'), () => {})), /0 sent/, 'once per kind');

    // HHS's submission is returned: it owes the call again, and after the due date both agencies get "overdue".
    await commands.reviewSubmission(t.ctx, c.id, hhs, { decision: 'return', version: 1, note: 'Fix it.' });
    assert.match(String(await job.run(t.ctx, new Date('2026-02-02T13:00:00Z'), () => {})), /2 sent/);
    const overdue = mail.received.slice(1);
    assert.deepEqual(overdue.map((m) => m.to[0]).sort(), [dolStaff.email, hhsStaff.email].sort());
    for (const m of overdue) assert.match(m.data, /Overdue data call/);

    // Staff who read the workspace in Spanish get theirs in Spanish, dates in Spanish.
    const hhsSpanish = await staffOf(t, hhs);
    await t.db.handle.db.updateTable('users').set({ lang: 'es' }).where('id', '=', hhsSpanish.id).execute();
    assert.match(String(await job.run(t.ctx, new Date('2026-02-03T13:00:00Z'), () => {})), /1 sent/);
    const es = readMail(mail.received.at(-1)!);
    assert.deepEqual(mail.received.at(-1)!.to, [hhsSpanish.email]);
    assert.equal(es.subject, `Solicitud de datos vencida: ${c.title} (vencía el ${formatDate('es', '2026-01-31')})`);
    assert.match(es.body, /aún no la ha enviado/);
    assert.match(es.body, /Complétela con el formulario o un CSV: http/);
  } finally {
    await t.close();
    closeMail();
    await mail.close();
  }
});
