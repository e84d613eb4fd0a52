import type { Ctx } from '../context.ts';
import { assertPolicyChecked, endPolicyCheck } from '../policy.ts';
import { sql } from 'kysely';
import { likePattern, newId, nowIso, toJson, json, type Db } from '../db/index.ts';

export interface AuditInput {
  action: string;
  entityType: string;
  entityId?: string | null;
  /** What changed, without secrets or survivors' personal details. */
  summary?: Record<string, unknown>;
}

const SECRET_KEYS = /password|secret|token|totp|hash|key/i;

/** Drops values whose names suggest secrets, so a careless summary cannot leak one into the log. */
export function scrub(summary: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(summary)) {
    if (SECRET_KEYS.test(k)) out[k] = '[redacted]';
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = scrub(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

/** Writes one audit event with the given handle: pass the transaction of the change it records. */
export async function recordAudit(trx: Db, ctx: Ctx, input: AuditInput): Promise<void> {
  await trx
    .insertInto('audit_events')
    .values({
      id: newId(),
      at: nowIso(),
      actor_id: ctx.actor?.id ?? null,
      actor_label: ctx.actor ? `${ctx.actor.name} <${ctx.actor.email}>` : ctx.requestId === 'anonymous' ? 'anonymous' : `system (${ctx.requestId})`,
      organization_id: ctx.actor?.organizationId ?? null,
      action: input.action,
      entity_type: input.entityType,
      entity_id: input.entityId ?? null,
      summary: toJson(scrub(input.summary ?? {})),
      ip: ctx.ip,
      request_id: ctx.requestId,
    })
    .execute();
}

export type Audit = (input: AuditInput) => Promise<void>;

/** Told of the audit events of each command once it has committed (the metrics count them); never of a rollback. */
export type AuditObserver = (events: readonly AuditInput[]) => void;
const observers = new Set<AuditObserver>();

/** Adds an observer of committed audit events; it must be quick and must not throw (what it throws is dropped). */
export function observeCommittedAudit(observer: AuditObserver): void {
  observers.add(observer);
}

/**
 * Runs one use case as one transaction; the audit events it records commit or roll back with the change.
 */
export async function runCommand<T>(ctx: Ctx, fn: (trx: Db, audit: Audit) => Promise<T>): Promise<T> {
  const recorded: AuditInput[] = [];
  let out: T;
  try {
    out = await ctx.db.transaction().execute(async (trx) => {
      const result = await fn(trx, (input) => {
        recorded.push(input);
        return recordAudit(trx, ctx, input);
      });
      // Checked before commit: a command that asked no policy is rolled back (platform/policy.ts).
      assertPolicyChecked(ctx);
      return result;
    });
  } finally {
    endPolicyCheck(ctx);
  }
  if (recorded.length) {
    for (const observe of observers) {
      try {
        observe(recorded);
      } catch {
        // Counting is never a reason for a committed command to look failed.
      }
    }
  }
  return out;
}

export interface AuditEvent {
  id: string;
  at: string;
  actor_id: string | null;
  actor_label: string;
  organization_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  summary: Record<string, unknown>;
  ip: string | null;
  request_id: string | null;
}

export interface AuditFilter {
  action?: string;
  entity_type?: string;
  entity_id?: string;
  actor?: string;
  from?: string;
  to?: string;
}

export async function listAudit(db: Db, filter: AuditFilter, limit: number, offset: number): Promise<{ items: AuditEvent[]; total: number }> {
  let q = db.selectFrom('audit_events');
  if (filter.action) q = q.where('action', '=', filter.action);
  if (filter.entity_type) q = q.where('entity_type', '=', filter.entity_type);
  if (filter.entity_id) q = q.where('entity_id', '=', filter.entity_id);
  if (filter.actor) q = q.where(sql<boolean>`lower(actor_label) like ${likePattern(filter.actor)} escape '\\'`);
  if (filter.from) q = q.where('at', '>=', filter.from);
  if (filter.to) q = q.where('at', '<', filter.to);
  const totalRow = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
  const rows = await q.selectAll().orderBy('at', 'desc').orderBy('id').limit(limit).offset(offset).execute();
  return {
    total: Number(totalRow?.n ?? 0),
    items: rows.map((r) => ({ ...r, summary: json<Record<string, unknown>>(r.summary, {}) })) as AuditEvent[],
  };
}

/**
 * How many audit events since `since` have an action starting with `actionPrefix`, leaving out the events of
 * `except.action` about the entities `except.entityIds` (a module's own earlier runs). For modules that need to know
 * whether anything was written in a span of time without reading the log's table themselves.
 */
export async function countAuditEvents(db: Db, opts: { since: string; actionPrefix: string; except?: { action: string; entityIds: readonly string[] } }): Promise<number> {
  let q = db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('at', '>=', opts.since)
    .where('action', 'like', `${opts.actionPrefix.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
  const except = opts.except;
  if (except?.entityIds.length) q = q.where((eb) => eb.or([eb('action', '<>', except.action), eb('entity_id', 'is', null), eb('entity_id', 'not in', [...except.entityIds])]));
  const row = await q.executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * How many audit events name an entity whose type starts with `entityPrefix` (but for the types in `except`): a marker
 * that moves with every command writing such entities, since every write is a command and the log only grows. Reads
 * one range of the log's entity index. For modules that cache what they derive from their own tables.
 */
export async function countEntityEvents(db: Db, entityPrefix: string, except: readonly string[] = []): Promise<number> {
  // Every entity type with the prefix sorts between it and the prefix with its last character's successor.
  const upper = entityPrefix.slice(0, -1) + String.fromCharCode(entityPrefix.charCodeAt(entityPrefix.length - 1) + 1);
  let q = db.selectFrom('audit_events').select((eb) => eb.fn.countAll().as('n')).where('entity_type', '>=', entityPrefix).where('entity_type', '<', upper);
  if (except.length) q = q.where('entity_type', 'not in', [...except]);
  const row = await q.executeTakeFirst();
  return Number(row?.n ?? 0);
}
