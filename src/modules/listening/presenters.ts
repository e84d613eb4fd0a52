/** Rows to the shapes the API and the pages show. No request object: what depends on who asks takes the context. */
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/index.ts';
import { buildFindings, type PublishedReport, type ReportRecommendation } from './findings.ts';
import { isUuid } from '../../platform/db/index.ts';
import { listWorkplanItems } from '../workplans/index.ts';
import type { IcsEvent } from './ics.ts';
import { formatDate, type Lang } from '../../platform/web/i18n.ts';
import { timeZoneLabel } from '../../platform/web/pickers.tsx';
import { readsUnquotable } from './policies.ts';
import { exportQdc, type QdcCode } from './qdc.ts';
import { codeTree, listCodes, listExcerpts, listInputs, listRecommendations, loadOwners, placeCounts, registrationOpen, type Recommendation, type Series, type Session } from './store.ts';

export async function seriesOut(db: Db, s: Series) {
  const owners = await loadOwners(db);
  return { ...s, owner_name: owners.get(s.owner_id)?.name ?? null };
}

export async function sessionOut(db: Db, s: Session) {
  const c = await placeCounts(db, s.id);
  return { ...s, confirmed: c.confirmed, waitlisted: c.waitlisted, places_left: Math.max(0, s.capacity - s.reserved_places - (c.confirmed - c.confirmedReserved)), registration_open: registrationOpen(s) };
}

export type SessionView = Awaited<ReturnType<typeof sessionOut>>;

export async function recommendationOut(db: Db, r: Recommendation) {
  const [owners, codes] = await Promise.all([loadOwners(db), listCodes(db, r.series_id)]);
  return { ...r, owner_name: owners.get(r.owner_id)?.name ?? null, finding_name: codes.find((c) => c.id === r.finding_code_id)?.name ?? null };
}

/** Cited excerpts; the words of people who did not agree to be quoted are shown only to coders and leads. */
export async function citedExcerpts(ctx: Ctx, r: Recommendation) {
  const { items } = await listExcerpts(ctx.db, { seriesId: r.series_id, ids: r.excerpt_ids });
  const inputs = new Map((await listInputs(ctx.db, { ids: [...new Set(items.map((e) => e.input_id))] })).items.map((i) => [i.id, i]));
  const insider = readsUnquotable(ctx);
  return items.map((e) => {
    const quotable = !!inputs.get(e.input_id)?.quotable;
    return { id: e.id, text: quotable || insider ? e.text : '', quotable };
  });
}

/** A session's date and times as a reader of `lang` reads them, its time zone named: for pages and reminders alike. */
export function sessionWhen(lang: Lang, s: Pick<Session, 'date' | 'start_time' | 'end_time' | 'time_zone'>): string {
  return `${formatDate(lang, s.date)}, ${s.start_time}–${s.end_time} (${timeZoneLabel(lang, s.time_zone)})`;
}

export function sessionEvent(publicUrl: string, s: Session, seriesTitle: string): IcsEvent {
  const where = [s.location, s.online_url].filter(Boolean).join(' / ');
  const agenda = s.agenda.map((a) => `- ${a.title}${a.minutes ? ` (${a.minutes} min)` : ''}`).join('\n');
  return {
    uid: `${s.id}@listening.taskforce-hub`,
    start: s.starts_at,
    end: s.ends_at,
    summary: s.title,
    description: [`${seriesTitle}`, `Format: ${s.format.replace('_', ' ')}`, agenda ? `Agenda:\n${agenda}` : '', `Details: ${publicUrl}/listening/sessions/${s.id}`].filter(Boolean).join('\n'),
    location: where || undefined,
    url: `${publicUrl}/listening/sessions/${s.id}`,
    updated: s.updated_at,
  };
}

export async function draftFindings(ctx: Ctx, s: Series): Promise<PublishedReport> {
  // Coders and leads see the working figures; suppression is for what the public sees.
  return buildFindings(ctx.db, s, ctx.config.suppressionThreshold, { suppress: false });
}

export async function codebookQdc(db: Db, s: Series): Promise<string> {
  const codes = await listCodes(db, s.id);
  const nodes = new Map<string, QdcCode>(codes.map((c) => [c.id, { guid: c.guid, name: c.name, description: c.description, children: [] }]));
  const roots: QdcCode[] = [];
  for (const { code: c } of codeTree(codes)) {
    const node = nodes.get(c.id)!;
    const parent = c.parent_id ? nodes.get(c.parent_id) : undefined;
    (parent ? parent.children : roots).push(node);
  }
  return exportQdc(roots, 'Taskforce Hub');
}

/**
 * The series' recommendations as they stand now, each with the work plan action carrying it out and that action's
 * status. A published report shows these rather than the ones stored when it was published, so that a change of
 * status, a linked action, or a recommendation added afterwards shows at once.
 */
export async function liveRecommendations(db: Db, seriesId: string): Promise<ReportRecommendation[]> {
  const { items } = await listRecommendations(db, { seriesId });
  const linked = items.some((r) => r.workplan_action_id && isUuid(r.workplan_action_id));
  const actions = linked ? new Map((await listWorkplanItems(db)).map((i) => [i.id, i])) : new Map();
  return items.map((r) => {
    const a = r.workplan_action_id ? actions.get(r.workplan_action_id) : undefined;
    return {
      id: r.id,
      title: r.title,
      type: r.type,
      status: r.status,
      progress: r.status === 'done' ? 100 : r.progress,
      finding_code_id: r.finding_code_id,
      workplan_action: a ? { id: a.id, number: a.number, title: a.title, status: a.status } : null,
    };
  });
}
