/**
 * Test support: a real app on a fresh real database (a temporary SQLite file, or a new PostgreSQL database when
 * DATABASE_URL points at a server), and a client that signs in through the real login pages.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Signer } from '@fastify/cookie';
import pg from 'pg';
import * as OTPAuth from 'otpauth';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../config.ts';
import { openDatabase, type DatabaseHandle } from './db/index.ts';
import { migrate } from './db/migrator.ts';
import { systemCtx, type Ctx } from './context.ts';
import { beginMfaSetup, createUser, enableMfa, loadActor, mfaRequired, type Role, type UserRow } from './auth/index.ts';
import type { AppModule } from './module.ts';

export interface TestDatabase {
  handle: DatabaseHandle;
  config: Config;
  drop(): Promise<void>;
}

/**
 * The migrated template of this test run, made once by scripts/run-tests.mjs (scripts/test-template.ts): a SQLite
 * file to copy, or a PostgreSQL database to clone. A test file run on its own has none and migrates from scratch.
 */
const TEMPLATE_SQLITE = process.env.TFH_TEST_TEMPLATE_SQLITE;
const TEMPLATE_PG = process.env.TFH_TEST_TEMPLATE_PG;

async function createPgDatabase(base: string, name: string, template: string | undefined): Promise<void> {
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    if (!template) {
      await admin.query(`create database ${name}`);
      return;
    }
    // Another test's clone of the same template may hold it for a moment ("being accessed by other users").
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`create database ${name} template ${template}`);
        return;
      } catch (err) {
        if (attempt >= 20 || !/being accessed by other users/.test(String((err as Error).message))) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  } finally {
    await admin.end();
  }
}

export interface EmptyDatabase {
  /** Its DATABASE_URL. */
  url: string;
  drop(): Promise<void>;
}

/**
 * A new database of the kind DATABASE_URL names (SQLite when unset), nobody connected to it: empty, or a copy of
 * this run's migrated template with `fromTemplate`. `prefix` names it (PostgreSQL) or its folder (SQLite).
 */
