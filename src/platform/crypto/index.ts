import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Field encryption with AES-256-GCM (base64url parts). Two kinds of value:
 * - `v1.<key id>.<iv>.<tag>.<ciphertext>`: sealed under a master key of DATA_KEY, named by its id, so that master
 *   keys can be rotated (new values use the current key, old values name the key that can open them).
 * - `v2.<iv>.<tag>.<ciphertext>`: sealed under a data key of its own (`newDataKey`), which is stored wrapped by the
 *   master key ring (`wrapDataKey`). Destroying the wrapped data key makes every copy of such values unreadable,
 *   wherever leftover bytes remain (crypto-shredding).
 */
export interface KeyRing {
  current: { id: string; key: Buffer };
  all: Map<string, Buffer>;
}

export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

/** DATA_KEY holds the current key first; older keys may follow, comma-separated, until data is re-encrypted. */
export function keyRing(dataKey: string): KeyRing {
  const keys = dataKey.split(',').map((k) => Buffer.from(k.trim(), 'base64'));
  for (const k of keys) if (k.length !== 32) throw new Error('DATA_KEY: every key must be 32 bytes, base64-encoded');
  const all = new Map(keys.map((k) => [keyId(k), k] as const));
  return { current: { id: keyId(keys[0]), key: keys[0] }, all };
}

/** iv, tag and ciphertext of `plaintext` under `key`, base64url, with optional associated data bound to them. */
function gcmSeal(key: Buffer, plaintext: Buffer, aad?: string): string[] {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')];
}

function gcmOpen(key: Buffer, iv: string, tag: string, ct: string, aad?: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
}

function masterKey(ring: KeyRing, id: string, what: string): Buffer {
  const key = ring.all.get(id);
  if (!key) throw new Error(`No key ${id} in DATA_KEY to open this ${what}`);
  return key;
}

/** Seals under the ring's current master key (`v1`). */
export function encryptField(ring: KeyRing, plaintext: string): string {
  return ['v1', ring.current.id, ...gcmSeal(ring.current.key, Buffer.from(plaintext, 'utf8'))].join('.');
}

/** Opens a `v1` value with the master key it names. */
export function decryptField(ring: KeyRing, stored: string): string {
  const [version, id, iv, tag, ct, extra] = stored.split('.');
  if (version !== 'v1' || !id || iv === undefined || tag === undefined || ct === undefined || extra !== undefined) throw new Error('Not an encrypted field');
  return gcmOpen(masterKey(ring, id, 'field'), iv, tag, ct).toString('utf8');
}

/** Which kind of sealed value this is: under a master key (`v1`), under a data key (`v2`), or neither. */
export function sealedWith(stored: string): 'master' | 'data' | null {
  const parts = stored.split('.');
  if (parts[0] === 'v1' && parts.length === 5) return 'master';
  if (parts[0] === 'v2' && parts.length === 4) return 'data';
  return null;
}

/** A fresh random 32-byte data key. */
export function newDataKey(): Buffer {
  return randomBytes(32);
}

/**
 * A data key sealed by the ring's current master key: `k1.<master key id>.<iv>.<tag>.<ciphertext>`. `owner` (such as
 * the id of the record the key belongs to) is bound to it as associated data, so a wrapped key opens only for it.
 */
export function wrapDataKey(ring: KeyRing, key: Buffer, owner: string): string {
  if (key.length !== 32) throw new Error('A data key is 32 bytes');
  return ['k1', ring.current.id, ...gcmSeal(ring.current.key, key, owner)].join('.');
}

/** The id of the master key that wrapped this data key (for re-wrapping after a rotation). */
export function wrappingKeyId(wrapped: string): string {
  const [version, id] = wrapped.split('.');
  if (version !== 'k1' || !id) throw new Error('Not a wrapped data key');
  return id;
}

export function unwrapDataKey(ring: KeyRing, wrapped: string, owner: string): Buffer {
  const [version, id, iv, tag, ct, extra] = wrapped.split('.');
  if (version !== 'k1' || !id || iv === undefined || tag === undefined || ct === undefined || extra !== undefined) throw new Error('Not a wrapped data key');
  const key = gcmOpen(masterKey(ring, id, 'data key'), iv, tag, ct, owner);
  if (key.length !== 32) throw new Error('Not a wrapped data key');
  return key;
}

/** Seals under a data key (`v2`). */
export function encryptWithKey(key: Buffer, plaintext: string): string {
  return ['v2', ...gcmSeal(key, Buffer.from(plaintext, 'utf8'))].join('.');
}

/** Opens a `v2` value with its data key. */
export function decryptWithKey(key: Buffer, stored: string): string {
  const [version, iv, tag, ct, extra] = stored.split('.');
  if (version !== 'v2' || iv === undefined || tag === undefined || ct === undefined || extra !== undefined) throw new Error('Not a field sealed under a data key');
  return gcmOpen(key, iv, tag, ct).toString('utf8');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
