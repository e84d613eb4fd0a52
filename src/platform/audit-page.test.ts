/**
 * Issue 16 items 3 and 4 on the audit log: headers and filter labels in the reader's language, times as people read
 * them (date and time in the task force's time zone, not ISO instants), summaries as "field: value", not raw JSON.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from './testing.ts';
import { runCommand } from './audit/index.ts';
import { authorize } from './policy.ts';

const t = await testApp();
after(() => t.close());

test('the audit log reads in Spanish, with readable times and summaries', async () => {
  authorize(t.ctx, true);
  await runCommand(t.ctx, async (_trx, audit) => {
    await audit({ action: 'structure.agency.update', entityType: 'agency', entityId: 'a1', summary: { changed: ['name', 'abbreviation'], version: 3 } });
  });
  const admin = await t.signedIn('admin');
  const en = await admin.get('/admin/audit');
  assert.equal(en.statusCode, 200);
  assert.match(en.body, /<th[^>]*>When<\/th>/);
  assert.match(en.body, /changed: name, abbreviation; version: 3/);
  assert.doesNotMatch(en.body, /\{&quot;|\{"changed/, 'no raw JSON');
  assert.doesNotMatch(en.body, /<td[^>]*>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'no ISO instants in the table');
  assert.match(en.body, /<td[^>]*>[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M [A-Z]{3}<\/td>/, 'a date and time with its zone');
  admin.cookies.set('lang', 'es');
  const es = await admin.get('/admin/audit');
  for (const label of ['Fecha y hora', 'Quién', 'Acción', 'Registro', 'Resumen']) assert.match(es.body, new RegExp(`<th[^>]*>${label}</th>`), label);
  assert.match(es.body, /<label[^>]*for="field-entity_type"[^>]*>Tipo de registro/);
  assert.match(es.body, /<label[^>]*for="field-from"[^>]*>Desde \(fecha\)/);
});

test('role names read in Spanish on the users and account pages (issue 16 item 3)', async () => {
  const admin = await t.signedIn('admin');
  await t.user('caseworker');
  admin.cookies.set('lang', 'es');
  const users = await admin.get('/admin/users');
  assert.equal(users.statusCode, 200);
  assert.match(users.body, /Gestor\(a\) de casos \(derivaciones\)/);
  assert.match(users.body, /<option value="admin"[^>]*>Administrador\(a\)<\/option>/);
  assert.doesNotMatch(users.body, /Case worker \(referrals\)|>Administrator</);
  const account = await admin.get('/account');
  assert.match(account.body, /<dd[^>]*>Administrador\(a\)<\/dd>/);
});

test('the users list shows sign-in times as people read them, and says never rather than a dash (issue 16)', async () => {
  const admin = await t.signedIn('admin');
  await t.user('member');
  await t.ctx.db.updateTable('users').set({ last_login_at: '2026-03-02T15:30:00.000Z' }).where('role', '=', 'admin').execute();
  const en = await admin.get('/admin/users');
  assert.equal(en.statusCode, 200);
  assert.doesNotMatch(en.body, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'no ISO instants');
  assert.match(en.body, /<td[^>]*>Mar 2, 2026, 10:30 AM EST<\/td>/, 'the last sign-in with its zone');
  assert.match(en.body, /<td[^>]*>Never<\/td>/);
  assert.match(en.body, /<td[^>]*>Not locked<\/td>/);
  assert.doesNotMatch(en.body, /<td[^>]*>—<\/td>/);
  admin.cookies.set('lang', 'es');
  const es = await admin.get('/admin/users');
  assert.match(es.body, /<td[^>]*>Nunca<\/td>/);
  assert.match(es.body, /<td[^>]*>Sin bloqueo<\/td>/);
});

test('the audit log names who, what and which record without internal ids or codes (issue 16 item 1)', async () => {
  authorize(t.ctx, true);
  const member = await t.user('member');
  await runCommand(t.ctx, async (_trx, audit) => {
    await audit({ action: 'user.mfa_enable', entityType: 'user', entityId: member.id, summary: { replaced: false, agency_id: '3f2b6c1e-8d4a-4b7e-9c1d-2a3b4c5d6e7f' } });
    await audit({ action: 'auth.login', entityType: 'user', entityId: member.id, summary: {} });
  });
  const admin = await t.signedIn('admin');
  admin.cookies.set('lang', 'es');
  const es = await admin.get('/admin/audit');
  assert.equal(es.statusCode, 200);
  const table = es.body.slice(es.body.indexOf('<table'), es.body.indexOf('</table>'));
  const text = table.replace(/<[^>]+>/g, ' ');
  assert.doesNotMatch(text, /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/, 'no uuid in the visible text');
  assert.doesNotMatch(text, /user\.mfa_enable|system \(/, 'no action codes, no system request ids');
  assert.match(text, /Verificación en dos pasos activada/, 'the action by its Spanish label');
  assert.match(text, /Sistema/, 'jobs and the system named as such');
  assert.match(text, /La persona que inicia sesión\s+Inicio de sesión\s/, 'a sign-in is not the system’s doing');
  assert.match(text, new RegExp(member.name ?? member.email), 'the user record by name');
  assert.match(text, /replaced: No/, 'booleans as Yes/No in the reader’s language');
  assert.doesNotMatch(text, /\bfalse\b/);
});

test('the account page: details in a styled box, token scopes by label in Spanish, no empty session columns (issue 16 item 4)', async () => {
  const admin = await t.signedIn('admin');
  admin.cookies.set('lang', 'es');
  const page = await admin.get('/account');
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /<div class="usa-summary-box[ "][^>]*>[\s\S]*<dt[^>]*>Correo electrónico<\/dt>/, 'details in a USWDS summary box');
  assert.match(page.body, /<label[^>]*>Editar las redes de su organización<\/label>/, 'the scope by its Spanish label');
  assert.match(page.body, /<label[^>]*>Leer el registro de auditoría<\/label>/);
  const text = page.body.replace(/<[^>]+>/g, ' ');
  assert.doesNotMatch(text, /edit_own|networks\.manage/, 'no scope codes as visible text');
  assert.doesNotMatch(page.body, /<th[^>]*>(Dirección IP|Navegador)<\/th>/, 'no columns the session store leaves empty');
});

test('a long hash in a summary is shortened on the page, whole in the CSV, so the table fits (issue 16 item 1)', async () => {
  authorize(t.ctx, true);
  const hash = 'a'.repeat(8) + '0123456789abcdef'.repeat(3) + 'b'.repeat(8);
  await runCommand(t.ctx, async (_trx, audit) => {
    await audit({ action: 'research.snapshot.take', entityType: 'research_snapshot', entityId: null, summary: { sha256: hash } });
  });
  const admin = await t.signedIn('admin');
  const page = await admin.get('/admin/audit?action=research.snapshot.take');
  assert.match(page.body, /sha256: aaaaaaaa0123…/);
  assert.doesNotMatch(page.body, new RegExp(hash));
  assert.match((await admin.get('/admin/audit.csv?action=research.snapshot.take')).body, new RegExp(hash));
});
