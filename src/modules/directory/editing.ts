/**
 * Providers edit their own listings through review. A steward (an account organisation that acts for a directory
 * organisation) proposes new values for the organisation, one of its services or one of its locations; the proposal
 * keeps the values it was based on. A reviewer (directory.manage) approves it, which applies the change, verifies
 * the service and reindexes it, or returns it with a reason. Capacity (beds tonight) is too time-sensitive for
 * review: stewards set it directly, audited.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { Updateable } from 'kysely';
import type { Actor, Ctx } from '../../platform/context.ts';
import { bool, isUuid, json, newId, nowIso, toJson, type Db } from '../../platform/db/index.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { badRequest, conflict, fieldError, HttpError, notFound } from '../../platform/http/errors.ts';
import { validate } from '../../platform/http/validation.ts';
import { Nullable } from '../../platform/http/schemas.ts';
import { authorize } from '../../platform/policy.ts';
import { getUser, listOrganizations } from '../../platform/auth/index.ts';
import { translator } from '../../platform/web/i18n.ts';
import { send } from '../../platform/mail/index.ts';
import { editsListing, NOT_STEWARD, proposes, reviewsProposals, seesConfidential, seesProposal, setsCapacity, withdrawsProposal } from './policies.ts';
import { isSteward } from './stewards.ts';
import { reindexServices } from './store.ts';
import { directoryChanged } from './search-cache.ts';
import { writeSearchPoints } from './search-points.ts';
import { resolvePlace, PlaceError } from './search.ts';
import { today } from './store.ts';
import { directoryDb, type ProposalTable } from './tables.ts';

export const TARGET_TYPES = ['organization', 'service', 'location'] as const;
export type TargetType = (typeof TARGET_TYPES)[number];

/** The fields a steward may change, per kind of record, in the order forms and diffs show them. */
export const FIELDS: Record<TargetType, readonly string[]> = {
  organization: ['description', 'website', 'email'],
  service: ['name', 'description', 'eligibility_description', 'application_process', 'fees_description', 'url', 'email', 'status', 'hours', 'languages', 'phones'],
  location: ['address_1', 'address_2', 'city', 'state_province', 'postal_code', 'country'],
};

export const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
/** HSDS 3.0's service statuses. */
export const SERVICE_STATUSES = ['active', 'inactive', 'defunct', 'temporarily closed'] as const;

// ---------- input schemas (shared by the API and the forms) ----------

const OptionalNullable = <T extends TSchema>(s: T) => Type.Optional(Nullable(s));
const Text = (max: number, description?: string) => OptionalNullable(Type.String({ maxLength: max, description }));
const Url = OptionalNullable(Type.String({ maxLength: 2000, format: 'uri', pattern: '^https?://', description: 'A web address starting with http:// or https://.' }));
const Email = OptionalNullable(Type.String({ maxLength: 254, format: 'email' }));
const Time = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: '24-hour time, HH:MM.' });

export const HoursRow = Type.Object(
  {
    byday: Type.Optional(Type.Array(Type.Union(DAYS.map((d) => Type.Literal(d))), { maxItems: 7, uniqueItems: true, description: 'Weekdays (RFC 5545 codes MO ... SU).' })),
    opens_at: Type.Optional(Time),
    closes_at: Type.Optional(Time),
    description: Type.Optional(Type.String({ maxLength: 500, description: 'Free text, e.g. "By appointment".' })),
  },
  { additionalProperties: false },
);
export const PhoneRow = Type.Object(
  {
    number: Type.String({ minLength: 1, maxLength: 50, pattern: '^[0-9()+\\-. ]+$', description: 'Digits, spaces and ( ) + - . only.' }),
    extension: OptionalNullable(Type.Integer({ minimum: 0, maximum: 99999999 })),
    description: OptionalNullable(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);

export const OrganizationChanges = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 20000 })),
    website: Url,
    email: Email,
  },
  { additionalProperties: false, description: 'New values for the organisation; fields left out stay as they are, null clears a field.' },
);
export const ServiceChanges = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    description: Text(20000),
    eligibility_description: Text(20000, 'Who can get the service.'),
    application_process: Text(4000, 'How to apply.'),
    fees_description: Text(4000, 'What it costs.'),
    url: Url,
    email: Email,
    status: Type.Optional(Type.Union(SERVICE_STATUSES.map((s) => Type.Literal(s)))),
    hours: Type.Optional(Type.Array(HoursRow, { maxItems: 14, description: 'The weekly hours; replaces all of them.' })),
    languages: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 30, description: 'Languages spoken, by name; replaces all of them.' })),
    phones: Type.Optional(Type.Array(PhoneRow, { maxItems: 10, description: "The service's own phones; replaces all of them." })),
  },
  { additionalProperties: false, description: 'New values for the service; fields left out stay as they are, null clears a field.' },
);
export const LocationChanges = Type.Object(
  {
    address_1: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })),
    address_2: Text(4000),
    city: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    state_province: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    postal_code: Type.Optional(Type.String({ minLength: 1, maxLength: 20, pattern: '^[A-Za-z0-9 -]+$' })),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 code, e.g. US.' })),
  },
  { additionalProperties: false, description: "New values for the location's street address; a confidential location stays confidential." },
);
export const CHANGES: Record<TargetType, TSchema> = { organization: OrganizationChanges, service: ServiceChanges, location: LocationChanges };

