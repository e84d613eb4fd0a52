/**
 * The insights themes built from other modules' published facts (through their index.ts), each a page of count
 * tables suppressed together (platform/stats/page.ts). Built pages are kept for a few minutes, so that a busy page is answered
 * from memory; the cache is per process and per language.
 */
import type { Ctx } from '../../platform/context.ts';
import { isLang, type Translate } from '../../platform/web/i18n.ts';
import { allPractices, PRACTICE_OUTCOME_DOMAINS, PRACTICE_RATINGS, PRACTICE_SETTINGS } from '../practices/index.ts';
import { allAgencies } from '../structure/index.ts';
import { listWorkplanItems, WORKPLAN_KINDS, WORKPLAN_STATUSES } from '../workplans/index.ts';
import { DIRECTORY_TERMS, NEED_TERMS, serviceFacts } from '../directory/index.ts';
import { referralFacts, REFERRAL_NEEDS } from '../referrals/index.ts';
import { countyByFips, stateName } from '../../platform/geo/us.ts';
import { listRecommendations, RECOMMENDATION_STATUSES, RECOMMENDATION_TYPES } from '../listening/index.ts';
import { listAwards } from '../grants/index.ts';
import { outreachFacts } from '../outreach/index.ts';
import { listNetworks } from '../networks/index.ts';
import { publishPage, type CountTable, type PublishedTable } from '../../platform/stats/page.ts';

export const THEMES = ['services', 'referrals', 'field', 'progress', 'evidence', 'funding', 'outreach'] as const;
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

/** Record indices grouped by the values `of` gives each record (a record may fall under several, or none). */
export function groupIndices<R>(records: readonly R[], of: (r: R) => readonly string[]): Map<string, number[]> {
  const m = new Map<string, number[]>();
  records.forEach((r, i) => {
    for (const k of of(r)) {
      const list = m.get(k);
      if (list) list.push(i);
      else m.set(k, [i]);
    }
  });
  return m;
}

const termLabel = (terms: readonly { code: string; en: string; es: string }[], lang: string) => {
  const m = new Map(terms.map((x) => [x.code, lang === 'es' ? x.es : x.en]));
  return (code: string) => m.get(code) ?? code;
};
/** States named in the page's language. */
const stateIn = (lang: string) => (code: string) => stateName(code, isLang(lang) ? lang : 'en');
const byName = (codes: Iterable<string>, label: (c: string) => string) => [...codes].sort((a, b) => label(a).localeCompare(label(b)));

/** The state (USPS code) of a county FIPS code, or '' when unknown. */
export const stateOfCounty = (fips: string | null) => (fips ? (countyByFips(fips)?.state ?? '') : '');
/** The calendar quarter of an instant, as 2026-Q3. */
export const quarterOf = (iso: string | null) => (iso ? `${iso.slice(0, 4)}-Q${Math.floor((Number(iso.slice(5, 7)) - 1) / 3) + 1}` : '');

/**
 * Services and coverage (directory and networks): findable services by need, by population served and by state;
 * local networks (not retired) by state they cover. Services and networks are records of one page, numbered apart.
 */
async function services(ctx: Ctx, t: Translate, lang: string): Promise<CountTable[]> {
  const facts = await serviceFacts(ctx.db);
  const networks = await listNetworks(ctx.db);
  const needs = groupIndices(facts, (f) => f.needs);
  const pops = groupIndices(facts, (f) => f.populations);
  const states = groupIndices(facts, (f) => f.states);
  const netStates = new Map([...groupIndices(networks, (n) => n.states.map((x) => x.toUpperCase()))].map(([k, ids]) => [k, ids.map((i) => facts.length + i)]));
  const need = termLabel(NEED_TERMS, lang);
  const pop = termLabel(DIRECTORY_TERMS.population, lang);
  const col = [t('rs.in.services.count')];
  return [
    { id: 'services-by-need', caption: t('rs.in.services.by_need'), rowHeader: t('rs.in.need'), columns: col, rows: NEED_TERMS.map((x) => ({ label: need(x.code), cells: [needs.get(x.code) ?? []] })), columnTotals: true },
    { id: 'services-by-population', caption: t('rs.in.services.by_population'), rowHeader: t('rs.tab.dim.population'), columns: col, rows: DIRECTORY_TERMS.population.map((x) => ({ label: pop(x.code), cells: [pops.get(x.code) ?? []] })), columnTotals: true },
    { id: 'services-by-state', caption: t('rs.in.services.by_state'), rowHeader: t('rs.in.state'), columns: col, rows: byName(states.keys(), stateIn(lang)).map((c) => ({ label: stateIn(lang)(c), cells: [states.get(c)!] })), columnTotals: true },
    { id: 'networks-by-state', caption: t('rs.in.services.networks_by_state'), rowHeader: t('rs.in.state'), columns: [t('rs.in.networks')], rows: byName(netStates.keys(), stateIn(lang)).map((c) => ({ label: stateIn(lang)(c), cells: [netStates.get(c)!] })), columnTotals: true },
  ];
}

