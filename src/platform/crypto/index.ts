import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Field encryption with AES-256-GCM. A value is stored as `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url), so
 * that keys can be rotated: new values use the current key, old values name the key that can open them.
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

export function encryptField(ring: KeyRing, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', ring.current.key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ['v1', ring.current.id, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
}

export function decryptField(ring: KeyRing, stored: string): string {
  const [version, id, iv, tag, ct] = stored.split('.');
  if (version !== 'v1' || !id || iv === undefined || tag === undefined || ct === undefined) throw new Error('Not an encrypted field');
  const key = ring.all.get(id);
  if (!key) throw new Error(`No key ${id} in DATA_KEY to open this field`);
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
