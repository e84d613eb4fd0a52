/**
 * Purged client details cannot be read again (issue 15, finding 2). Each referral's details and notes are sealed
 * under a data key of its own, kept wrapped by the master key ring; the purge destroys that key. The proof takes the
 * attacker's side: every ciphertext of the purged referrals is captured straight from the tables before the purge,
 * as a leftover copy would hold it (free pages, WAL, dead tuples, backups). After the purge none of them opens with
 * any key material that remains: the master keys of DATA_KEY, and every data key that can be unwrapped from what is
 * still in the database. The attack is written here with node:crypto, not with the product's own helpers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../../platform/db/index.ts';
import { purgeClosed } from './commands.ts';
import { CLIENT, json, referralBody, referralTest } from './testkit.ts';

const NOTE = 'Staying with her sister at 14 Larkspur Court';
const DAY = 86_400_000;

/** AES-256-GCM over the last three dot-separated parts (iv, tag, ciphertext), whatever the prefix; null if it fails. */
function tryOpen(key: Buffer, stored: string, aad?: string): Buffer | null {
  const parts = stored.split('.');
  if (parts.length < 4) return null;
  const [iv, tag, ct] = parts.slice(-3).map((p) => Buffer.from(p, 'base64url'));
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv);
    if (aad !== undefined) d.setAAD(Buffer.from(aad, 'utf8'));
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    return null;
  }
}

/** Every encrypted value stored for these referrals: the note, each client detail, each step's note. */
async function ciphertextsOf(db: Db, ids: string[]): Promise<string[]> {
  const notes = await db.selectFrom('referrals').select('note_enc as v').where('id', 'in', ids).execute();
  const fields = await db.selectFrom('referral_client_fields').select('value_enc as v').where('referral_id', 'in', ids).execute();
  const events = await db.selectFrom('referral_events').select('note_enc as v').where('referral_id', 'in', ids).execute();
  return [...notes, ...fields, ...events].map((r) => r.v as string | null).filter((v): v is string => v !== null);
}

/** The wrapped data keys in the database, by referral (none where the table does not exist). */
async function wrappedKeys(db: Db): Promise<{ referral_id: string; wrapped: string }[]> {
  try {
    const rows = await sql<{ referral_id: string; wrapped: string }>`select referral_id, wrapped from referral_keys`.execute(db);
    return rows.rows.map((r) => ({ referral_id: String(r.referral_id), wrapped: r.wrapped }));
  } catch {
    return [];
  }
}

/** Every key an attacker holding the master keys and the live database has: the master keys and every unwrappable data key. */
async function keyMaterial(db: Db, dataKey: string): Promise<Buffer[]> {
  const masters = dataKey.split(',').map((k) => Buffer.from(k.trim(), 'base64'));
  const keys: Buffer[] = [...masters];
  for (const { referral_id, wrapped } of await wrappedKeys(db)) {
    for (const m of masters) {
      // The associated data the product binds to a wrapped key (its owner), in the forms it could take.
      for (const aad of [`referral:${referral_id}`, referral_id, undefined]) {
        const k = tryOpen(m, wrapped, aad);
        if (k?.length === 32) keys.push(k);
      }
    }
  }
  return keys;
}

function opened(keys: Buffer[], stored: string[]): string[] {
  const out: string[] = [];
  for (const s of stored) {
    for (const k of keys) {
      const text = tryOpen(k, s);
      if (text) {
        out.push(text.toString('utf8'));
        break;
      }
    }
  }
  return out;
}