export const ApproveInput = Type.Object({ confirm_stale: Type.Optional(Type.Boolean({ description: 'Apply even though the record changed since the proposal was made (after comparing).' })) }, { additionalProperties: false });
export const ReturnInput = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000, description: 'What the provider should change; sent to them through the site, not by e-mail.' }) }, { additionalProperties: false });
export const CapacityInput = Type.Object(
  {
    available: Type.Integer({ minimum: 0, maximum: 100000, description: 'Units available now (e.g. beds tonight).' }),
    maximum: OptionalNullable(Type.Integer({ minimum: 0, maximum: 100000 })),
  },
  { additionalProperties: false },
);

// ---------- the current values of a record ----------

type Values = Record<string, unknown>;
export interface HoursValue {
  byday: string[];
  opens_at: string | null;
  closes_at: string | null;
  description: string | null;
}
export interface PhoneValue {
  number: string;
  extension: number | null;
  description: string | null;
}

interface Current {
  organizationId: string | null;
  name: string;
  confidential: boolean;
  values: Values;
}

const str = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const dayOrder = (d: string) => DAYS.indexOf(d as (typeof DAYS)[number]);

function hoursOf(rows: Values[]): HoursValue[] {
  return rows
    .map((r) => ({
      byday: String(r.byday ?? '')
        .split(',')
        .map((d) => d.trim().slice(-2).toUpperCase())
        .filter((d) => dayOrder(d) >= 0)
        .sort((a, b) => dayOrder(a) - dayOrder(b)),
      opens_at: str(r.opens_at),
      closes_at: str(r.closes_at),
      description: str(r.description),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
const languagesOf = (names: unknown[]) => [...new Map(names.map((n) => String(n ?? '').trim()).filter(Boolean).map((n) => [n.toLowerCase(), n])).values()].sort((a, b) => a.localeCompare(b));
const phonesOf = (rows: Values[]): PhoneValue[] =>
  rows.map((p) => ({ number: String(p.number ?? '').trim(), extension: p.extension === null || p.extension === undefined || p.extension === '' ? null : Number(p.extension), description: str(p.description) })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** Values in one canonical form, so that equal listings compare equal whatever order or blanks they came in. */
export function normalise(type: TargetType, v: Values): Values {
  const out: Values = {};
  for (const f of FIELDS[type]) {
    if (f === 'hours') out[f] = hoursOf(((v[f] as Values[] | undefined) ?? []).map((h) => ({ ...h, byday: Array.isArray(h.byday) ? h.byday.join(',') : h.byday })));
    else if (f === 'languages') out[f] = languagesOf((v[f] as unknown[] | undefined) ?? []);
    else if (f === 'phones') out[f] = phonesOf((v[f] as Values[] | undefined) ?? []);
    else if (type === 'organization' && f === 'description') out[f] = String(v[f] ?? '').trim();
    else out[f] = typeof v[f] === 'string' ? str((v[f] as string).trim()) : str(v[f]);
  }
  return out;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

// A service's own rows of a child table: not those of one of its locations, contacts or service-at-locations.
const ownSchedules = (db: Db, serviceId: string) =>
  directoryDb(db).selectFrom('directory_schedule').selectAll().where('service_id', '=', serviceId).where('location_id', 'is', null).where('service_at_location_id', 'is', null).orderBy('id').execute();
const ownLanguages = (db: Db, serviceId: string) =>
  directoryDb(db).selectFrom('directory_language').selectAll().where('service_id', '=', serviceId).where('phone_id', 'is', null).where('location_id', 'is', null).orderBy('id').execute();
const ownPhones = (db: Db, serviceId: string) =>
  directoryDb(db)
    .selectFrom('directory_phone')
    .selectAll()
    .where('service_id', '=', serviceId)
    .where('location_id', 'is', null)
    .where('service_at_location_id', 'is', null)
    .where('contact_id', 'is', null)
    .orderBy('id')
    .execute();

/** The address a location is found at: its physical one, else any. */
async function addressRow(db: Db, locationId: string) {
  const rows = await directoryDb(db).selectFrom('directory_address').selectAll().where('location_id', '=', locationId).orderBy('id').execute();
  return rows.find((a) => a.address_type !== 'postal') ?? rows[0];
}

export async function currentValues(db: Db, type: TargetType, id: string): Promise<Current | undefined> {
  if (!isUuid(id)) return undefined;
  if (type === 'organization') {
    const o = await directoryDb(db).selectFrom('directory_organization').selectAll().where('id', '=', id).executeTakeFirst();
    if (!o) return undefined;
    return { organizationId: id, name: o.name, confidential: false, values: normalise(type, o) };
  }
  if (type === 'service') {
    const s = await directoryDb(db).selectFrom('directory_service').selectAll().where('id', '=', id).executeTakeFirst();
    if (!s) return undefined;
    const [hours, languages, phones] = await Promise.all([ownSchedules(db, id), ownLanguages(db, id), ownPhones(db, id)]);
    const values = normalise(type, { ...s, hours, languages: languages.map((l) => l.name ?? l.code), phones });
    return { organizationId: str(s.organization_id), name: s.name, confidential: false, values };
  }
  const loc = await directoryDb(db).selectFrom('directory_location').selectAll().where('id', '=', id).executeTakeFirst();
  if (!loc) return undefined;
  const addr = await addressRow(db, id);
  return { organizationId: str(loc.organization_id), name: loc.name ?? '', confidential: bool(loc.confidential), values: normalise(type, addr ?? {}) };
}

function checkComplete(type: TargetType, v: Values): void {
  const required = type === 'service' ? ['name', 'status'] : type === 'location' ? ['address_1', 'city', 'state_province', 'postal_code', 'country'] : [];
  const missing = required.filter((f) => v[f] === null || v[f] === '');
  if (missing.length) throw badRequest(missing.map((field) => ({ field, message: 'is required' })));
  if (type === 'service') {
    (v.hours as HoursValue[]).forEach((h, i) => {
      if ((h.opens_at === null) !== (h.closes_at === null)) throw fieldError(`hours.${i}.${h.opens_at === null ? 'opens_at' : 'closes_at'}`, 'give both the opening and the closing time, or neither');
      if (!h.byday.length && h.opens_at === null && h.description === null) throw fieldError(`hours.${i}.byday`, 'give days, times or a description');
    });
  }
}

// ---------- proposals ----------

export const PROPOSAL_STATUSES = ['pending', 'approved', 'returned', 'withdrawn'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

export interface Proposal {
  id: string;
  target_type: TargetType;
  target_id: string;
  target_name: string;
  organization_id: string;
  organization_name: string;
  status: ProposalStatus;
  reason: string | null;
  fields: string[];
  proposer_id: string;
  proposer_organization_id: string;
  proposer_organization_name: string;
  created_at: string;
  reviewed_at: string | null;
  confidential: boolean;
}

export interface FieldDiff {
  field: string;
  /** The value when the proposal was made. */
  base: unknown;
  proposed: unknown;
  /** The value now. */
  current: unknown;
  /** Someone changed this field since the proposal was made. */
  stale: boolean;
}

export interface ProposalDetail extends Proposal {
  /** The changed fields only; values are null when the caller may not see a confidential location's address. */
  diff: FieldDiff[];
  /** The record was changed since the proposal was made, in a field the proposal changes (or was removed). */
  stale: boolean;
  gone: boolean;
  redacted: boolean;
}

const iso = (v: unknown) => (v ? new Date(String(v)).toISOString() : null);

function proposalQuery(db: Db) {
  return directoryDb(db)
    .selectFrom('directory_proposal as p')
    .leftJoin('directory_organization as o', 'o.id', 'p.organization_id')
    .leftJoin('directory_location as l', 'l.id', 'p.target_id')
    .select(['p.id', 'p.target_type', 'p.target_id', 'p.target_name', 'p.organization_id', 'o.name as organization_name', 'p.status', 'p.reason', 'p.base', 'p.proposed', 'p.proposer_id', 'p.proposer_organization_id', 'p.created_at', 'p.reviewed_at', 'l.confidential']);
}

/** Account organisations' names by id; they belong to the platform, which lists them. */
async function accountOrganizationNames(db: Db): Promise<Map<string, string>> {
  return new Map((await listOrganizations(db)).map((o) => [o.id, o.name]));
}

type ProposalRow = Awaited<ReturnType<ReturnType<typeof proposalQuery>['executeTakeFirstOrThrow']>>;

function toProposal(r: ProposalRow, accountNames: Map<string, string>): Proposal & { base: Values; proposed: Values } {
  const base = json<Values>(r.base, {});
  const proposed = json<Values>(r.proposed, {});
  const type = r.target_type;
  const confidential = type === 'location' && bool(r.confidential);
  return {
    id: r.id,
    target_type: type,
    target_id: r.target_id,
    target_name: r.target_name,
    organization_id: r.organization_id,
    organization_name: r.organization_name ?? '',
    status: r.status,
    reason: str(r.reason),
    fields: FIELDS[type].filter((f) => !same(base[f], proposed[f])),
    proposer_id: r.proposer_id,
    proposer_organization_id: r.proposer_organization_id,
    proposer_organization_name: accountNames.get(r.proposer_organization_id) ?? '',
    created_at: iso(r.created_at)!,
    reviewed_at: iso(r.reviewed_at),
    confidential,
    base,
    proposed,
  };
}

const publicPart = ({ base: _b, proposed: _p, ...rest }: Proposal & { base: Values; proposed: Values }): Proposal => rest;

/** A confidential location's name is as secret as its address: unvetted callers see a placeholder. */
export const displayName = (p: Pick<Proposal, 'target_name' | 'confidential'>, vetted: boolean) => (p.confidential && !vetted ? 'Confidential location' : p.target_name);

export async function listProposals(db: Db, filter: { status?: ProposalStatus; proposerId?: string }, limit: number, offset: number): Promise<{ items: Proposal[]; total: number }> {
  let base = directoryDb(db).selectFrom('directory_proposal as p');
  if (filter.status) base = base.where('p.status', '=', filter.status);
  if (filter.proposerId) base = base.where('p.proposer_id', '=', filter.proposerId);
  const total = Number((await base.select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
  let q = proposalQuery(db);
  if (filter.status) q = q.where('p.status', '=', filter.status);
  if (filter.proposerId) q = q.where('p.proposer_id', '=', filter.proposerId);
  // The review queue is first come, first served; a provider's own list shows the newest first.
  const rows = await q.orderBy('p.created_at', filter.proposerId ? 'desc' : 'asc').orderBy('p.id').limit(limit).offset(offset).execute();
  const names = await accountOrganizationNames(db);
  return { total, items: rows.map((r) => publicPart(toProposal(r, names))) };
}

async function loadProposal(db: Db, id: string) {
  if (!isUuid(id)) return undefined;
  const r = await proposalQuery(db).where('p.id', '=', id).executeTakeFirst();
  return r ? toProposal(r, await accountOrganizationNames(db)) : undefined;
}

function diffOf(p: Proposal & { base: Values; proposed: Values }, current: Values | undefined): FieldDiff[] {
  return p.fields.map((field) => {
    const now = current ? current[field] : null;
    return { field, base: p.base[field] ?? null, proposed: p.proposed[field] ?? null, current: now ?? null, stale: !current || (!same(now, p.base[field]) && !same(now, p.proposed[field])) };
  });
}

/**
 * One proposal with its field-by-field diff, for its proposer and for reviewers; undefined for anyone else (who
 * learns nothing, not even that it exists).
 */
export async function proposalDetail(db: Db, id: string, actor: Actor | null): Promise<ProposalDetail | undefined> {
  const p = await loadProposal(db, id);
  if (!p || !actor || !seesProposal(actor, p)) return undefined;
  const cur = await currentValues(db, p.target_type, p.target_id);
  let diff = diffOf(p, cur?.values);
  const stale = p.status === 'pending' && diff.some((d) => d.stale);
  const vetted = seesConfidential({ actor });
  // The proposer typed the new address and may see it again; the old and current ones stay with vetted roles.
  const redacted = p.confidential && !vetted;
  if (redacted) diff = diff.map((d) => ({ ...d, base: null, current: null, proposed: p.proposer_id === actor.id ? d.proposed : null }));
  if (p.status !== 'pending') diff = diff.map((d) => ({ ...d, stale: false }));
  return { ...publicPart(p), target_name: displayName(p, vetted), diff, stale, gone: !cur, redacted };
}

/** Whether the caller's account organisation stewards the listing of this directory organisation. */
async function stewarded(db: Db, ctx: Ctx, organizationId: string | null): Promise<boolean> {
  return Boolean(ctx.actor && organizationId && (await isSteward(db, ctx.actor.organizationId, organizationId)));
}

/** Whether the caller may edit this record's listing (a steward of its organisation). */
export async function canEdit(ctx: Ctx, organizationId: string | null): Promise<boolean> {
  return editsListing(ctx, await stewarded(ctx.db, ctx, organizationId));
}

/** Stores a proposed change to a record of a listing the caller's organisation stewards. */
export async function proposeChange(ctx: Ctx, type: TargetType, targetId: string, raw: unknown): Promise<Proposal> {
  authorize(ctx, proposes(ctx));
  const actor = ctx.actor!;
  const id = await runCommand(ctx, async (trx, audit) => {
    const cur = await currentValues(trx, type, targetId);
    if (!cur) throw notFound(`No such ${type}.`);
    // A listing without an organisation has no steward: past this line organizationId is not null.
    authorize(ctx, editsListing(ctx, await stewarded(trx, ctx, cur.organizationId)), NOT_STEWARD);
    const changes = validate(CHANGES[type], raw) as Values;
    const proposed = normalise(type, { ...cur.values, ...changes });
    checkComplete(type, proposed);
    const fields = FIELDS[type].filter((f) => !same(proposed[f], cur.values[f]));
    if (!fields.length) throw badRequest([{ field: 'body', message: 'proposes no change: every value is the same as the listing now' }]);
    const id = newId();
    await directoryDb(trx)
      .insertInto('directory_proposal')
      .values({ id, target_type: type, target_id: targetId, target_name: cur.name, organization_id: cur.organizationId!, base: toJson(cur.values), proposed: toJson(proposed), status: 'pending', reason: null, proposer_id: actor.id, proposer_organization_id: actor.organizationId, created_at: nowIso(), reviewed_at: null, reviewer_id: null })
      .execute();
    // Field names only: a confidential location's address must not reach the audit log.
    await audit({ action: 'directory.proposal.create', entityType: `directory_${type}`, entityId: targetId, summary: { proposal_id: id, fields } });
    return id;
  });
  return publicPart((await loadProposal(ctx.db, id))!);
}

// ---------- applying an approved proposal ----------

const LANGUAGE_CODES: Record<string, string> = { english: 'en', spanish: 'es', español: 'es', french: 'fr', chinese: 'zh', mandarin: 'zh', cantonese: 'yue', vietnamese: 'vi', korean: 'ko', amharic: 'am', arabic: 'ar', portuguese: 'pt', 'haitian creole': 'ht', tagalog: 'tl', russian: 'ru', somali: 'so', tigrinya: 'ti', hindi: 'hi', urdu: 'ur', farsi: 'fa', persian: 'fa', dari: 'prs', pashto: 'ps', swahili: 'sw', 'american sign language': 'ase', asl: 'ase' };

async function applyService(trx: Db, id: string, changed: string[], v: Values, reviewer: Actor) {
  const db = directoryDb(trx);
  const set: Values = { last_modified: nowIso(), assured_date: today(), assurer_email: reviewer.email };
  for (const f of changed) if (!['hours', 'languages', 'phones'].includes(f)) set[f] = v[f];
  await db.updateTable('directory_service').set(set).where('id', '=', id).execute();
  if (changed.includes('hours')) {
    const old = await ownSchedules(trx, id);
    if (old.length) await db.deleteFrom('directory_schedule').where('id', 'in', old.map((r) => r.id)).execute();
    for (const h of v.hours as HoursValue[]) {
      await db.insertInto('directory_schedule').values({ id: newId(), service_id: id, freq: h.byday.length ? 'WEEKLY' : null, byday: h.byday.join(',') || null, opens_at: h.opens_at, closes_at: h.closes_at, description: h.description }).execute();
    }
  }
  if (changed.includes('languages')) {
    const old = await ownLanguages(trx, id);
    if (old.length) await db.deleteFrom('directory_language').where('id', 'in', old.map((r) => r.id)).execute();
    for (const name of v.languages as string[]) await db.insertInto('directory_language').values({ id: newId(), service_id: id, name, code: LANGUAGE_CODES[name.toLowerCase()] ?? null }).execute();
  }
  if (changed.includes('phones')) {
    const old = await ownPhones(trx, id);
    const oldIds = old.map((r) => r.id);
    if (oldIds.length) {
      await db.deleteFrom('directory_language').where('phone_id', 'in', oldIds).execute();
      await db.deleteFrom('directory_phone').where('id', 'in', oldIds).execute();
    }
    for (const p of v.phones as PhoneValue[]) {
      // A number that stays keeps its type (voice, fax, text ...), which the form does not ask for.
      const type = old.find((o) => o.number.trim() === p.number)?.type ?? null;
      await db.insertInto('directory_phone').values({ id: newId(), service_id: id, number: p.number, extension: p.extension, description: p.description, type }).execute();
    }
  }
}

async function applyLocation(trx: Db, id: string, changed: string[], v: Values) {
  const db = directoryDb(trx);
  const addr = await addressRow(trx, id);
  const fields = Object.fromEntries(FIELDS.location.map((f) => [f, v[f]]));
  if (addr) await db.updateTable('directory_address').set(Object.fromEntries(changed.map((f) => [f, v[f]]))).where('id', '=', addr.id).execute();
  // The proposal's values are checked (checkComplete) but typed as plain Values: this insert stays untyped.
  else await trx.insertInto('directory_address').values({ id: newId(), location_id: id, address_type: 'physical', ...fields }).execute();
  if (changed.some((f) => f === 'postal_code' || f === 'address_1')) {
    // A moved location gets its new ZIP code's centre, marked approximate, rather than keeping the old point.
    try {
      const p = resolvePlace(String(v.postal_code).slice(0, 5));
      await db.updateTable('directory_location').set({ latitude: p.lat, longitude: p.lng, coordinates_approximate: true }).where('id', '=', id).execute();
    } catch (err) {
      if (!(err instanceof PlaceError)) throw err;
      await db.updateTable('directory_location').set({ latitude: null, longitude: null, coordinates_approximate: false }).where('id', '=', id).execute();
    }
  }
}

async function notifyProposer(ctx: Ctx, proposalId: string, proposerId: string): Promise<void> {
  const user = await getUser(ctx.db, proposerId);
  if (!user || user.disabled) return;
  // A link only: the listing's details, and any reason given, stay on the site behind sign-in.
  const link = `${ctx.config.publicUrl}/directory/proposals/${proposalId}`;
  // In the language the proposer last used the workspace in.
  const t = translator(user.lang);
  try {
    await send(ctx.config, { to: user.email, subject: t('directory.proposal.mail.subject'), text: t('directory.proposal.mail.text', { url: link }) });
  } catch (err) {
    // The review stands even if the mail server is down; the proposer also sees the outcome on "My listings".
    process.stderr.write(`directory: review notice not sent (${(err as Error).message})\n`);
  }
}

async function pendingProposal(trx: Db, id: string) {
  const p = await loadProposal(trx, id);
  if (!p) throw notFound('No such proposal.');
  if (p.status !== 'pending') throw conflict(`This proposal was already ${p.status}.`);
  return p;
}

/** Ends a pending proposal; two people acting on it at once cannot both succeed (the loser's transaction rolls back). */
async function markReviewed(trx: Db, id: string, set: Updateable<ProposalTable>): Promise<void> {
  const res = await directoryDb(trx).updateTable('directory_proposal').set(set).where('id', '=', id).where('status', '=', 'pending').executeTakeFirst();
  if (!Number(res.numUpdatedRows)) throw conflict('This proposal was reviewed meanwhile by someone else.');
}

/**
 * Applies a proposal, in one transaction with its audit event. If someone changed a field the proposal changes
 * since it was made, the answer is 409 naming those fields unless the reviewer confirms after comparing.
 */
export async function approveProposal(ctx: Ctx, id: string, raw: unknown): Promise<ProposalDetail> {
  authorize(ctx, reviewsProposals(ctx));
  const reviewer = ctx.actor!;
  const input = validate(ApproveInput, raw);
  const p = await runCommand(ctx, async (trx, audit) => {
    const p = await pendingProposal(trx, id);
    const cur = await currentValues(trx, p.target_type, p.target_id);
    if (!cur) throw conflict(`The ${p.target_type} no longer exists; return the proposal instead.`);
    const stale = diffOf(p, cur.values).filter((d) => d.stale).map((d) => d.field);
    if (stale.length && !input.confirm_stale) {
      throw new HttpError(409, 'Conflict', `The record changed since this proposal was made (${stale.join(', ')}). Compare the values, then approve with confirm_stale, or return it.`, stale.map((field) => ({ field, message: 'changed since the proposal was made' })));
    }
    if (p.target_type === 'organization') await directoryDb(trx).updateTable('directory_organization').set(Object.fromEntries(p.fields.map((f) => [f, f === 'description' ? (p.proposed[f] ?? '') : p.proposed[f]]))).where('id', '=', p.target_id).execute();
    else if (p.target_type === 'service') await applyService(trx, p.target_id, p.fields, p.proposed, reviewer);
    else await applyLocation(trx, p.target_id, p.fields, p.proposed);
    // Search reads a service's own fields, its organisation's name (text) and its locations' points.
    if (p.target_type === 'service') await reindexServices(trx, [p.target_id]);
    else if (p.target_type === 'organization') await reindexServices(trx, (await directoryDb(trx).selectFrom('directory_service').select('id').where('organization_id', '=', p.target_id).execute()).map((r) => r.id));
    else await reindexServices(trx, (await directoryDb(trx).selectFrom('directory_service_at_location').select('service_id').where('location_id', '=', p.target_id).execute()).map((r) => r.service_id));
    await markReviewed(trx, id, { status: 'approved', reviewed_at: nowIso(), reviewer_id: reviewer.id });
    await audit({ action: 'directory.proposal.approve', entityType: `directory_${p.target_type}`, entityId: p.target_id, summary: { proposal_id: id, fields: p.fields, stale_confirmed: stale } });
    if (p.target_type === 'service') await audit({ action: 'directory.service.verified', entityType: 'directory_service', entityId: p.target_id, summary: { assured_date: today(), by: 'review' } });
    return p;
  });
  await notifyProposer(ctx, id, p.proposer_id);
  return (await proposalDetail(ctx.db, id, reviewer))!;
}

/** Sends a proposal back to its proposer with a reason; nothing in the listing changes. */
export async function returnProposal(ctx: Ctx, id: string, raw: unknown): Promise<ProposalDetail> {
  authorize(ctx, reviewsProposals(ctx));
  const reviewer = ctx.actor!;
  const input = validate(ReturnInput, raw);
  const p = await runCommand(ctx, async (trx, audit) => {
    const p = await pendingProposal(trx, id);
    await markReviewed(trx, id, { status: 'returned', reason: input.reason.trim(), reviewed_at: nowIso(), reviewer_id: reviewer.id });
    await audit({ action: 'directory.proposal.return', entityType: `directory_${p.target_type}`, entityId: p.target_id, summary: { proposal_id: id } });
    return p;
  });
  await notifyProposer(ctx, id, p.proposer_id);
  return (await proposalDetail(ctx.db, id, reviewer))!;
}

/** The proposer takes back a proposal still awaiting review; anyone else learns nothing (404). */
export async function withdrawProposal(ctx: Ctx, id: string): Promise<ProposalDetail> {
  authorize(ctx, proposes(ctx));
  const actor = ctx.actor!;
  await runCommand(ctx, async (trx, audit) => {
    const p = await loadProposal(trx, id);
    if (!p || !withdrawsProposal(ctx, p)) throw notFound('No such proposal.');
    if (p.status !== 'pending') throw conflict(`This proposal was already ${p.status}.`);
    await markReviewed(trx, id, { status: 'withdrawn', reviewed_at: nowIso() });
    await audit({ action: 'directory.proposal.withdraw', entityType: `directory_${p.target_type}`, entityId: p.target_id, summary: { proposal_id: id } });
  });
  return (await proposalDetail(ctx.db, id, actor))!;
}

// ---------- capacity ----------

export interface Capacity {
  id: string;
  service_id: string;
  available: number;
  maximum: number | null;
  unit: string;
  description: string | null;
  updated: string;
}

async function capacitiesWhere(db: Db, col: 'c.id' | 'c.service_id', ids: string[]): Promise<Capacity[]> {
  if (!ids.length) return [];
  const rows = await directoryDb(db)
    .selectFrom('directory_service_capacity as c')
    .leftJoin('directory_unit as u', 'u.id', 'c.unit_id')
    .select(['c.id', 'c.service_id', 'c.available', 'c.maximum', 'c.description', 'c.updated', 'u.name as unit'])
    .where(col, 'in', ids)
    .orderBy('c.id')
    .execute();
  return rows.map((r) => ({ id: r.id, service_id: r.service_id, available: r.available, maximum: r.maximum, unit: r.unit ?? '', description: str(r.description), updated: new Date(r.updated).toISOString() }));
}

/** Sets how many places a service has now, without review (time-sensitive), for its stewards and reviewers. */
export async function updateCapacity(ctx: Ctx, serviceId: string, capacityId: string, raw: unknown): Promise<Capacity> {
  // Whether this listing is the caller's needs the service; who may set no capacity at all is refused before.
  authorize(ctx, setsCapacity(ctx, true));
  await runCommand(ctx, async (trx, audit) => {
    const [cap] = await capacitiesWhere(trx, 'c.id', [capacityId]);
    if (!cap || cap.service_id !== serviceId) throw notFound('This service has no such capacity.');
    const svc = await directoryDb(trx).selectFrom('directory_service').select(['organization_id']).where('id', '=', serviceId).executeTakeFirst();
    authorize(ctx, setsCapacity(ctx, await stewarded(trx, ctx, str(svc?.organization_id))), NOT_STEWARD);
    const input = validate(CapacityInput, raw);
    const maximum = input.maximum === undefined ? cap.maximum : input.maximum;
    if (maximum !== null && input.available > maximum) throw fieldError('available', `must not be more than the maximum (${maximum})`);
    const now = nowIso();
    await directoryDb(trx).updateTable('directory_service_capacity').set({ available: input.available, maximum, updated: now }).where('id', '=', capacityId).execute();
    await writeSearchPoints(trx, [serviceId]);
    await directoryDb(trx).updateTable('directory_service').set({ last_modified: now }).where('id', '=', serviceId).execute();
    // "Places available" is a search filter: kept answers are stale now (search-cache.ts).
    await directoryChanged(trx);
    await audit({ action: 'directory.capacity.update', entityType: 'directory_service', entityId: serviceId, summary: { capacity_id: capacityId, available: input.available, previous: cap.available, maximum } });
  });
  return (await capacitiesWhere(ctx.db, 'c.id', [capacityId]))[0];
}

// ---------- what a steward looks after ----------

export interface Listing {
  id: string;
  name: string;
  services: { id: string; name: string; status: string; capacities: Capacity[] }[];
  locations: { id: string; name: string; confidential: boolean }[];
}

/** The directory organisations an account organisation stewards, with their services and locations. */
export async function listingsOf(db: Db, directoryOrgIds: string[], vetted: boolean): Promise<Listing[]> {
  if (!directoryOrgIds.length) return [];
  const orgs = await directoryDb(db).selectFrom('directory_organization').select(['id', 'name']).where('id', 'in', directoryOrgIds).orderBy('name').execute();
  const services = await directoryDb(db).selectFrom('directory_service').select(['id', 'name', 'status', 'organization_id']).where('organization_id', 'in', directoryOrgIds).orderBy('name').orderBy('id').execute();
  const locations = await directoryDb(db).selectFrom('directory_location').select(['id', 'name', 'confidential', 'organization_id']).where('organization_id', 'in', directoryOrgIds).orderBy('name').orderBy('id').execute();
  const caps = await capacitiesWhere(db, 'c.service_id', services.map((s) => s.id));
  return orgs.map((o) => ({
    id: o.id,
    name: o.name,
    services: services.filter((s) => s.organization_id === o.id).map((s) => ({ id: s.id, name: s.name, status: s.status, capacities: caps.filter((c) => c.service_id === s.id) })),
    locations: locations
      .filter((l) => l.organization_id === o.id)
      .map((l) => {
        const confidential = bool(l.confidential);
        return { id: l.id, name: confidential && !vetted ? 'Confidential location' : l.name || '—', confidential };
      }),
  }));
}

export type ChangesOf<T extends TargetType> = Static<(typeof CHANGES)[T]>;