export async function emptyDatabase(prefix: string, opts: { fromTemplate?: boolean; copyOf?: string } = {}): Promise<EmptyDatabase> {
  const base = process.env.DATABASE_URL;
  if (base && base.startsWith('postgres')) {
    const name = `${prefix}_${randomBytes(6).toString('hex')}`;
    await createPgDatabase(base, name, opts.fromTemplate ? TEMPLATE_PG : undefined);
    const url = new URL(base);
    url.pathname = '/' + name;
    return {
      url: url.toString(),
      async drop() {
        const c = new pg.Client({ connectionString: base });
        await c.connect();
        await c.query(`drop database if exists ${name} with (force)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const file = join(dir, `${prefix}.db`);
  if (opts.copyOf) copyFileSync(opts.copyOf, file);
  else if (opts.fromTemplate && TEMPLATE_SQLITE && existsSync(TEMPLATE_SQLITE)) copyFileSync(TEMPLATE_SQLITE, file);
  return { url: `sqlite:${file}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A new, migrated, empty database of the kind DATABASE_URL names (SQLite when unset). `copyOf`: on SQLite, a copy
 * of this database file instead (the browser tests' seeded template; give its keys in `env`).
 */
export async function testDatabase(env: Record<string, string> = {}, opts: { copyOf?: string } = {}): Promise<TestDatabase> {
  const secrets = { SESSION_SECRET: randomBytes(32).toString('base64'), DATA_KEY: randomBytes(32).toString('base64') };
  const empty = await emptyDatabase('tfh_test', { fromTemplate: true, copyOf: process.env.DATABASE_URL?.startsWith('postgres') ? undefined : opts.copyOf });
  const config = loadConfig({ ...process.env, ...secrets, ...env, DATABASE_URL: empty.url, LOG_LEVEL: 'silent' });
  const handle = openDatabase(config);
  // Quick on a copy of the template: it only confirms that every migration is applied.
  await migrate(handle);
  return {
    handle,
    config,
    async drop() {
      await handle.close();
      await empty.drop();
    },
  };
}

/** `fn` run as the system on a new test database (testDatabase), dropped afterwards whatever happens. */
export async function withSystemDb<T>(fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  const db = await testDatabase();
  try {
    return await fn(systemCtx(db.handle, db.config, 'test'));
  } finally {
    await db.drop();
  }
}

export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestApp {
  app: FastifyInstance;
  db: TestDatabase;
  ctx: Ctx;
  /** Accounts of each role, created on demand; roles that must use a second factor have it set up. */
  user(role: Role): Promise<TestUser>;
  client(): TestClient;
  /**
   * A client signed in as this role's account. The session is made directly (see `TestClient.startSession`);
   * tests about signing in use `TestClient.signIn`, which goes through the real sign-in pages.
   */
  signedIn(role: Role): Promise<TestClient>;
  close(): Promise<void>;
}

export interface TestUser extends UserRow {
  password: string;
  totpSecret?: string;
}

export function totpCode(secret: string, at = Date.now()): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at });
}

export async function testApp(opts: { env?: Record<string, string>; extraModules?: AppModule[] } = {}): Promise<TestApp> {
  const db = await testDatabase(opts.env);
  const { buildApp } = await import('../app.tsx');
  const app = await buildApp({ config: db.config, database: db.handle, logger: false, extraModules: opts.extraModules });
  await app.ready();
  const ctx = systemCtx(db.handle, db.config, 'test');
  const users = new Map<Role, TestUser>();
  let counter = 0;
  const t: TestApp = {
    app,
    db,
    ctx,
    async user(role) {
      const existing = users.get(role);
      if (existing) return existing;
      const u = await makeUser(ctx, role, `${role}-${++counter}@test.example`);
      users.set(role, u);
      return u;
    },
    client: () => new TestClient(app, ctx),
    async signedIn(role) {
      const u = await t.user(role);
      const c = new TestClient(app, ctx);
      await c.startSession(u);
      return c;
    },
    async close() {
      await app.close();
      await db.drop();
    },
  };
  return t;
}

export async function makeUser(ctx: Ctx, role: Role, email: string, organization = 'Test Organization'): Promise<TestUser> {
  const row = await createUser(ctx, { email, name: `Test ${role}`, role, organization, password: TEST_PASSWORD });
  const u: TestUser = { ...row, password: TEST_PASSWORD };
  if (mfaRequired(role)) {
    const { secret } = await beginMfaSetup(ctx, row.id);
    await enableMfa(ctx, row.id, totpCode(secret));
    u.totpSecret = secret;
    u.mfa_enabled = true;
  }
  return u;
}

/** Pulls the CSRF token out of a page's form. */
/**
 * Every row of these tables (a module's, with `audit_events`), as one comparable string: a policy test takes it
 * before and after a refused command to prove that nothing changed.
 */
export async function snapshotTables(ctx: Ctx, tables: readonly string[]): Promise<string> {
  const out: Record<string, string[]> = {};
  for (const table of tables) out[table] = (await ctx.db.selectFrom(table).selectAll().execute()).map((r) => JSON.stringify(r)).sort();
  return JSON.stringify(out);
}

/** A command context acting as this account, as a signed-in session would (for calling commands directly). */
export async function ctxAs(ctx: Ctx, u: Pick<UserRow, 'id' | 'role'>): Promise<Ctx> {
  const actor = await loadActor(ctx.db, u.id, 'session');
  if (!actor) throw new Error(`no account ${u.id}`);
  return { ...ctx, system: undefined, actor, requestId: `test-${u.role}` };
}

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in page');
  return m[1];
}

/** A browser-like client over app.inject: keeps cookies, sends CSRF tokens, follows nothing by itself. */
export class TestClient {
  cookies = new Map<string, string>();
  csrf = '';
  /** The client's network address as the app sees it (`req.ip`), for tests of limits kept per address. */
  address = '127.0.0.1';
  constructor(private readonly app: FastifyInstance, private readonly ctx: Ctx) {}

  private keep(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return res;
  }

  private cookieHeader(): string | undefined {
    if (!this.cookies.size) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(method: string, url: string, opts: { json?: unknown; form?: Record<string, string | string[]>; headers?: Record<string, string>; csrf?: boolean } = {}) {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    let payload: string | undefined;
    if (opts.json !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(opts.json);
    } else if (opts.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.form)) for (const x of [v].flat()) p.append(k, x);
      if (opts.csrf !== false && this.csrf && !('_csrf' in opts.form)) p.append('_csrf', this.csrf);
      payload = p.toString();
    }
    if (opts.csrf !== false && this.csrf && opts.form === undefined && !['GET', 'HEAD'].includes(method)) headers['x-csrf-token'] = this.csrf;
    return this.keep(await this.app.inject({ method: method as 'GET', url, headers, payload, remoteAddress: this.address }));
  }

  get(url: string, headers?: Record<string, string>) {
    return this.request('GET', url, { headers });
  }

  /**
   * Posts a multipart/form-data form with one file, as a browser sends a form with a file input: the fields (and the
   * CSRF token, unless `csrf` is false) before the file.
   */
  async postFile(url: string, fields: Record<string, string>, file: { field: string; name: string; type: string; data: string | Buffer }, opts: { headers?: Record<string, string>; csrf?: boolean } = {}) {
    const boundary = `----tfh${randomBytes(12).toString('hex')}`;
    const parts: Buffer[] = [];
    const all = opts.csrf !== false && this.csrf ? { _csrf: this.csrf, ...fields } : fields;
    for (const [k, v] of Object.entries(all)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), Buffer.from(file.data), Buffer.from(`\r\n--${boundary}--\r\n`));
    const headers: Record<string, string> = { ...(opts.headers ?? {}), 'content-type': `multipart/form-data; boundary=${boundary}` };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    return this.keep(await this.app.inject({ method: 'POST', url, headers, payload: Buffer.concat(parts), remoteAddress: this.address }));
  }

  /** Fetches a fresh CSRF token for this session, as a page with a form would. */
  async refreshCsrf(): Promise<string> {
    const res = await this.get('/api/session');
    const body = res.json() as { csrf_token?: string };
    if (body.csrf_token) this.csrf = body.csrf_token;
    return this.csrf;
  }

  /**
   * Signs in without the sign-in pages: writes the session row a completed sign-in (password and, where the role
   * needs it, second factor) leaves, and holds its signed cookie. For tests about something else than signing in.
   */
  async startSession(u: TestUser): Promise<void> {
    const sid = randomBytes(24).toString('base64url');
    const maxAge = 8 * 3600_000;
    const expires = new Date(Date.now() + maxAge).toISOString();
    const data = { cookie: { originalMaxAge: maxAge, expires, httpOnly: true, path: '/', sameSite: 'lax', secure: false }, userId: u.id };
    await this.ctx.db
      .insertInto('sessions')
      .values({ sid, user_id: u.id, data: JSON.stringify(data), expires_at: expires, created_at: new Date().toISOString(), ip: '127.0.0.1', user_agent: 'test' })
      .execute();
    this.cookies.set('sid', new Signer(this.ctx.config.sessionSecret, 'sha256').sign(sid));
    await this.refreshCsrf();
    if (!this.csrf) throw new Error('the direct session was not accepted');
  }

  async signIn(u: TestUser): Promise<void> {
    const page = await this.get('/login');
    this.csrf = csrfFrom(page.body);
    const res = await this.request('POST', '/login', { form: { email: u.email, password: u.password } });
    if (res.statusCode !== 302) throw new Error(`sign-in failed: ${res.statusCode}`);
    if (String(res.headers.location).startsWith('/login/mfa')) {
      if (!u.totpSecret) throw new Error('account needs a second factor but has no secret');
      // Each code is accepted once; tests sign in more often than every 30 s, so forget the last step used.
      await this.ctx.db.updateTable('users').set({ totp_last_step: null }).where('id', '=', u.id).execute();
      const mfaPage = await this.get('/login/mfa');
      this.csrf = csrfFrom(mfaPage.body);
      const r2 = await this.request('POST', '/login/mfa', { form: { code: totpCode(u.totpSecret) } });
      if (r2.statusCode !== 302) throw new Error(`second factor failed: ${r2.statusCode}`);
    }
    await this.refreshCsrf();
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const REPO_ROOT = join(import.meta.dirname, '..', '..');

/**
 * Runs the real command line with these arguments, extra environment and standard input: the same `main` that
 * `bin/taskforce.js` runs, its configuration read from this environment, its output captured.
 *
 * By default inside this process (a new process pays tsx and the whole module graph, 1 to 3 s of CPU, each time).
 * In its own process (`bin/taskforce.js`) when the process is what is tested (`{ process: true }`: exit codes set by
 * the process itself, signals, what a shell sees), for `serve`, with TFH_TEST_HOOKS (chosen when the command line
 * loads), or for every call with TFH_CLI_PROCESS=1.
 */
export async function runCli(args: string[], env: Record<string, string>, stdin = '', opts: { process?: boolean } = {}): Promise<CliRun> {
  const fullEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent', SMTP_URL: '', ...env, TASKFORCE_CLI: '1' };
  const ownProcess =
    opts.process || process.env.TFH_CLI_PROCESS === '1' || args[0] === 'serve' || (fullEnv.TFH_TEST_HOOKS ?? '') !== (process.env.TFH_TEST_HOOKS ?? '');
  if (!ownProcess) {
    const { main } = await import('../main.ts');
    const { capturedIo } = await import('./cli/io.ts');
    const io = capturedIo(fullEnv, stdin);
    const code = await main(args, io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  }
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'taskforce.js'), ...args], {
      cwd: REPO_ROOT,
      env: fullEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

export interface TestMailServer {
  /** `SMTP_URL` for the app under test. */
  url: string;
  /**
   * Every message received: envelope recipients, the message with quoted-printable soft breaks undone (`data`, for
   * matching links whole) and as sent (`raw`, for readMail).
   */
  received: { to: string[]; data: string; raw: string }[];
  close(): Promise<void>;
}

/** Bytes written as =XX (quoted-printable, and Q encoded words with _ for a space) back to text, as UTF-8. */
function unQuote(s: string, underscores: boolean): string {
  const bytes: number[] = [];
  const src = underscores ? s.replace(/_/g, ' ') : s;
  for (let i = 0; i < src.length; i++) {
    const hex = src[i] === '=' ? src.slice(i + 1, i + 3) : '';
    if (/^[0-9A-F]{2}$/i.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(src[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * A received message's subject and body as a reader sees them: RFC 2047 encoded words in the subject and a
 * quoted-printable or base64 body decoded (the messages the product sends are single-part plain text).
 */
export function readMail(message: { raw: string }): { subject: string; body: string } {
  const data = message.raw;
  const split = data.indexOf('\r\n\r\n');
  const head = data.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const raw = data.slice(split + 4);
  const header = (name: string) => head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`))?.slice(name.length + 1).trim() ?? '';
  const subject = header('Subject')
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, text: string) => (enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : unQuote(text, true)));
  const encoding = header('Content-Transfer-Encoding').toLowerCase();
  const body = encoding === 'base64' ? Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('utf8') : encoding === 'quoted-printable' ? unQuote(raw.replace(/=\r\n/g, ''), false) : raw;
  return { subject, body: body.replace(/\r\n/g, '\n') };
}

/** A real SMTP server on a free loopback port that keeps what it receives. */
export async function testMailServer(): Promise<TestMailServer> {
  const received: TestMailServer['received'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, done) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
      stream.on('end', () => {
        // Undo quoted-printable soft line breaks so that links can be matched whole.
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data: data.replace(/=\r\n/g, ''), raw: data });
        done();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A free TCP port on the loopback address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface ServeProcess {
  base: string;
  child: ChildProcess;
  output(): string;
  /** Sends SIGTERM and waits for the process to end. */
  stop(): Promise<void>;
}

/**
 * A real app node: `taskforce serve` in its own process on a free port, with this environment (give it the test
 * database's DATABASE_URL and secrets), answered once `/healthz` does.
 */
export async function serveProcess(env: Record<string, string>): Promise<ServeProcess> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'taskforce.js'), 'serve'], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', SMTP_URL: '', RATE_LIMIT_PER_MINUTE: '1000000', ...env, PORT: String(port), HOST: '127.0.0.1', TASKFORCE_CLI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((ok) => child.once('exit', ok));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${base}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`server did not start: ${output}`);
    }
    await new Promise((ok) => setTimeout(ok, 200));
  }
  return { base, child, output: () => output, stop };
}
