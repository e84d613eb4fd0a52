import { toCsv } from '../../platform/http/csv.ts';
import { periodsOfYear } from './periods.ts';
import type { Item, PlanView } from './store.ts';

export interface ReportRow {
  number: string;
  kind: string;
  title: string;
  lead_agency: string | null;
  owner: string | null;
  status: string;
  progress: number | null;
  period: string | null;
  update_status: string | null;
  narrative: string | null;
  evidence: string[];
}

export interface Report {
  year: number;
  periods: string[];
  agency_id: string | null;
  rows: ReportRow[];
}

/**
 * The annual progress report: every goal, objective and action with its progress at the end of the year (or of the
 * chosen period), and under each action its approved updates of the year. Only approved updates are published.
 * An agency filter keeps the actions that agency leads or supports, with their goals and objectives.
 */
export function buildReport(plan: PlanView, opts: { year: number; period?: string; agencyId?: string }): Report {
  const periods = periodsOfYear(opts.year)
    .map((p) => p.key)
    .filter((k) => !opts.period || k === opts.period);
  const asOf = opts.period ?? periods[periods.length - 1];
  const involves = (i: Item) => !opts.agencyId || i.lead_agency_id === opts.agencyId || i.supporting_agency_ids.includes(opts.agencyId);
  const keep = (i: Item): boolean => (i.kind === 'action' ? involves(i) : involves(i) || plan.childrenOf(i.id).some(keep));
  const rows: ReportRow[] = [];
  const visit = (i: Item) => {
    if (!keep(i)) return;
    const base = {
      number: i.number,
      kind: i.kind,
      title: i.title,
      lead_agency: plan.agencyName(i.lead_agency_id),
      owner: plan.ownerName(i),
      status: plan.statusAsOf(i, asOf),
      progress: plan.progress(i, asOf),
    };
    const updates = (plan.updatesByItem.get(i.id) ?? []).filter((u) => u.state === 'approved' && periods.includes(u.period));
    if (!updates.length) rows.push({ ...base, period: null, update_status: null, narrative: null, evidence: [] });
    for (const u of updates) rows.push({ ...base, period: u.period, update_status: u.status, narrative: u.narrative, evidence: u.evidence });
    for (const c of plan.childrenOf(i.id)) visit(c);
  };
  for (const g of plan.goals()) visit(g);
  return { year: opts.year, periods, agency_id: opts.agencyId ?? null, rows };
}

export function reportCsv(r: Report): string {
  return toCsv(
    ['number', 'kind', 'title', 'lead_agency', 'owner', 'status', 'progress_percent', 'period', 'update_status', 'narrative', 'evidence'],
    r.rows.map((x) => [
      x.number,
      x.kind,
      x.title,
      x.lead_agency,
      x.owner,
      x.status,
      x.progress === null ? '' : Math.round(x.progress * 100),
      x.period,
      x.update_status,
      x.narrative,
      x.evidence.join(' '),
    ]),
  );
}
