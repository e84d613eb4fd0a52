/**
 * Per-referral data keys and the referrals made before them: values sealed under the master key (`v1`) still open,
 * are moved under a data key at the referral's next change or by `taskforce referrals rekey`, and are purged like
 * the rest. After a rotation of DATA_KEY, `rekey` wraps every data key under the new master key, and the old key can
 * be dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { encryptField, keyRing, sealedWith } from '../../platform/crypto/index.ts';
import type { Db } from '../../platform/db/index.ts';
import { runCli } from '../../platform/testing.ts';
import { purgeClosed } from './commands.ts';
import { clientFieldValues, open, referralKey } from './store.ts';
import { CLIENT, json, referralBody, referralTest, type ReferralTest } from './testkit.ts';
import type { ClientField } from './schema.ts';

const DAY = 86_400_000;
const NOTE = 'Leaves the shelter on Tuesdays';

/** Every sealed value of a referral, with where it is. */
async function sealedValues(db: Db, id: string): Promise<string[]> {
  const a = await db.selectFrom('referrals').select('note_enc as v').where('id', '=', id).execute();
  const b = await db.selectFrom('referral_client_fields').select('value_enc as v').where('referral_id', '=', id).execute();
  const c = await db.selectFrom('referral_events').select('note_enc as v').where('referral_id', '=', id).execute();
  return [...a, ...b, ...c].map((r) => r.v as string | null).filter((v): v is string => v !== null);
}

/** Turns a referral into one made before data keys: its values sealed under the master key, and no data key. */
async function makeLegacy(rt: ReferralTest, id: string): Promise<void> {
  const { db } = rt.t.db.handle;
  const config = rt.t.db.config;
  const key = await referralKey(db, config, id);
  assert.ok(key, 'a new referral has a data key');
  const ring = keyRing(config.dataKey);
  const v1 = (v: string | null) => (v === null ? null : encryptField(ring, open(config, key, v)!));
  for (const r of await db.selectFrom('referrals').select('note_enc').where('id', '=', id).execute()) await db.updateTable('referrals').set({ note_enc: v1(r.note_enc) }).where('id', '=', id).execute();
  for (const r of await db.selectFrom('referral_client_fields').select(['field', 'value_enc']).where('referral_id', '=', id).execute()) {
    await db.updateTable('referral_client_fields').set({ value_enc: v1(r.value_enc) }).where('referral_id', '=', id).where('field', '=', r.field).execute();
  }
  for (const r of await db.selectFrom('referral_events').select(['id', 'note_enc']).where('referral_id', '=', id).execute()) await db.updateTable('referral_events').set({ note_enc: v1(r.note_enc) }).where('id', '=', r.id).execute();
  await db.deleteFrom('referral_keys').where('referral_id', '=', id).execute();
  const values = await sealedValues(db, id);
  assert.ok(values.length > 0 && values.every((v) => sealedWith(v) === 'master'));
}

test('a referral sealed under the master key still reads, moves under its own key at its next change, and is purged', { timeout: 120_000 }, async () => {
  const rt = await referralTest();
  const { db } = rt.t.db.handle;
  try {
    const sender = await rt.sign(rt.users.sender);
    const receiver = await rt.sign(rt.users.receiver);
    const r = await json(sender, 'POST', '/api/referrals', referralBody({ note: NOTE }), 201);
    const v = (await json(receiver, 'POST', `/api/referrals/${r.id}/transitions`, { action: 'accept', version: 1, note: NOTE })).version;
    assert.ok((await sealedValues(db, r.id)).every((x) => sealedWith(x) === 'data'), 'new values are sealed under the data key');
    await makeLegacy(rt, r.id);

    // It still reads.
    const view = await json(receiver, 'GET', `/api/referrals/${r.id}`);
    assert.equal(view.note, NOTE);
    assert.deepEqual(view.events.map((e: { note: string | null }) => e.note).filter(Boolean), [NOTE]);
    assert.deepEqual((await json(receiver, 'GET', `/api/referrals/${r.id}/client`)).fields, CLIENT);

    // Its next change gives it a data key and moves every value under it, in the same transaction.
    await json(receiver, 'POST', `/api/referrals/${r.id}/transitions`, { action: 'complete', version: v, outcome: 'got_help', note: NOTE });
    const moved = await sealedValues(db, r.id);
    assert.equal(moved.length, Object.keys(CLIENT).length + 3);
    assert.ok(moved.every((x) => sealedWith(x) === 'data'), 'no value is left under the master key');
    assert.deepEqual((await json(sender, 'GET', `/api/referrals/${r.id}/client`)).fields, CLIENT);
    assert.equal((await json(sender, 'GET', `/api/referrals/${r.id}`)).events.filter((e: { note: string | null }) => e.note === NOTE).length, 2);

    // A closed one still under the master key is purged: its values and (SQLite, secure_delete) their bytes.
    const old = await json(sender, 'POST', '/api/referrals', referralBody({ note: NOTE }), 201);
    await json(receiver, 'POST', `/api/referrals/${old.id}/transitions`, { action: 'decline', version: 1, reason: 'other', note: NOTE });
    await makeLegacy(rt, old.id);
    const legacy = await sealedValues(db, old.id);
    assert.equal(await purgeClosed(rt.t.ctx, new Date(Date.now() + 200 * DAY)), 2);
    assert.deepEqual(await sealedValues(db, old.id), []);
    assert.deepEqual(await sealedValues(db, r.id), []);
    assert.equal(await db.selectFrom('referral_keys').select('referral_id').where('referral_id', 'in', [r.id, old.id]).executeTakeFirst(), undefined);
    if (rt.t.db.handle.kind === 'sqlite') {
      const file = rt.t.db.config.sqlitePath;
      for (const f of [file, `${file}-wal`]) {
        if (!existsSync(f)) continue;
        const bytes = readFileSync(f).toString('latin1');
        for (const s of legacy) assert.ok(!bytes.includes(s.split('.').at(-1)!), `${f} still holds a purged value sealed under the master key`);
      }
    } else if ((await sql<{ s: boolean }>`select rolsuper as s from pg_roles where rolname = current_user`.execute(db)).rows[0]?.s) {
      // Dead rows keep old values in the pages: the tables that held values under the master key are rewritten.
      await sql`checkpoint`.execute(db);
      for (const table of ['referral_client_fields', 'referral_events', 'referrals']) {
        const path = await sql<{ p: string }>`select pg_relation_filepath(${table}) as p`.execute(db);
        const bytes = (await sql<{ b: Buffer }>`select pg_read_binary_file(${path.rows[0].p}) as b`.execute(db)).rows[0].b.toString('latin1');
        for (const s of legacy) assert.ok(!bytes.includes(s.split('.').at(-1)!), `${table}'s file still holds a purged value sealed under the master key`);
      }
    }

    // A note written after the purge (withdrawing consent) gets a data key, and the next purge removes both.
    await json(sender, 'POST', `/api/referrals/${old.id}/consent/revoke`, { note: NOTE });
    assert.equal((await sealedValues(db, old.id)).length, 1);
    assert.equal(await purgeClosed(rt.t.ctx, new Date(Date.now() + 200 * DAY)), 1);
    assert.deepEqual(await sealedValues(db, old.id), []);
    assert.equal(await referralKey(db, rt.t.db.config, old.id), undefined);
  } finally {
    await rt.close();
  }
});

