/** Rows to the shapes the API and pages show, CSV files and the iCalendar feed; no request object. */
import type { Ctx } from '../../platform/context.ts';
import { principalOf } from '../../platform/policy.ts';
import { toCsv } from '../../platform/http/csv.ts';
import { mayPlanFor, mayReadPlans, mayReview } from './policies.ts';
import type { Gaps, Opportunity, Plan, Summary } from './schema.ts';
import { agenciesOf } from './store.ts';

export interface PlanViewer {
  can_edit: boolean;
  can_review: boolean;
}

export async function planViewer(ctx: Ctx, plan: Pick<Plan, 'agency_id'>): Promise<PlanViewer> {
  const p = principalOf(ctx);
  return { can_edit: mayPlanFor(p, await agenciesOf(ctx.db, p), plan.agency_id), can_review: mayReview(p) };
}

/** The public see an opportunity without its link to a plan (plans are shared among agencies, not published). */
export function opportunityFor(ctx: Ctx, o: Opportunity): Opportunity {
  return mayReadPlans(principalOf(ctx)) ? o : { ...o, plan_id: null };
}

export function gapsCsv(g: Gaps): { filename: string; body: string } {
  const rows = g.counties.map((c) => [c.fips, c.name, g.state, c.awards, c.amount, c.uncovered_needs.length, c.uncovered_needs.join(' '), c.gap ? 'yes' : 'no']);
  return { filename: `grants-gaps-${g.state}${g.fiscal_year ? `-fy${g.fiscal_year}` : ''}.csv`, body: toCsv(['fips', 'county', 'state', 'awards', 'amount', 'uncovered_need_count', 'uncovered_needs', 'gap'], rows) };
}

export function summaryCsv(s: Summary): { filename: string; body: string } {
  const rows: unknown[][] = [
    ...s.plans.map((p) => ['plans', p.agency_name, p.planned + p.posted + p.awarded + p.cancelled, p.estimated_total]),
    ['notices_filed', '', s.notices.filed, ''],
    ['notices_on_time', '', s.notices.on_time, ''],
    ['notices_late', '', s.notices.late, ''],
    ...s.awards_by_agency.map((a) => ['awards_by_agency', a.name, a.awards, a.amount]),
    ...s.awards_by_need.map((a) => ['awards_by_need', a.need, a.awards, a.amount]),
    ...s.awards_by_state.map((a) => ['awards_by_state', a.state, a.awards, a.amount]),
  ];
  return { filename: `grants-summary-fy${s.fiscal_year}.csv`, body: toCsv(['section', 'name', 'count', 'amount'], rows) };
}

/** TEXT values: backslash, semicolon and comma escaped, newlines as \n (RFC 5545 §3.3.11). */
const icsText = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r\n|\r|\n/g, '\\n');

/** Folds a line at 75 octets without splitting a character (RFC 5545 §3.1). */
function fold(line: string): string {
  const out: string[] = [];
  let cur = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (octets + n > 75) {
      out.push(cur);
      cur = ' ';
      octets = 1;
    }
    cur += ch;
    octets += n;
  }
  out.push(cur);
  return out.join('\r\n');
}

/** Close dates as all-day events, one per opportunity, stable UIDs so calendars update them in place. */
export function closeDatesCalendar(opps: readonly Opportunity[], host: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const d = (iso: string) => iso.replace(/-/g, '');
  const next = (iso: string) => new Date(Date.parse(iso + 'T00:00:00Z') + 86_400_000).toISOString().slice(0, 10);
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Taskforce Hub//Grant close dates//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH', 'X-WR-CALNAME:Funding for providers serving survivors: close dates'];
  for (const o of opps) {
    if (!o.close_date) continue;
    lines.push(
      'BEGIN:VEVENT',
      `UID:grants-opportunity-${o.opportunity_id}@${host}`,
      `DTSTAMP:${stamp}`,
      `DTSTART;VALUE=DATE:${d(o.close_date)}`,
      `DTEND;VALUE=DATE:${d(next(o.close_date))}`,
      `SUMMARY:${icsText(`Closes: ${o.title}`)}`,
      `DESCRIPTION:${icsText(`${o.agency_name ?? ''} ${o.number ?? ''} (${o.kind === 'forecast' ? 'forecast' : 'posted'})`.trim())}`,
      `URL:${o.grants_gov_url}`,
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
