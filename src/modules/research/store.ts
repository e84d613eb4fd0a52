/** Reads of the research module: its own tables only; agencies come through the structure module's index. */
import type { Principal } from '../../platform/context.ts';
import { bool, json, type Db } from '../../platform/db/index.ts';
import { agencyIdsOfOrganization, allAgencies } from '../structure/index.ts';
import type { CallField } from './schema.ts';
import { researchDb, type CallTable, type SubmissionVersionTable } from './tables.ts';
import type { Row } from './values.ts';

const day = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v)).slice(0, 10);
const iso = (v: unknown) => new Date(v instanceof Date ? v.getTime() : String(v)).toISOString();
const isoOrNull = (v: unknown) => (v === null || v === undefined ? null : iso(v));

export interface Call {
  id: string;
  title: string;
  description: string | null;
  period_start: string;
  period_end: string;
  due_date: string;
  status: 'open' | 'closed';
  fields: CallField[];
  footnotes: string | null;
  /** Listed in the open data catalog with its compiled table (the chair's decision). */
  public: boolean;
  created_by: string;
  version: number;
  created_at: string;
  updated_at: string;
  agency_ids: string[];
}

export interface SubmissionVersion {
  version: number;
  rows: Row[];
  note: string | null;
  source: string;
  submitted_by: string;
  submitted_at: string;
  review: 'returned' | 'accepted' | null;
  review_note: string | null;
  reviewed_by: string | null;
  reviewed_at: string | null;
}

export interface Submission {
  id: string;
  call_id: string;
  agency_id: string;
  status: 'submitted' | 'returned' | 'accepted';
  current_version: number;
  updated_at: string;
  versions: SubmissionVersion[];
}

function toCall(r: CallTable, agencyIds: string[]): Call {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    period_start: day(r.period_start),
    period_end: day(r.period_end),
    due_date: day(r.due_date),
    status: r.status as Call['status'],
    fields: json<CallField[]>(r.fields, []),
    footnotes: r.footnotes,
    public: bool(r.public),
    created_by: r.created_by,
    version: Number(r.version),
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
    agency_ids: agencyIds,
  };
}

function toVersion(r: SubmissionVersionTable): SubmissionVersion {
  return {
    version: Number(r.version),
    rows: json<Row[]>(r.rows, []),
    note: r.note,
    source: r.source,
    submitted_by: r.submitted_by,
    submitted_at: iso(r.submitted_at),
    review: (r.review as SubmissionVersion['review']) ?? null,
    review_note: r.review_note,
    reviewed_by: r.reviewed_by,
    reviewed_at: isoOrNull(r.reviewed_at),
  };
}

export async function getCall(db: Db, id: string): Promise<Call | undefined> {
  const r = await researchDb(db).selectFrom('research_call').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) return undefined;
  const agencies = await researchDb(db).selectFrom('research_call_agency').select('agency_id').where('call_id', '=', id).execute();
  return toCall(r, agencies.map((a) => a.agency_id));
}

/** Calls, newest due date first; with `agencyIds`, only those asking one of these agencies. */
export async function listCalls(db: Db, o: { agencyIds?: readonly string[]; publicOnly?: boolean; limit?: number } = {}): Promise<Call[]> {
  let q = researchDb(db).selectFrom('research_call').selectAll();
  if (o.publicOnly) q = q.where('public', '=', true);
  if (o.agencyIds) {
    if (!o.agencyIds.length) return [];
    q = q.where('id', 'in', researchDb(db).selectFrom('research_call_agency').select('call_id').where('agency_id', 'in', [...o.agencyIds]));
  }
  const rows = await q.orderBy('due_date', 'desc').orderBy('id').limit(o.limit ?? 200).execute();
  if (!rows.length) return [];
  const links = await researchDb(db).selectFrom('research_call_agency').selectAll().where('call_id', 'in', rows.map((r) => r.id)).execute();
  return rows.map((r) => toCall(r, links.filter((l) => l.call_id === r.id).map((l) => l.agency_id)));
}

export async function getSubmission(db: Db, callId: string, agencyId: string): Promise<Submission | undefined> {
  const s = await researchDb(db).selectFrom('research_submission').selectAll().where('call_id', '=', callId).where('agency_id', '=', agencyId).executeTakeFirst();
  if (!s) return undefined;
  const versions = await researchDb(db).selectFrom('research_submission_version').selectAll().where('submission_id', '=', s.id).orderBy('version', 'desc').execute();
  return { id: s.id, call_id: s.call_id, agency_id: s.agency_id, status: s.status as Submission['status'], current_version: Number(s.current_version), updated_at: iso(s.updated_at), versions: versions.map(toVersion) };
}