test('taskforce referrals rekey moves old referrals under their own keys and re-wraps data keys after a rotation', { timeout: 120_000 }, async () => {
  const oldKey = randomBytes(32).toString('base64');
  const newKey = randomBytes(32).toString('base64');
  const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: oldKey };
  const rt = await referralTest(secrets);
  const { db } = rt.t.db.handle;
  try {
    const sender = await rt.sign(rt.users.sender);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await json(sender, 'POST', '/api/referrals', referralBody({ note: NOTE }), 201)).id);
    // Made without details or notes: nothing to move, no key needed.
    const bare = (await json(sender, 'POST', '/api/referrals', referralBody({ note: undefined, client: undefined, consent: undefined }), 201)).id;
    await db.deleteFrom('referral_keys').where('referral_id', '=', bare).execute();
    await makeLegacy(rt, ids[0]);
    await makeLegacy(rt, ids[1]);
    const env = { ...secrets, DATABASE_URL: rt.t.db.config.databaseUrl };

    let run = await runCli(['referrals', 'rekey'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /referrals rekey: 4 referral\(s\) to check/);
    assert.match(run.stdout, /referrals rekey: 4\/4/);
    assert.match(run.stdout, /: 2 referral\(s\) moved under their own data key \(12 value\(s\) re-sealed\), 0 data key\(s\) re-wrapped under the current DATA_KEY, 2 already current/);
    for (const id of ids) assert.ok((await sealedValues(db, id)).every((x) => sealedWith(x) === 'data'), 'every value is under a data key');
    assert.equal(await referralKey(db, rt.t.db.config, bare), undefined);
    for (const s of Object.values(CLIENT)) assert.ok(!run.stdout.includes(s) && !run.stderr.includes(s));
    run = await runCli(['referrals', 'rekey'], env);
    assert.match(run.stdout, /: 0 referral\(s\) moved .* 0 data key\(s\) re-wrapped .* 4 already current/);

    // Rotation: a new key first, the old one second. Re-wrapping touches the keys only, not the values.
    const before = await sealedValues(db, ids[2]);
    run = await runCli(['referrals', 'rekey', '--vacuum'], { ...env, DATA_KEY: `${newKey},${oldKey}` });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /: 0 referral\(s\) moved .* 3 data key\(s\) re-wrapped under the current DATA_KEY, 1 already current/);
    assert.deepEqual(await sealedValues(db, ids[2]), before);
    const fields = Object.keys(CLIENT) as ClientField[];
    for (const id of ids) {
      assert.deepEqual(await clientFieldValues(db, { dataKey: newKey }, id, fields), CLIENT, 'the new key alone opens every referral');
      await assert.rejects(referralKey(db, { dataKey: oldKey }, id), /No key .* in DATA_KEY/, 'the old key alone no longer does');
    }
    const audit = await db.selectFrom('audit_events').select(['action', 'summary']).where('action', '=', 'referrals.rekey').execute();
    assert.equal(audit.length, 5);
    assert.ok(!JSON.stringify(audit).includes(CLIENT.name));

    for (const [args, message] of [
      [['referrals', 'rekey', '--at', '2026-01-01'], /at/],
      [['referrals', 'rekey', 'now'], /now/],
      [['referrals', 'reykey'], /the subcommands are "purge", "reminders" and "rekey"/],
    ] as const) {
      const res = await runCli([...args], env);
      assert.equal(res.code, 2, `${args.join(' ')}: ${res.stderr}`);
      assert.match(res.stderr, message);
    }
    const help = await runCli(['help'], env);
    assert.match(help.stdout, /referrals rekey \[--vacuum\]/);
  } finally {
    await rt.close();
  }
});
