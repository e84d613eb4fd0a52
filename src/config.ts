import { availableParallelism } from 'node:os';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isIP } from 'node:net';

export type DatabaseKind = 'sqlite' | 'postgresql';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  databaseKind: DatabaseKind;
  /** File path of the SQLite database; empty for PostgreSQL. */
  sqlitePath: string;
  publicUrl: string;
  sessionSecret: string;
  /** 32-byte key for AES-256-GCM field encryption, base64. */
  dataKey: string;
  smtpUrl: string;
  mailFrom: string;
  logLevel: string;
  /** Shows the "official website of the United States government" banner. */
  govBanner: boolean;
  /** Cookies marked Secure; on whenever PUBLIC_URL is https. */
  secureCookies: boolean;
  loginMaxFailures: number;
  loginLockMinutes: number;
  /** Requests per minute per client on the whole site. */
  rateLimitPerMinute: number;
  /** Counts from 1 to this threshold are suppressed in published statistics. */
  suppressionThreshold: number;
  /** Days after a referral closes before its client details and notes are purged. */
  referralRetentionDays: number;
  /** Days without action on a sent referral before the receiving organisation is reminded. */
  referralReminderDays: number;
  /** Days after sending before a referral nobody accepted or declined expires. */
  referralExpiryDays: number;
  /**
   * Cost of new password hashes: `standard` (OWASP's argon2id minimum, the default) or `test` (the cheapest
   * argon2id, for test suites that create hundreds of accounts; refused when NODE_ENV is production). Hashes carry
   * their own parameters, so either verifies under both.
   */
  passwordHashCost: 'standard' | 'test';
  /**
   * Which proxies in front of the app are believed about the client (`X-Forwarded-For`, `-Proto`, `-Host`): false
   * (the default: nobody), the addresses and CIDR ranges of the proxies, or the number of proxy hops in front.
   */
  trustProxy: false | number | string[];
  /** Bearer token that may read `/metrics`; empty for none. */
  metricsToken: string;
  /** Addresses and CIDR ranges that may read `/metrics` without the token. */
  metricsAllow: string[];
  /** Whether this node runs the scheduled jobs (`JOBS`, on by default). */
  jobs: boolean;
  /** How often this node looks for due job runs (`JOBS_POLL_SECONDS`). */
  jobsPollSeconds: number;
  /**
   * On SIGTERM, how long in-flight requests and job runs have to finish before the process closes what is left
   * and exits (`SHUTDOWN_GRACE_SECONDS`).
   */
  shutdownGraceSeconds: number;
  /**
   * How long a read (GET, HEAD) may work before it is stopped and answered 503 (`REQUEST_DEADLINE_SECONDS`); its
   * database work also stops when the client goes away.
   */
  requestDeadlineSeconds: number;
  /** Requests worked on at once; past it, a fast 503 with Retry-After (`MAX_REQUESTS_IN_FLIGHT`). */
  maxRequestsInFlight: number;
  /** Worker threads reading the SQLite database off the event loop (`SQLITE_READ_WORKERS`; 0: none). */
  sqliteReadWorkers: number;
  /**
   * Directory search answers kept in memory, per process, until the directory changes (`SEARCH_CACHE_ENTRIES`; 0
   * turns the cache off).
   */
  searchCacheEntries: number;
  /** Sign-in through an OpenID Connect provider (`OIDC_*`), or null when `OIDC_ISSUER` is not set. */
  oidc: OidcConfig | null;
}

export interface OidcConfig {
  /** The provider's issuer URL; its discovery document is at `/.well-known/openid-configuration` under it. */
  issuer: string;
  clientId: string;
  /** Empty for a public client (PKCE only). */
  clientSecret: string;
  /** Where the provider sends the person back: `OIDC_REDIRECT_URI`, by default PUBLIC_URL/login/oidc/callback. */
  redirectUri: string;
  /** The provider's name on the sign-in button (`OIDC_NAME`). */
  name: string;
}

