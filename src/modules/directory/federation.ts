/**
 * Federation (issue 12 item 6): sources that administrators register (an HSDS API base URL, a data package URL or a
 * file path on the server), pulled on their schedule by the job `directory.federation` or by hand. A pull asks with
 * a conditional request (If-None-Match / If-Modified-Since): a 304 writes nothing and is recorded on the source.
 * Otherwise what was fetched is imported through the importer as that source, a full snapshot, recorded in the
 * import history; only added and changed records are written. The server fetches the addresses itself: only
 * directory managers (administrators) may register a source.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, openSync, readSync, closeSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { authorize } from '../../platform/policy.ts';
import { badRequest, notFound, type FieldError } from '../../platform/http/errors.ts';
import { bool, newId, type Db } from '../../platform/db/index.ts';
import { managesDirectory } from './policies.ts';
import { checkSourceName } from './snapshot.ts';
import { ImportRefused, importPath } from './import.ts';
import { matchSource, preferActive } from './federation-match.ts';

type Loose = Kysely<Record<string, Record<string, unknown>>>;
const loose = (db: Db) => db as unknown as Loose;

export const SOURCE_KINDS = ['hsds-api', 'package-url', 'path'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
export const SCHEDULES = ['hourly', 'daily', 'weekly'] as const;
export type SourceSchedule = (typeof SCHEDULES)[number];
const INTERVAL: Record<SourceSchedule, number> = { hourly: 3_600_000, daily: 86_400_000, weekly: 7 * 86_400_000 };

/** What one pull may fetch and for how long; tests lower them. */
export const PULL_LIMITS = { bytes: 512 * 1024 * 1024, pages: 10_000, perPage: 100, timeoutMs: 10 * 60_000, resources: 100 };