/** Every submission of a call with its versions, by agency id. */
export async function submissionsOf(db: Db, callId: string): Promise<Map<string, Submission>> {
  const subs = await researchDb(db).selectFrom('research_submission').selectAll().where('call_id', '=', callId).execute();
  const out = new Map<string, Submission>();
  if (!subs.length) return out;
  const versions = await researchDb(db).selectFrom('research_submission_version').selectAll().where('submission_id', 'in', subs.map((s) => s.id)).orderBy('version', 'desc').execute();
  for (const s of subs) {
    out.set(s.agency_id, {
      id: s.id,
      call_id: s.call_id,
      agency_id: s.agency_id,
      status: s.status as Submission['status'],
      current_version: Number(s.current_version),
      updated_at: iso(s.updated_at),
      versions: versions.filter((v) => v.submission_id === s.id).map(toVersion),
    });
  }
  return out;
}

/** The agencies the principal's account organisation acts for (structure module, docs/structure.md). */
export async function agenciesOf(db: Db, p: Principal): Promise<ReadonlySet<string>> {
  if (p.kind !== 'person' && p.kind !== 'token') return new Set();
  return new Set(await agencyIdsOfOrganization(db, p.actor.organizationId));
}

export async function agencyNames(db: Db): Promise<Map<string, string>> {
  return new Map((await allAgencies(db)).map((a) => [a.id, a.abbreviation ? `${a.name} (${a.abbreviation})` : a.name]));
}

export async function remindersSent(db: Db, callId: string): Promise<Set<string>> {
  const rows = await researchDb(db).selectFrom('research_reminder').select(['agency_id', 'recipient', 'kind']).where('call_id', '=', callId).execute();
  return new Set(rows.map((r) => `${r.agency_id}/${r.recipient}/${r.kind}`));
}

export interface Snapshot {
  id: string;
  dataset: string;
  taken_at: string;
  media_type: string;
  sha256: string;
  size: number;
}

/** Snapshots, newest first (without their content); of one dataset when given. */
export async function listSnapshots(db: Db, o: { dataset?: string; limit?: number } = {}): Promise<Snapshot[]> {
  let q = researchDb(db).selectFrom('research_snapshot').select(['id', 'dataset', 'taken_at', 'media_type', 'sha256', 'size']);
  if (o.dataset) q = q.where('dataset', '=', o.dataset);
  const rows = await q.orderBy('taken_at', 'desc').orderBy('id').limit(o.limit ?? 200).execute();
  return rows.map((r) => ({ id: r.id, dataset: r.dataset, taken_at: iso(r.taken_at), media_type: r.media_type, sha256: r.sha256, size: Number(r.size) }));
}

export async function getSnapshot(db: Db, id: string): Promise<(Snapshot & { content: string }) | undefined> {
  const r = await researchDb(db).selectFrom('research_snapshot').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? { id: r.id, dataset: r.dataset, taken_at: iso(r.taken_at), media_type: r.media_type, sha256: r.sha256, size: Number(r.size), content: r.content } : undefined;
}

/** The latest instant each dataset was snapshotted (ISO), by dataset. */
export async function latestSnapshotDates(db: Db): Promise<Map<string, string>> {
  const rows = await researchDb(db).selectFrom('research_snapshot').select(['dataset', (eb) => eb.fn.max('taken_at').as('at')]).groupBy('dataset').execute();
  return new Map(rows.map((r) => [r.dataset, iso(r.at)]));
}

/** The latest acceptance of a submission (ISO), by call, for these calls. */
export async function lastAcceptedReviews(db: Db, callIds: readonly string[]): Promise<Map<string, string>> {
  if (!callIds.length) return new Map();
  const rows = await researchDb(db)
    .selectFrom('research_submission_version as v')
    .innerJoin('research_submission as s', 's.id', 'v.submission_id')
    .select(['s.call_id', (eb) => eb.fn.max('v.reviewed_at').as('at')])
    .where('s.call_id', 'in', [...callIds])
    .where('v.review', '=', 'accepted')
    .groupBy('s.call_id')
    .execute();
  return new Map(rows.filter((r) => r.at !== null).map((r) => [r.call_id, iso(r.at)]));
}