/** `OIDC_*`: https only, except for a provider on this machine (development, tests). */
function parseOidc(env: NodeJS.ProcessEnv, publicUrl: string): OidcConfig | null {
  const issuer = (env.OIDC_ISSUER ?? '').trim();
  if (!issuer) {
    const stray = ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URI'].find((n) => (env[n] ?? '').trim() !== '');
    if (stray) throw new ConfigError('OIDC_ISSUER', `must be set when ${stray} is`);
    return null;
  }
  const url = (name: string, raw: string): URL => {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw new ConfigError(name, `is not a URL: "${raw}"`);
    }
    const local = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
    if (u.protocol !== 'https:' && !(u.protocol === 'http:' && local)) throw new ConfigError(name, `must be an https URL (http only for localhost), got "${raw}"`);
    return u;
  };
  url('OIDC_ISSUER', issuer);
  const clientId = (env.OIDC_CLIENT_ID ?? '').trim();
  if (!clientId) throw new ConfigError('OIDC_CLIENT_ID', 'must be set when OIDC_ISSUER is');
  const redirectUri = (env.OIDC_REDIRECT_URI ?? '').trim() || `${publicUrl}/login/oidc/callback`;
  if (!publicUrl.startsWith('http://') || (env.OIDC_REDIRECT_URI ?? '').trim()) url('OIDC_REDIRECT_URI', redirectUri);
  return { issuer, clientId, clientSecret: env.OIDC_CLIENT_SECRET ?? '', redirectUri, name: (env.OIDC_NAME ?? '').trim() || 'single sign-on' };
}

export class ConfigError extends Error {
  constructor(public readonly variable: string, reason: string) {
    super(`${variable}: ${reason}`);
  }
}

function parseIntVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function parseBool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

function parseHashCost(env: NodeJS.ProcessEnv): Config['passwordHashCost'] {
  const raw = env.PASSWORD_HASH_COST;
  if (raw === undefined || raw === '' || raw === 'standard') return 'standard';
  if (raw !== 'test') throw new ConfigError('PASSWORD_HASH_COST', `must be standard or test, got "${raw}"`);
  if (env.NODE_ENV === 'production') throw new ConfigError('PASSWORD_HASH_COST', 'test is refused when NODE_ENV is production');
  return 'test';
}

/** Names proxy-addr knows for whole ranges: 127.0.0.0/8 and ::1, fe80::/10 and 169.254.0.0/16, fc00::/7 and the RFC 1918 ranges. */
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address list: IPv4 or IPv6 addresses, CIDR ranges, or the range names above; comma-separated. */
function parseAddressList(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return [];
  const items = raw.split(',').map((s) => s.trim());
  for (const item of items) {
    if (item === '') throw new ConfigError(name, `has an empty entry in "${raw}"; separate addresses with single commas`);
    if (RANGE_NAMES.has(item)) continue;
    const [addr, bits, ...rest] = item.split('/');
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    const bitsOk = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= max);
    if (family === 0 || !bitsOk || rest.length) {
      throw new ConfigError(name, `"${item}" is not an IP address or a CIDR range such as 10.0.0.0/8 (names of hosts are not accepted)`);
    }
  }
  return items;
}

/**
 * `TRUST_PROXY`: off (the default), a hop count (1 for one proxy in front), or the proxies' addresses and ranges.
 * "true" is refused: believing X-Forwarded-For from anyone lets any client choose its address.
 */
function parseTrustProxy(env: NodeJS.ProcessEnv): Config['trustProxy'] {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || /^(off|false|no|none)$/i.test(raw)) return false;
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n < 1 || n > 10) throw new ConfigError('TRUST_PROXY', `a hop count must be between 1 and 10, got ${n} (use off for none)`);
    return n;
  }
  if (/^(true|yes|on|all|\*)$/i.test(raw)) {
    throw new ConfigError('TRUST_PROXY', `"${raw}" would believe forwarded headers from any client; give the proxies' addresses or ranges, or a hop count`);
  }
  if (/^-/.test(raw)) throw new ConfigError('TRUST_PROXY', `must be off, a hop count from 1 to 10, or addresses and CIDR ranges, got "${raw}"`);
  return parseAddressList(env, 'TRUST_PROXY');
}

/** `JOBS`: whether this node runs the scheduled jobs (on by default; tests and one-off servers turn it off). */
function parseJobs(env: NodeJS.ProcessEnv): boolean {
  const v = (env.JOBS ?? 'on').trim().toLowerCase();
  if (v === 'on' || v === '') return true;
  if (v === 'off') return false;
  throw new ConfigError('JOBS', `must be on or off, not "${env.JOBS}"`);
}

/** `METRICS_TOKEN`: long enough that it cannot be guessed; it is compared in constant time. */
function parseMetricsToken(env: NodeJS.ProcessEnv): string {
  const raw = env.METRICS_TOKEN ?? '';
  if (raw === '') return '';
  if (raw.length < 24 || !/^[\x21-\x7e]+$/.test(raw)) throw new ConfigError('METRICS_TOKEN', 'must be at least 24 printable characters without spaces');
  return raw;
}

