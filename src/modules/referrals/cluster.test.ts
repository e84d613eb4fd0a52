/**
 * Two real app processes (`taskforce serve` on two ports) over one database, as app nodes behind a load balancer
 * would run: concurrent steps on the same referrals through HTTP. Exactly one step wins per version; none is lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loadActor, createToken } from '../../platform/auth/index.ts';
import { serveProcess, type ServeProcess } from '../../platform/testing.ts';
import { referralBody, referralTest, json } from './testkit.ts';
import { RECEIVE, READ, SEND } from './permissions.ts';

async function step(base: string, token: string, id: string, body: unknown): Promise<number> {
  const res = await fetch(`${base}/api/referrals/${id}/transitions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

test('two app processes on one database acting on the same referrals lose no update', { timeout: 180_000 }, async () => {
  const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
  const rt = await referralTest(secrets);
  const servers: ServeProcess[] = [];
  try {
    const sender = await rt.sign(rt.users.sender);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await json(sender, 'POST', '/api/referrals', referralBody(), 201)).id);
    const receiverCtx = { ...rt.t.ctx, actor: (await loadActor(rt.t.ctx.db, rt.users.receiver.id, 'session'))! };
    const senderCtx = { ...rt.t.ctx, actor: (await loadActor(rt.t.ctx.db, rt.users.sender.id, 'session'))! };
    const receiverToken = (await createToken(receiverCtx, { name: 'cluster test', scopes: [READ, RECEIVE] })).token;
    const senderToken = (await createToken(senderCtx, { name: 'cluster test', scopes: [READ, SEND] })).token;

    const env = { ...secrets, DATABASE_URL: rt.t.db.config.databaseUrl, JOBS: 'off' };
    const [a, b] = await Promise.all([serveProcess(env), serveProcess(env)]);
    servers.push(a, b);

    // Round 1, version 1: node A accepts while node B declines; for half, the sender cancels on B instead.
    const round1 = await Promise.all(
      ids.map(async (id, i) => {
        const [x, y] = await Promise.all([
          step(a.base, receiverToken, id, { action: 'accept', version: 1 }),
          i % 2 ? step(b.base, senderToken, id, { action: 'cancel', version: 1 }) : step(b.base, receiverToken, id, { action: 'decline', version: 1, reason: 'no_capacity' }),
        ]);
        return [x, y].sort();
      }),
    );
    for (const pair of round1) assert.deepEqual(pair, [200, 409], `round 1: ${pair}`);

    // Round 2 on the accepted ones, version 2: both nodes try to move the referral; one wins.
    const accepted: string[] = [];
    for (const id of ids) if ((await json(sender, 'GET', `/api/referrals/${id}`)).status === 'accepted') accepted.push(id);
    const round2 = await Promise.all(
      accepted.map(async (id) => {
        const [x, y] = await Promise.all([step(a.base, receiverToken, id, { action: 'start', version: 2 }), step(b.base, receiverToken, id, { action: 'complete', version: 2, outcome: 'got_help' })]);
        return [x, y].sort();
      }),
    );
    for (const pair of round2) assert.deepEqual(pair, [200, 409], `round 2: ${pair}`);

    // Every referral's history is exactly its winning steps: versions 1..n, one event each, nothing overwritten.
    let wins = 0;
    for (const pair of [...round1, ...round2]) wins += pair.filter((s) => s === 200).length;
    let steps = 0;
    for (const id of ids) {
      const r = await json(sender, 'GET', `/api/referrals/${id}`);
      assert.deepEqual(
        r.events.map((e: { version: number }) => e.version),
        Array.from({ length: r.version }, (_, i) => i + 1),
      );
      steps += r.version - 1;
    }
    assert.equal(steps, wins, 'each win is one recorded step');
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await rt.close();
  }
});