/** What became of a referral: one of these columns each. */
export const RESULTS = ['got_help', 'could_not_get_help', 'declined', 'open', 'cancelled_or_expired'] as const;
export const resultOf = (r: { status: string; outcome: string | null }) =>
  r.status === 'completed' ? (r.outcome === 'got_help' ? 'got_help' : 'could_not_get_help') : r.status === 'declined' ? 'declined' : r.status === 'cancelled' || r.status === 'expired' ? 'cancelled_or_expired' : 'open';
/** Days from sending to acceptance, in bands. */
const ACCEPT_BANDS = ['1d', '7d', 'more', 'not'] as const;
const bandOf = (r: { sent_at: string | null; accepted_at: string | null }) => {
  if (!r.sent_at || !r.accepted_at) return 'not';
  const days = (Date.parse(r.accepted_at) - Date.parse(r.sent_at)) / 86_400_000;
  return days <= 1 ? '1d' : days <= 7 ? '7d' : 'more';
};

/**
 * Referrals: volume and outcome by need and by state, and time to acceptance. Volume by quarter sent is left to the
 * tabulator (measure referrals, rows quarter): on this page it would make nearly every referral a group of its own
 * for the linked suppression (need, result, state, quarter and time together), whose cost grows with those groups
 * and would not fit at a million referrals.
 */
async function referrals(ctx: Ctx, t: Translate, lang: string): Promise<CountTable[]> {
  const facts = await referralFacts(ctx.db);
  const byNeedResult = groupIndices(facts, (f) => { const r = resultOf(f); return f.needs.map((n) => `${n}|${r}`); });
  const byStateResult = groupIndices(facts, (f) => [`${stateOfCounty(f.area_fips)}|${resultOf(f)}`]);
  const byBand = groupIndices(facts, (f) => [bandOf(f)]);
  const stateCodes = byName(new Set(facts.map((f) => stateOfCounty(f.area_fips)).filter(Boolean)), stateIn(lang));
  const results = RESULTS.map((r) => t(`rs.in.result.${r}`));
  const cells = (m: Map<string, number[]>, row: string, cols: readonly string[]) => cols.map((c) => m.get(`${row}|${c}`) ?? []);
  const needs = REFERRAL_NEEDS.filter((n) => RESULTS.some((r) => byNeedResult.has(`${n}|${r}`)));
  return [
    { id: 'referrals-by-need-and-result', caption: t('rs.in.referrals.by_need'), rowHeader: t('rs.in.need'), columns: results, rows: needs.map((n) => ({ label: t(`rf.need.${n}`), cells: cells(byNeedResult, n, RESULTS) })), rowTotals: true },
    {
      id: 'referrals-by-state-and-result',
      caption: t('rs.in.referrals.by_state'),
      rowHeader: t('rs.in.state'),
      columns: results,
      rows: [...stateCodes.map((c) => ({ label: stateIn(lang)(c), cells: cells(byStateResult, c, RESULTS) })), ...(RESULTS.some((r) => byStateResult.has(`|${r}`)) ? [{ label: t('rs.in.unknown_area'), cells: cells(byStateResult, '', RESULTS) }] : [])],
      rowTotals: true,
      columnTotals: true,
    },
    { id: 'referrals-by-time-to-acceptance', caption: t('rs.in.referrals.by_time'), rowHeader: t('rs.in.time'), columns: [t('rs.in.referrals')], rows: ACCEPT_BANDS.map((b) => ({ label: t(`rs.in.accept.${b}`), cells: [byBand.get(b) ?? []] })), columnTotals: true },
  ];
}

/** The voice of the field (listening sessions): recommendations made from the findings, by type and status. */
async function field(ctx: Ctx, t: Translate): Promise<CountTable[]> {
  const { items } = await listRecommendations(ctx.db, {});
  const byTypeStatus = groupIndices(items, (r) => [`${r.type}|${r.status}`]);
  const statuses = RECOMMENDATION_STATUSES.map((x) => t(`ls.rstatus.${x}`));
  return [
    {
      id: 'recommendations-by-type-and-status',
      caption: t('rs.in.field.by_type'),
      rowHeader: t('rs.in.type'),
      columns: statuses,
      rows: RECOMMENDATION_TYPES.map((ty) => ({ label: t(`ls.rtype.${ty}`), cells: RECOMMENDATION_STATUSES.map((st) => byTypeStatus.get(`${ty}|${st}`) ?? []) })),
      rowTotals: true,
      columnTotals: true,
    },
  ];
}