test('after the purge no ciphertext of a purged referral opens with any key material left, and the wrapped key is gone from the file', { timeout: 120_000 }, async () => {
  const rt = await referralTest();
  const db = rt.t.db.handle.db;
  try {
    const sender = await rt.sign(rt.users.sender);
    const receiver = await rt.sign(rt.users.receiver);
    // Declined, with notes on the referral, the withdrawal of consent and the step.
    const a = await json(sender, 'POST', '/api/referrals', referralBody({ note: NOTE }), 201);
    await json(sender, 'POST', `/api/referrals/${a.id}/consent/revoke`, { note: NOTE });
    await json(receiver, 'POST', `/api/referrals/${a.id}/transitions`, { action: 'decline', version: 2, reason: 'no_capacity', note: NOTE });
    // Completed, with a note at each step.
    const b = await json(sender, 'POST', '/api/referrals', referralBody({ note: NOTE }), 201);
    let v = (await json(receiver, 'POST', `/api/referrals/${b.id}/transitions`, { action: 'accept', version: 1, note: NOTE })).version;
    v = (await json(receiver, 'POST', `/api/referrals/${b.id}/transitions`, { action: 'complete', version: v, outcome: 'got_help', note: NOTE })).version;
    // Still open: untouched by the purge.
    const c = await json(sender, 'POST', '/api/referrals', referralBody({ note: NOTE }), 201);

    const purgedIds = [a.id, b.id];
    const captured = await ciphertextsOf(db, purgedIds);
    assert.equal(captured.length, 2 * Object.keys(CLIENT).length + 2 + 4, `every detail and note is stored encrypted: ${captured.length}`);
    const wrappedBefore = (await wrappedKeys(db)).filter((w) => purgedIds.includes(w.referral_id)).map((w) => w.wrapped);
    // The attack works while the keys exist: everything captured opens, and reads as the details.
    const before = opened(await keyMaterial(db, rt.t.db.config.dataKey), captured);
    assert.equal(before.length, captured.length, 'before the purge the key material opens every captured value');
    assert.ok(before.includes(CLIENT.name) && before.includes(NOTE));

    const purgeLog: string[] = [];
    assert.equal(await purgeClosed(rt.t.ctx, new Date(Date.now() + 200 * DAY), (l) => purgeLog.push(l)), 2);

    assert.deepEqual(await ciphertextsOf(db, purgedIds), [], 'the purge removes the values themselves');
    const after = opened(await keyMaterial(db, rt.t.db.config.dataKey), captured);
    assert.deepEqual(after, [], `purged values still decrypt with the key material left in the database and DATA_KEY: ${JSON.stringify(after.slice(0, 3))}`);

    // The open referral keeps its details and notes.
    assert.equal((await json(receiver, 'GET', `/api/referrals/${c.id}/client`)).fields.name, CLIENT.name);
    assert.equal((await json(receiver, 'GET', `/api/referrals/${c.id}`)).note, NOTE);
    assert.equal(opened(await keyMaterial(db, rt.t.db.config.dataKey), await ciphertextsOf(db, [c.id])).length, Object.keys(CLIENT).length + 1);

    assert.equal(wrappedBefore.length, 2, 'each purged referral had a wrapped data key');
    if (rt.t.db.handle.kind === 'sqlite') {
      // secure_delete overwrites what was deleted, and the purge leaves no write-ahead log behind: neither the file
      // nor its WAL still holds the wrapped keys (nor the ciphertexts).
      const file = rt.t.db.config.sqlitePath;
      for (const f of [file, `${file}-wal`]) {
        if (!existsSync(f)) continue;
        const bytes = readFileSync(f).toString('latin1');
        for (const w of wrappedBefore) assert.ok(!bytes.includes(w.split('.').at(-1)!), `${f} still holds a purged referral's wrapped data key`);
        for (const s of captured) assert.ok(!bytes.includes(s.split('.').at(-1)!), `${f} still holds a purged ciphertext`);
      }
    } else {
      // The table of wrapped keys is rewritten after the purge: its file on disk holds none of the purged keys.
      const su = await sql<{ rolsuper: boolean }>`select rolsuper from pg_roles where rolname = current_user`.execute(db);
      if (su.rows[0]?.rolsuper) {
        await sql`checkpoint`.execute(db);
        const path = await sql<{ p: string }>`select pg_relation_filepath('referral_keys') as p`.execute(db);
        const raw = await sql<{ b: Buffer }>`select pg_read_binary_file(${path.rows[0].p}) as b`.execute(db);
        const bytes = raw.rows[0].b.toString('latin1');
        for (const w of wrappedBefore) assert.ok(!bytes.includes(w.split('.').at(-1)!), `the table file still holds a purged wrapped data key; the purge said: ${purgeLog.join(' | ')}`);
      }
    }
  } finally {
    await rt.close();
  }
});
