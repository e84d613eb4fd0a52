/**
 * A token acts only within its scopes, writes included (issue 15, finding 7): a token holding `referrals.read` could
 * withdraw a client's consent and mark its owner's notifications read. Reading is not acting.
 *
 * The second test sweeps every unsafe API route of the OpenAPI document with tokens that hold only read scopes,
 * one per role, and finds that none answers success and none writes an audit event (every command writes one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createToken, loadActor } from '../../platform/auth/index.ts';
import { permissionsOf, ROLES } from '../../platform/auth/roles.ts';
import type { Ctx } from '../../platform/context.ts';
import type { TestApp } from '../../platform/testing.ts';
import { json, referralBody, referralTest } from './testkit.ts';
import { READ, RECEIVE, SEND } from './permissions.ts';

async function tokenFor(t: TestApp, userId: string, scopes: string[]): Promise<string> {
  const actor = (await loadActor(t.ctx.db, userId, 'session'))!;
  const ctx: Ctx = { ...t.ctx, actor };
  return (await createToken(ctx, { name: `scopes ${scopes.join(' ')}`, scopes })).token;
}

function bearer(t: TestApp, token: string, method: string, url: string, body?: unknown) {
  return t.app.inject({
    method: method as 'POST',
    url,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    payload: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function auditCount(t: TestApp): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from audit_events`.execute(t.ctx.db);
  return Number(r.rows[0].n);
}

test('a read-only referral token cannot withdraw consent or mark notifications read; a token that may act can', async () => {
  const rt = await referralTest();
  try {
    const { t, users } = rt;
    const sender = await rt.sign(users.sender);
    const ref = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    const readOnly = await tokenFor(t, users.receiver.id, [READ]);
    const before = await auditCount(t);

    const revoke = await bearer(t, readOnly, 'POST', `/api/referrals/${ref.id}/consent/revoke`, { note: 'client called' });
    assert.equal(revoke.statusCode, 403, revoke.body);
    const read = await bearer(t, readOnly, 'POST', '/api/referrals/notifications/read', {});
    assert.equal(read.statusCode, 403, read.body);
    assert.equal(await auditCount(t), before, 'nothing was written');
    // The receiver still has the unread notice of the new referral, and the consent stands.
    const list = await bearer(t, readOnly, 'GET', '/api/referrals/notifications');
    assert.equal(list.statusCode, 200);
    assert.ok(list.json().unread >= 1, 'the notice is still unread');
    const detail = await bearer(t, readOnly, 'GET', `/api/referrals/${ref.id}`);
    assert.equal(detail.statusCode, 200);
    assert.equal(detail.json().consent?.revoked_at ?? null, null, 'consent was not withdrawn');

    // A token with the side's acting scope does both.
    const acting = await tokenFor(t, users.receiver.id, [READ, RECEIVE]);
    assert.equal((await bearer(t, acting, 'POST', '/api/referrals/notifications/read', {})).statusCode, 200);
    const ok = await bearer(t, acting, 'POST', `/api/referrals/${ref.id}/consent/revoke`, { note: 'client called' });
    assert.equal(ok.statusCode, 200, ok.body);
    // The sending side's acting scope is SEND.
    const ref2 = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    const senderActing = await tokenFor(t, users.sender.id, [READ, SEND]);
    assert.equal((await bearer(t, senderActing, 'POST', `/api/referrals/${ref2.id}/consent/revoke`, {})).statusCode, 200);
  } finally {
    await rt.close();
  }
});

test('no unsafe API route answers success or writes anything for a token holding only read scopes', async () => {
  const rt = await referralTest();
  try {
    const { t, users } = rt;
    const sender = await rt.sign(users.sender);
    const ref = await json(sender, 'POST', '/api/referrals', referralBody(), 201);
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const unsafe: Array<{ method: string; path: string }> = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) if (['post', 'put', 'patch', 'delete'].includes(method)) unsafe.push({ method: method.toUpperCase(), path });
    }
    assert.ok(unsafe.length > 30, `only ${unsafe.length} unsafe routes in the OpenAPI document`);

    // One read-only token per role: every permission of the role that only reads.
    const tokens: Array<{ role: string; token: string }> = [];
    for (const role of ROLES) {
      const scopes = [...permissionsOf(role)].filter((p) => p.endsWith('.read'));
      if (!scopes.length) continue;
      const u = role === 'caseworker' ? users.receiver : await t.user(role);
      tokens.push({ role, token: await tokenFor(t, u.id, scopes) });
    }
    assert.ok(tokens.length >= 4);

    const before = await auditCount(t);
    const wrote: string[] = [];
    for (const { role, token } of tokens) {
      for (const r of unsafe) {
        const url = r.path.replace(/\{id\}/g, ref.id).replace(/\{[a-z_]+\}/gi, '0b5c1f4e-9999-4a7b-9c1e-000000000001');
        for (const body of [{}, { version: 1, action: 'accept', note: 'x', name: 'x', status: 'active' }]) {
          const res = await bearer(t, token, r.method, url, body);
          assert.ok(res.statusCode < 500, `${role} ${r.method} ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          if (res.statusCode < 300) wrote.push(`${role} ${r.method} ${url}: ${res.statusCode}`);
        }
      }
    }
    assert.deepEqual(wrote, [], 'read-only tokens were answered with success');
    assert.equal(await auditCount(t), before, 'a read-only token wrote an audit event');
  } finally {
    await rt.close();
  }
});