/** The federal fiscal year of a date: October to September, named by the year it ends. */
export const fiscalYearOf = (date: string | null) => (date ? Number(date.slice(0, 4)) + (Number(date.slice(5, 7)) >= 10 ? 1 : 0) : 0);

/** Funding (grants): awards by state of the recipient, and by fiscal year and awarding agency. Each award one record. */
async function funding(ctx: Ctx, t: Translate, lang: string): Promise<CountTable[]> {
  const { items } = await listAwards(ctx.db, {}, 10_000_000);
  const byState = groupIndices(items, (a) => (a.state ? [a.state.toUpperCase()] : []));
  const agencyOf = (a: (typeof items)[number]) => a.agency_name || a.awarding_agency || '';
  const byYearAgency = groupIndices(items, (a) => [`${fiscalYearOf(a.action_date)}|${agencyOf(a)}`]);
  const years = [...new Set(items.map((a) => fiscalYearOf(a.action_date)).filter(Boolean))].sort();
  const agencies = [...new Set(items.map(agencyOf))].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b)));
  return [
    { id: 'awards-by-state', caption: t('rs.in.funding.by_state'), rowHeader: t('rs.in.state'), columns: [t('rs.in.awards')], rows: byName(byState.keys(), stateIn(lang)).map((c) => ({ label: stateIn(lang)(c), cells: [byState.get(c)!] })), columnTotals: true },
    {
      id: 'awards-by-fiscal-year-and-agency',
      caption: t('rs.in.funding.by_year'),
      rowHeader: t('rs.in.agency'),
      columns: years.map((y) => t('rs.in.fy', { year: y })),
      rows: agencies.map((ag) => ({ label: ag || t('rs.in.no_agency'), cells: years.map((y) => byYearAgency.get(`${y}|${ag}`) ?? []) })),
      rowTotals: true,
      columnTotals: true,
    },
  ];
}

/**
 * Outreach (campaigns): groups that reported back, by campaign and by state; each group's taking part in a campaign
 * is one record. Quantities (materials handed out) are not counts of people or groups and are not published here:
 * the campaign page shows them with its own suppression.
 */
async function outreach(ctx: Ctx, t: Translate, lang: string): Promise<CountTable[]> {
  const facts = await outreachFacts(ctx.db);
  const byCampaign = groupIndices(facts, (f) => [f.campaign_id]);
  const byState = groupIndices(facts, (f) => (f.state ? [f.state.toUpperCase()] : []));
  const titles = new Map(facts.map((f) => [f.campaign_id, f.campaign_title]));
  const campaigns = [...byCampaign.keys()].sort((a, b) => titles.get(a)!.localeCompare(titles.get(b)!));
  const col = [t('rs.in.groups')];
  return [
    { id: 'groups-by-campaign', caption: t('rs.in.outreach.by_campaign'), rowHeader: t('rs.in.campaign'), columns: col, rows: campaigns.map((c) => ({ label: titles.get(c)!, cells: [byCampaign.get(c)!] })), columnTotals: true },
    { id: 'groups-by-state', caption: t('rs.in.outreach.by_state'), rowHeader: t('rs.in.state'), columns: col, rows: byName(byState.keys(), stateIn(lang)).map((c) => ({ label: stateIn(lang)(c), cells: [byState.get(c)!] })), columnTotals: true },
  ];
}

const BUILDERS: Record<Theme, (ctx: Ctx, t: Translate, lang: string) => Promise<CountTable[]>> = { services, referrals, field, progress, evidence, funding, outreach };

const cache = new Map<string, { at: number; page: BuiltPage }>();

/** A theme's page, suppressed as a whole, from the cache when it is fresh (unless `rebuild` asks for a new one). */
export async function themePage(ctx: Ctx, theme: Theme, lang: string, t: Translate, now = Date.now(), rebuild = false): Promise<BuiltPage> {
  const key = `${ctx.config.databaseUrl}/${theme}/${lang}/${ctx.config.suppressionThreshold}`;
  const hit = cache.get(key);
  if (!rebuild && hit && now - hit.at >= 0 && now - hit.at < CACHE_SECONDS * 1000) return hit.page;
  const threshold = ctx.config.suppressionThreshold;
  const page: BuiltPage = { theme, threshold, generated_at: new Date(now).toISOString(), tables: publishPage(await BUILDERS[theme](ctx, t, lang), threshold) };
  cache.set(key, { at: now, page });
  return page;
}

/** Forgets built pages (tests; after an import that should show at once). */
export function clearThemeCache(): void {
  cache.clear();
}