export interface Source {
  id: string;
  name: string;
  kind: SourceKind;
  location: string;
  schedule: SourceSchedule;
  enabled: boolean;
  next_pull_at: string | null;
  last_pull_at: string | null;
  last_result: string | null;
  last_import_id: string | null;
  /** The import history entry of the last pull when its import was refused (null after any other outcome). */
  last_refusal_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface SourceInput {
  name?: unknown;
  kind?: unknown;
  location?: unknown;
  schedule?: unknown;
  enabled?: unknown;
}

const iso = (x: unknown): string | null => (x === null || x === undefined ? null : x instanceof Date ? x.toISOString() : new Date(String(x)).toISOString());

function rowToSource(r: Record<string, unknown>): Source {
  return {
    id: String(r.id),
    name: String(r.name),
    kind: r.kind as SourceKind,
    location: String(r.location),
    schedule: r.schedule as SourceSchedule,
    enabled: bool(r.enabled as never),
    next_pull_at: iso(r.next_pull_at),
    last_pull_at: iso(r.last_pull_at),
    last_result: (r.last_result as string | null) ?? null,
    last_import_id: (r.last_import_id as string | null) ?? null,
    last_refusal_id: (r.last_refusal_id as string | null) ?? null,
    created_at: iso(r.created_at)!,
    updated_at: iso(r.updated_at)!,
  };
}

/** Checks a source as typed; every problem names its field. */
export function checkSource(input: SourceInput): { value: Omit<Source, 'id' | 'next_pull_at' | 'last_pull_at' | 'last_result' | 'last_import_id' | 'last_refusal_id' | 'created_at' | 'updated_at'>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const str = (x: unknown) => (typeof x === 'string' ? x.trim() : '');
  const name = str(input.name);
  const nameProblem = checkSourceName(name);
  if (nameProblem) errors.push({ field: 'name', message: nameProblem });
  const kind = str(input.kind) as SourceKind;
  if (!SOURCE_KINDS.includes(kind)) errors.push({ field: 'kind', message: `must be one of: ${SOURCE_KINDS.join(', ')}` });
  const location = str(input.location);
  if (!location) errors.push({ field: 'location', message: 'is required' });
  else if (location.length > 2000) errors.push({ field: 'location', message: 'must be at most 2000 characters' });
  else if (kind === 'path') {
    if (!isAbsolute(location) || /[\u0000-\u001f]/.test(location)) errors.push({ field: 'location', message: 'must be an absolute path on the server' });
  } else if (SOURCE_KINDS.includes(kind)) {
    let url: URL | null = null;
    try {
      url = new URL(location);
    } catch {
      url = null;
    }
    if (!url || !['http:', 'https:'].includes(url.protocol) || !url.hostname) errors.push({ field: 'location', message: 'must be an http or https address' });
    else if (url.username || url.password) errors.push({ field: 'location', message: 'must not carry a user name or password' });
  }
  const schedule = str(input.schedule) as SourceSchedule;
  if (!SCHEDULES.includes(schedule)) errors.push({ field: 'schedule', message: `must be one of: ${SCHEDULES.join(', ')}` });
  const e = input.enabled;
  const enabled = e === undefined || e === true || e === 'true' || e === 'on' || e === '1';
  if (e !== undefined && !enabled && !(e === false || e === 'false' || e === '0' || e === '')) errors.push({ field: 'enabled', message: 'must be boolean' });
  return { value: { name, kind, location, schedule, enabled }, errors };
}

export async function listSources(ctx: Ctx): Promise<Source[]> {
  authorize(ctx, managesDirectory(ctx));
  return (await loose(ctx.db).selectFrom('directory_source').selectAll().orderBy('name').execute()).map(rowToSource);
}

export async function getSource(ctx: Ctx, id: string): Promise<Source> {
  authorize(ctx, managesDirectory(ctx));
  const r = await loose(ctx.db).selectFrom('directory_source').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw notFound('No such source.');
  return rowToSource(r);
}

async function nameTaken(db: Db, name: string, except: string | null): Promise<boolean> {
  let q = loose(db).selectFrom('directory_source').select('id').where('name', '=', name);
  if (except) q = q.where('id', '<>', except);
  return !!(await q.executeTakeFirst());
}

/** Registers a source; its first pull is due at once. */
export async function registerSource(ctx: Ctx, input: SourceInput): Promise<Source> {
  authorize(ctx, managesDirectory(ctx));
  const { value, errors } = checkSource(input);
  if (errors.length) throw badRequest(errors);
  return runCommand(ctx, async (trx, audit) => {
    authorize(ctx, managesDirectory(ctx));
    if (await nameTaken(trx, value.name, null)) throw badRequest([{ field: 'name', message: 'is already the name of another source' }]);
    const now = new Date().toISOString();
    const id = newId();
    await loose(trx).insertInto('directory_source').values({ id, ...value, enabled: value.enabled, validators: null, next_pull_at: now, last_pull_at: null, last_result: null, last_import_id: null, last_refusal_id: null, created_at: now, updated_at: now }).execute();
    await audit({ action: 'directory.source.register', entityType: 'directory_source', entityId: id, summary: value });
    return rowToSource((await loose(trx).selectFrom('directory_source').selectAll().where('id', '=', id).executeTakeFirstOrThrow()));
  });
}

/** Changes a source; a new address or kind forgets what the last pull was told, so the next pull fetches it whole. */
export async function updateSource(ctx: Ctx, id: string, input: SourceInput): Promise<Source> {
  authorize(ctx, managesDirectory(ctx));
  const { value, errors } = checkSource(input);
  if (errors.length) throw badRequest(errors);
  return runCommand(ctx, async (trx, audit) => {
    authorize(ctx, managesDirectory(ctx));
    const before = await loose(trx).selectFrom('directory_source').selectAll().where('id', '=', id).executeTakeFirst();
    if (!before) throw notFound('No such source.');
    if (before.name !== value.name) {
      if (await nameTaken(trx, value.name, id)) throw badRequest([{ field: 'name', message: 'is already the name of another source' }]);
      // The name is what provenance and snapshots record: renaming a source that has been pulled would orphan them.
      if (before.last_import_id) throw badRequest([{ field: 'name', message: 'cannot change once the source has been pulled' }]);
    }
    const moved = before.location !== value.location || before.kind !== value.kind;
    const now = new Date().toISOString();
    await loose(trx).updateTable('directory_source').set({ ...value, ...(moved ? { validators: null } : {}), updated_at: now }).where('id', '=', id).execute();
    await audit({ action: 'directory.source.update', entityType: 'directory_source', entityId: id, summary: value });
    return rowToSource((await loose(trx).selectFrom('directory_source').selectAll().where('id', '=', id).executeTakeFirstOrThrow()));
  });
}

export interface PullResult {
  source: string;
  /** 'not-modified': the source answered 304 (or the files are as they were); nothing was imported. */
  outcome: 'imported' | 'not-modified' | 'failed';
  detail: string;
  importId: string | null;
  /** The import history entry of a refused import (failed outcome); null otherwise. */
  refusalId?: string | null;
}

class PullFailed extends Error {}

interface Fetched {
  status: number;
  etag: string | null;
  lastModified: string | null;
}

/** What the last pull was told per address (ETag, Last-Modified), for the next pull's conditional requests. */
type Validators = Record<string, { etag: string | null; lastModified: string | null }>;

function readValidators(x: unknown): Validators {
  try {
    const v = JSON.parse(String(x ?? '{}')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Validators) : {};
  } catch {
    return {};
  }
}

/**
 * Fetches into a file within the limits; a conditional request when validators are given. `missingIsEnd`: a 404 (or
 * 400, 416) is answered as that status instead of failing the pull (a page past the end of a list).
 */
async function fetchTo(url: string, file: string, validators: { etag?: string | null; lastModified?: string | null }, deadline: number, budget: { bytes: number }, missingIsEnd = false): Promise<Fetched> {
  const headers: Record<string, string> = { accept: 'application/json, application/zip, */*' };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  const left = deadline - Date.now();
  if (left <= 0) throw new PullFailed(`took longer than ${PULL_LIMITS.timeoutMs / 1000} s`);
  let res: Response;
  try {
    res = await fetch(url, { headers, redirect: 'follow', signal: AbortSignal.timeout(left) });
  } catch (err) {
    throw new PullFailed(`${url} could not be fetched: ${(err as Error).message}`);
  }
  const out = { status: res.status, etag: res.headers.get('etag'), lastModified: res.headers.get('last-modified') };
  if (res.status === 304) return out;
  if (missingIsEnd && [400, 404, 416].includes(res.status)) {
    await res.body?.cancel();
    return out;
  }
  if (!res.ok || !res.body) throw new PullFailed(`${url} answered ${res.status}`);
  const declared = Number(res.headers.get('content-length'));
  if (declared > budget.bytes) throw new PullFailed(`${url} is larger than the limit of ${PULL_LIMITS.bytes} bytes`);
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  body.on('data', (b: Buffer) => {
    budget.bytes -= b.length;
    if (budget.bytes < 0) body.destroy(new PullFailed(`${url}: the pull is larger than the limit of ${PULL_LIMITS.bytes} bytes`));
  });
  try {
    await pipeline(body, createWriteStream(file));
  } catch (err) {
    throw err instanceof PullFailed ? err : new PullFailed(`${url} could not be read: ${(err as Error).message}`);
  }
  return out;
}

const withSlash = (base: string) => (base.endsWith('/') ? base : base + '/');

/** An API page as read from its file: the 3.0 page envelope, or a failed pull. */
function readPage(file: string, url: string): { contents: unknown[]; last: boolean; total: number } {
  let env: { contents?: unknown; last_page?: unknown; total_pages?: unknown };
  try {
    env = JSON.parse(readFileSync(file, 'utf8')) as typeof env;
  } catch (err) {
    throw new PullFailed(`${url} is not JSON: ${(err as Error).message}`);
  }
  if (!env || typeof env !== 'object' || !Array.isArray(env.contents)) throw new PullFailed(`${url} is not an HSDS page (no contents)`);
  return { contents: env.contents, last: env.last_page === true || env.contents.length === 0, total: Number(env.total_pages) };
}

/**
 * Walks an HSDS 3.0 API's /services pages (full service objects) into one NDJSON file the importer reads. Every page
 * the last pull read is asked conditionally, and the page after the last of them once (services added on a new
 * page). The source is unchanged only when every page answers 304; when any changed, the pages that answered 304 are
 * asked again whole, since the importer reads the source as one snapshot (a page left out would make its services
 * leave the directory).
 */
async function pullApi(src: Source, dir: string, validators: Validators, next: Validators, deadline: number): Promise<Fetched> {
  const budget = { bytes: PULL_LIMITS.bytes };
  const out = join(dir, 'service_full.ndjson');
  const pageUrl = (page: number) => {
    const url = new URL('services', withSlash(src.location));
    url.searchParams.set('page', String(page));
    url.searchParams.set('per_page', String(PULL_LIMITS.perPage));
    url.searchParams.set('full', 'true');
    return url.href;
  };
  const pages: { url: string; file: string; status: number }[] = [];
  let first: Fetched | null = null;
  for (let page = 1; page <= PULL_LIMITS.pages + 1; page++) {
    const url = pageUrl(page);
    const file = join(dir, `page-${page}.json`);
    const remembered = validators[url];
    // The page after the last the previous pull read: asked whole, and its absence is the end of the list.
    const beyond = page > 1 && !remembered && !!validators[pageUrl(page - 1)] && pages.at(-1)?.status === 304;
    if (page > PULL_LIMITS.pages) {
      if (beyond) break;
      throw new PullFailed(`more than ${PULL_LIMITS.pages} pages`);
    }
    const got = await fetchTo(url, file, remembered ?? {}, deadline, budget, beyond);
    if (page === 1) first = got;
    if (got.status === 304) {
      next[url] = remembered;
      pages.push({ url, file, status: 304 });
      continue;
    }
    if (beyond && got.status !== 200) break;
    const read = readPage(file, url);
    if (beyond && !read.contents.length) break;
    next[url] = { etag: got.etag, lastModified: got.lastModified };
    pages.push({ url, file, status: got.status });
    if (read.last || (Number.isFinite(read.total) && page >= read.total)) break;
  }
  if (pages.every((p) => p.status === 304)) return { ...first!, status: 304 };
  for (const p of pages) {
    if (p.status === 304) {
      const got = await fetchTo(p.url, p.file, {}, deadline, budget);
      next[p.url] = { etag: got.etag, lastModified: got.lastModified };
    }
    writeFileSync(out, readPage(p.file, p.url).contents.map((c) => JSON.stringify(c) + '\n').join(''), { flag: 'a' });
    rmSync(p.file);
  }
  return { ...first!, status: 200 };
}

/**
 * Downloads a data package: a zip, or a datapackage.json and the resources it lists (relative to it). Each address
 * is asked conditionally; the package is unchanged only when every one of them answers 304, and when any changed
 * the others are fetched whole, since the importer reads the package as one snapshot.
 */
async function pullPackage(src: Source, dir: string, validators: Validators, next: Validators, deadline: number): Promise<Fetched & { path: string }> {
  const budget = { bytes: PULL_LIMITS.bytes };
  const tmp = join(dir, 'download');
  const remember = (url: string, got: Fetched) => {
    if (got.status !== 304) next[url] = { etag: got.etag, lastModified: got.lastModified };
    else if (validators[url]) next[url] = validators[url];
  };
  let got = await fetchTo(src.location, tmp, validators[src.location] ?? {}, deadline, budget);
  remember(src.location, got);
  const unchangedRoot = got.status === 304;
  // A datapackage.json answering 304 is read again to learn its resources, which may have changed on their own.
  if (unchangedRoot && !/\.json(\?|$)/i.test(new URL(src.location).pathname)) return { ...got, path: tmp };
  if (unchangedRoot) got = { ...(await fetchTo(src.location, tmp, {}, deadline, budget)), status: 304 };
  const head = Buffer.alloc(4);
  const fd = openSync(tmp, 'r');
  readSync(fd, head, 0, 4, 0);
  closeSync(fd);
  if (head[0] === 0x50 && head[1] === 0x4b) {
    const zip = join(dir, 'package.zip');
    writeFileSync(zip, readFileSync(tmp));
    rmSync(tmp);
    return { ...got, path: zip };
  }
  let pkg: { resources?: { path?: unknown }[] };
  try {
    pkg = JSON.parse(readFileSync(tmp, 'utf8')) as typeof pkg;
  } catch {
    throw new PullFailed(`${src.location} is neither a zip nor JSON`);
  }
  const folder = join(dir, 'package');
  mkdirSync(folder);
  if (!pkg || !Array.isArray(pkg.resources)) {
    writeFileSync(join(folder, 'data.json'), readFileSync(tmp));
    return { ...got, status: 200, path: folder };
  }
  writeFileSync(join(folder, 'datapackage.json'), readFileSync(tmp));
  const paths = pkg.resources.map((r) => r.path).filter((p): p is string => typeof p === 'string');
  if (paths.length > PULL_LIMITS.resources) throw new PullFailed(`the package lists more than ${PULL_LIMITS.resources} resources`);
  const resources: { url: string; target: string; status: number }[] = [];
  for (const p of paths) {
    const target = normalize(join(folder, p));
    const rel = relative(folder, target);
    // Only files beside the package, never another address or a path leaving the folder.
    if (/^[a-z][a-z0-9+.-]*:/i.test(p) || isAbsolute(p) || !rel || rel.startsWith('..')) continue;
    mkdirSync(dirname(target), { recursive: true });
    const url = new URL(p, src.location).href;
    const r = await fetchTo(url, target, validators[url] ?? {}, deadline, budget);
    remember(url, r);
    resources.push({ url, target, status: r.status });
  }
  if (unchangedRoot && resources.every((r) => r.status === 304)) return { ...got, status: 304, path: folder };
  for (const r of resources) if (r.status === 304) await fetchTo(r.url, r.target, {}, deadline, budget);
  return { ...got, status: 200, path: folder };
}

/** A file path's fingerprint: every file's name, size and time, so an unchanged folder is not imported again. */
function fingerprint(path: string): string {
  const h = createHash('sha256');
  const walk = (p: string, depth: number) => {
    const st = statSync(p);
    h.update(`${p}\u0000${st.size}\u0000${st.mtimeMs}\n`);
    if (st.isDirectory() && depth < 4) for (const f of readdirSync(p).sort()) walk(join(p, f), depth + 1);
  };
  walk(path, 0);
  return `"${h.digest('hex').slice(0, 32)}"`;
}

/**
 * Pulls one source now and imports what changed. Who pulls is who the import is recorded as (a person, or the
 * system job). A failure is recorded on the source and answered, not thrown.
 */
export async function pullSource(ctx: Ctx, id: string, log: (line: string) => void = () => {}): Promise<PullResult> {
  authorize(ctx, managesDirectory(ctx));
  const row = await loose(ctx.db).selectFrom('directory_source').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('No such source.');
  const src = rowToSource(row);
  const validators = readValidators(row.validators);
  const started = new Date();
  const deadline = started.getTime() + PULL_LIMITS.timeoutMs;
  const dir = mkdtempSync(join(tmpdir(), 'directory-pull-'));
  let result: PullResult;
  let next: Validators = {};
  try {
    let path: string;
    let got: Fetched;
    if (src.kind === 'hsds-api') {
      got = await pullApi(src, dir, validators, next, deadline);
      path = dir;
    } else if (src.kind === 'package-url') {
      const p = await pullPackage(src, dir, validators, next, deadline);
      got = p;
      path = p.path;
    } else {
      let print: string;
      try {
        print = fingerprint(src.location);
      } catch (err) {
        throw new PullFailed(`${src.location} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      got = { status: print === validators[src.location]?.etag ? 304 : 200, etag: print, lastModified: null };
      next[src.location] = { etag: print, lastModified: null };
      path = src.location;
    }
    if (got.status === 304) {
      next = validators;
      result = { source: src.name, outcome: 'not-modified', detail: 'not modified since the last pull: nothing written', importId: null };
    } else {
      const report = await importPath(ctx, path, { source: src.name, progress: log });
      result = { source: src.name, outcome: 'imported', detail: `${report.found}: ${report.added} added, ${report.changed} changed, ${report.unchanged} unchanged, ${report.removed} removed, ${report.quarantined.length} quarantined`, importId: report.importId };
    }
  } catch (err) {
    if (!(err instanceof PullFailed) && !(err instanceof Error && 'status' in err && (err as { status: number }).status === 400)) throw err;
    const first = (err as { errors?: FieldError[] }).errors?.[0];
    result = { source: src.name, outcome: 'failed', detail: first ? `${err.message} (${first.field}: ${first.message})` : err.message, importId: null, refusalId: err instanceof ImportRefused ? err.historyId : null };
    next = validators;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const finished = new Date().toISOString();
  await runCommand(ctx, async (trx, audit) => {
    authorize(ctx, managesDirectory(ctx));
    // The same service from another source, under another id: matched (only new matches are written).
    if (result.importId) {
      const matched = await matchSource(trx, src.name, finished, started.toISOString());
      if (matched.services) result.detail += `; ${matched.services} matched with another source's`;
      if (matched.organizations) result.detail += `; ${matched.organizations} organisation(s) matched with another source's`;
      // A source leaving the record that stood for a match: the other, still listed, stands for it now.
      await preferActive(trx);
    }
    await loose(trx)
      .updateTable('directory_source')
      .set({ validators: JSON.stringify(next), last_pull_at: finished, last_result: `${result.outcome}: ${result.detail}`, next_pull_at: new Date(started.getTime() + INTERVAL[src.schedule]).toISOString(), last_refusal_id: result.refusalId ?? null, ...(result.importId ? { last_import_id: result.importId } : {}) })
      .where('id', '=', id)
      .execute();
    await audit({ action: 'directory.source.pull', entityType: 'directory_source', entityId: id, summary: { outcome: result.outcome, detail: result.detail, import_id: result.importId, refusal_id: result.refusalId ?? null } });
  });
  log(`${src.name}: ${result.outcome}: ${result.detail}`);
  return result;
}

/** The job `directory.federation`: pulls every enabled source whose pull is due. */
export async function pullDueSources(ctx: Ctx, now: Date, log: (line: string) => void = () => {}): Promise<string> {
  authorize(ctx, managesDirectory(ctx));
  const due = await loose(ctx.db)
    .selectFrom('directory_source')
    .select(['id', 'enabled'])
    .where('enabled', '=', true as never)
    .where((eb) => eb.or([eb('next_pull_at', 'is', null), eb('next_pull_at', '<=', now.toISOString())]))
    .orderBy('name')
    .execute();
  const results: PullResult[] = [];
  for (const d of due) results.push(await pullSource(ctx, String(d.id), log));
  if (!results.length) return 'no source due';
  return results.map((r) => `${r.source}: ${r.outcome}`).join('; ');
}