export function databaseKindOf(url: string): DatabaseKind {
  if (url.startsWith('sqlite:')) return 'sqlite';
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return 'postgresql';
  throw new ConfigError('DATABASE_URL', `must start with sqlite: or postgres://, got "${url.split(':')[0]}:"`);
}

/**
 * Secrets missing from the environment are generated once and kept beside the embedded database, so that a
 * restart keeps sessions and encrypted fields readable. On PostgreSQL they must be given: app nodes share them.
 */
function embeddedSecret(dataDir: string, name: string, bytes: number): string {
  const file = resolve(dataDir, 'secrets.json');
  let secrets: Record<string, string> = {};
  if (existsSync(file)) secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  if (!secrets[name]) {
    secrets[name] = randomBytes(bytes).toString('base64');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets[name];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const databaseUrl = env.DATABASE_URL || 'sqlite:./data/taskforce.db';
  const databaseKind = databaseKindOf(databaseUrl);
  const sqlitePath = databaseKind === 'sqlite' ? databaseUrl.slice('sqlite:'.length) : '';
  if (databaseKind === 'sqlite' && sqlitePath === '') throw new ConfigError('DATABASE_URL', 'sqlite: needs a file path');
  const port = parseIntVar(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, '');
  try {
    new URL(publicUrl);
  } catch {
    throw new ConfigError('PUBLIC_URL', `is not a URL: "${publicUrl}"`);
  }
  const dataDir = sqlitePath && sqlitePath !== ':memory:' ? dirname(resolve(sqlitePath)) : resolve('data');
  const secret = (name: string, bytes: number): string => {
    const given = env[name];
    if (given) return given;
    if (databaseKind === 'postgresql' && env.NODE_ENV === 'production') {
      throw new ConfigError(name, 'must be set when running on PostgreSQL in production');
    }
    return embeddedSecret(dataDir, name, bytes);
  };
  const sessionSecret = secret('SESSION_SECRET', 48);
  if (sessionSecret.length < 32) throw new ConfigError('SESSION_SECRET', 'must be at least 32 characters');
  const dataKey = secret('DATA_KEY', 32);
  if (Buffer.from(dataKey, 'base64').length !== 32) throw new ConfigError('DATA_KEY', 'must be 32 bytes, base64-encoded');
  return {
    port,
    host,
    databaseUrl,
    databaseKind,
    sqlitePath,
    publicUrl,
    sessionSecret,
    dataKey,
    smtpUrl: env.SMTP_URL || '',
    mailFrom: env.MAIL_FROM || 'Taskforce Hub <no-reply@localhost>',
    logLevel: env.LOG_LEVEL || 'info',
    govBanner: parseBool(env, 'GOV_BANNER', false),
    secureCookies: publicUrl.startsWith('https:'),
    loginMaxFailures: parseIntVar(env, 'LOGIN_MAX_FAILURES', 5, 1, 100),
    loginLockMinutes: parseIntVar(env, 'LOGIN_LOCK_MINUTES', 15, 1, 24 * 60),
    rateLimitPerMinute: parseIntVar(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    suppressionThreshold: parseIntVar(env, 'SUPPRESSION_THRESHOLD', 10, 0, 1000),
    referralRetentionDays: parseIntVar(env, 'REFERRAL_RETENTION_DAYS', 90, 0, 3650),
    referralReminderDays: parseIntVar(env, 'REFERRAL_REMINDER_DAYS', 3, 1, 365),
    referralExpiryDays: parseIntVar(env, 'REFERRAL_EXPIRY_DAYS', 30, 1, 3650),
    passwordHashCost: parseHashCost(env),
    trustProxy: parseTrustProxy(env),
    metricsToken: parseMetricsToken(env),
    metricsAllow: parseAddressList(env, 'METRICS_ALLOW'),
    jobs: parseJobs(env),
    jobsPollSeconds: parseIntVar(env, 'JOBS_POLL_SECONDS', 30, 1, 3600),
    shutdownGraceSeconds: parseIntVar(env, 'SHUTDOWN_GRACE_SECONDS', 20, 1, 600),
    requestDeadlineSeconds: parseIntVar(env, 'REQUEST_DEADLINE_SECONDS', 30, 1, 3600),
    maxRequestsInFlight: parseIntVar(env, 'MAX_REQUESTS_IN_FLIGHT', 256, 1, 100_000),
    sqliteReadWorkers: parseIntVar(env, 'SQLITE_READ_WORKERS', Math.max(2, Math.min(4, availableParallelism() - 1)), 0, 64),
    searchCacheEntries: parseIntVar(env, 'SEARCH_CACHE_ENTRIES', 5000, 0, 1_000_000),
    oidc: parseOidc(env, publicUrl),
  };
}
