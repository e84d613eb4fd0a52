/**
 * The insights themes built from other modules' published facts (through their index.ts), each a page of count
 * tables suppressed together (platform/stats/page.ts). Built pages are kept for a few minutes, so that a busy page is answered
 * from memory; the cache is per process and per language.
 */
import type { Ctx } from '../../platform/context.ts';
import type { Translate } from '../../platform/web/i18n.ts';
import { allPractices, PRACTICE_OUTCOME_DOMAINS, PRACTICE_RATINGS, PRACTICE_SETTINGS } from '../practices/index.ts';
import { allAgencies } from '../structure/index.ts';
import { listWorkplanItems, WORKPLAN_KINDS, WORKPLAN_STATUSES } from '../workplans/index.ts';
import { publishPage, type CountTable, type PublishedTable } from '../../platform/stats/page.ts';

export const THEMES = ['evidence', 'progress'] as const;
export type Theme = (typeof THEMES)[number];
export const CACHE_SECONDS = 300;

export interface BuiltPage {
  theme: Theme;
  threshold: number;
  generated_at: string;
  tables: PublishedTable[];
}

/** Evidence (practices): practices by outcome and rating, and by setting. Each practice is one record. */
async function evidence(ctx: Ctx, t: Translate): Promise<CountTable[]> {
  const practices = await allPractices(ctx.db);
  const byOutcome = PRACTICE_OUTCOME_DOMAINS.map((d) => ({
    label: t(`pr.domain.${d}`),
    cells: PRACTICE_RATINGS.map((r) => practices.flatMap((p, i) => (p.ratings.some((x) => x.domain === d && x.rating === r) ? [i] : []))),
  }));
  const bySetting = PRACTICE_SETTINGS.map((s) => ({ label: t(`pr.setting.${s}`), cells: [practices.flatMap((p, i) => (p.setting === s ? [i] : []))] }));
  return [
    { id: 'practices-by-outcome-and-rating', caption: t('rs.in.evidence.by_outcome'), rowHeader: t('rs.in.outcome'), columns: PRACTICE_RATINGS.map((r) => t(`pr.rating.${r}`)), rows: byOutcome, rowTotals: true },
    { id: 'practices-by-setting', caption: t('rs.in.evidence.by_setting'), rowHeader: t('rs.in.setting'), columns: [t('rs.in.practices')], rows: bySetting, columnTotals: true },
  ];
}

/** Progress (work plans): goals, objectives and actions by status, and actions by lead agency and status. */
async function progress(ctx: Ctx, t: Translate): Promise<CountTable[]> {
  const items = await listWorkplanItems(ctx.db);
  const agencies = (await allAgencies(ctx.db)).map((a) => ({ id: a.id, name: a.abbreviation || a.name })).sort((a, b) => a.name.localeCompare(b.name));
  const where = (f: (i: (typeof items)[number]) => boolean) => items.flatMap((x, i) => (f(x) ? [i] : []));
  const statuses = WORKPLAN_STATUSES.map((s) => t(`wp.status.${s}`));
  const actions = items.filter((x) => x.kind === 'action');
  const leads = agencies.filter((a) => actions.some((x) => x.lead_agency_id === a.id));
  return [
    { id: 'items-by-kind-and-status', caption: t('rs.in.progress.by_kind'), rowHeader: t('rs.in.kind'), columns: statuses, rows: WORKPLAN_KINDS.map((k) => ({ label: t(`wp.kind.${k}`), cells: WORKPLAN_STATUSES.map((s) => where((x) => x.kind === k && x.status === s)) })), rowTotals: true },
    {
      id: 'actions-by-lead-agency-and-status',
      caption: t('rs.in.progress.by_lead'),
      rowHeader: t('rs.in.lead'),
      columns: statuses,
      rows: [
        ...leads.map((a) => ({ label: a.name, cells: WORKPLAN_STATUSES.map((s) => where((x) => x.kind === 'action' && x.lead_agency_id === a.id && x.status === s)) })),
        { label: t('rs.in.no_lead'), cells: WORKPLAN_STATUSES.map((s) => where((x) => x.kind === 'action' && !leads.some((a) => a.id === x.lead_agency_id) && x.status === s)) },
      ],
      rowTotals: true,
      columnTotals: true,
    },
  ];
}

const BUILDERS: Record<Theme, (ctx: Ctx, t: Translate) => Promise<CountTable[]>> = { evidence, progress };

const cache = new Map<string, { at: number; page: BuiltPage }>();

/** A theme's page, suppressed as a whole, from the cache when it is fresh (unless `rebuild` asks for a new one). */
export async function themePage(ctx: Ctx, theme: Theme, lang: string, t: Translate, now = Date.now(), rebuild = false): Promise<BuiltPage> {
  const key = `${ctx.config.databaseUrl}/${theme}/${lang}/${ctx.config.suppressionThreshold}`;
  const hit = cache.get(key);
  if (!rebuild && hit && now - hit.at >= 0 && now - hit.at < CACHE_SECONDS * 1000) return hit.page;
  const threshold = ctx.config.suppressionThreshold;
  const page: BuiltPage = { theme, threshold, generated_at: new Date(now).toISOString(), tables: publishPage(await BUILDERS[theme](ctx, t), threshold) };
  cache.set(key, { at: now, page });
  return page;
}

/** Forgets built pages (tests; after an import that should show at once). */
export function clearThemeCache(): void {
  cache.clear();
}
