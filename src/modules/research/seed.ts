/**
 * Demo data for the research module, clearly marked: two data calls titled "Demo: ..." to the structure module's demo
 * agencies (DOJ, HHS, DOL) with invented figures: one closed with its answers accepted or returned (so the compiled
 * table and the report have totals), one open and due in three weeks with one answer waiting for review. Then a first
 * snapshot of the published datasets, so that the insights pages (built over the other modules' demo data) link one.
 * Seeding again changes nothing: a call with the same title is not made twice.
 */
import type { Ctx } from '../../platform/context.ts';
import { allAgencies } from '../structure/index.ts';
import { createCall, reviewSubmission, setCallStatus, submitCsv, submitRows, takeSnapshots } from './commands.ts';
import { researchDb } from './tables.ts';

const FIELDS = [
  { key: 'people_served', label: 'People served', type: 'count', unit: 'people', definition: 'Distinct people who received any anti-trafficking service funded or run by the agency in the period' },
  { key: 'staff_trained', label: 'Staff trained', type: 'count', unit: 'people', definition: 'Staff who completed anti-trafficking training in the period' },
  { key: 'comment', label: 'Comment', type: 'text', definition: 'Anything the committee should know about these figures', required: false },
];
const DEMO_NOTE = 'Demo data: invented figures for trying the data-call workflow. Not task-force statistics.';

/** The quarter before `now`, as its first and last day, and its name (FY quarters start in October). */
function lastQuarter(now: Date): { start: string; end: string; name: string } {
  const q = Math.floor(now.getUTCMonth() / 3);
  const start = new Date(Date.UTC(now.getUTCFullYear(), q * 3 - 3, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), q * 3, 0));
  const fy = start.getUTCFullYear() + (start.getUTCMonth() >= 9 ? 1 : 0);
  const fq = ((Math.floor(start.getUTCMonth() / 3) + 1) % 4) + 1;
  return { start: start.toISOString().slice(0, 10), end: end.toISOString().slice(0, 10), name: `FY${fy} Q${fq}` };
}

export async function seedResearch(ctx: Ctx, log: (line: string) => void, now = new Date()): Promise<void> {
  const agencies = await allAgencies(ctx.db);
  const id = (abbr: string) => agencies.find((a) => a.abbreviation === abbr)?.id;
  const [doj, hhs, dol] = [id('DOJ'), id('HHS'), id('DOL')];
  if (!doj || !hhs || !dol) {
    log('research: demo data skipped (the structure demo agencies DOJ, HHS and DOL are missing)');
    return;
  }
  const q = lastQuarter(now);
  const day = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
  const closedTitle = `Demo: people served and staff trained, ${q.name}`;
  const openTitle = 'Demo: shelter beds for survivors, this quarter';
  const exists = async (title: string) => Boolean(await researchDb(ctx.db).selectFrom('research_call').select('id').where('title', '=', title).executeTakeFirst());

  if (!(await exists(closedTitle))) {
    const c = await createCall(ctx, { title: closedTitle, description: DEMO_NOTE, period_start: q.start, period_end: q.end, due_date: day(-7), agency_ids: [doj, hhs, dol], fields: FIELDS, footnotes: DEMO_NOTE });
    await submitRows(ctx, c.id, doj, { rows: [{ people_served: 412, staff_trained: 96, comment: 'Grant-funded victim services' }, { people_served: 58, staff_trained: 14 }], note: 'Two programmes, one row each.' });
    await reviewSubmission(ctx, c.id, doj, { decision: 'accept', version: 1 });
    await submitCsv(ctx, c.id, hhs, { csv: 'people_served,staff_trained,comment\n1290,240,Certification and case management\n' });
    await reviewSubmission(ctx, c.id, hhs, { decision: 'accept', version: 1 });
    await submitRows(ctx, c.id, dol, { rows: [{ people_served: 75, staff_trained: 0 }] });
    await reviewSubmission(ctx, c.id, dol, { decision: 'return', version: 1, note: 'Staff trained cannot be 0: the training register shows sessions in this quarter. Please check.' });
    await setCallStatus(ctx, c.id, { status: 'closed', version: c.version });
    log(`research: demo data call "${closedTitle}" (closed; DOJ and HHS accepted, DOL returned)`);
  }
  if (!(await exists(openTitle))) {
    const c = await createCall(ctx, {
      title: openTitle,
      description: DEMO_NOTE,
      period_start: day(-30),
      period_end: day(60),
      due_date: day(21),
      agency_ids: [doj, hhs],
      fields: [{ key: 'beds', label: 'Shelter beds', type: 'count', unit: 'beds', definition: 'Beds for survivors of trafficking in shelters the agency funds, on the last day of the period' }],
      footnotes: DEMO_NOTE,
    });
    await submitRows(ctx, c.id, hhs, { rows: [{ beds: 180 }] });
    log(`research: demo data call "${openTitle}" (open; HHS answered, DOJ owes)`);
  }
  const snap = await takeSnapshots(ctx, now);
  log(`research: ${snap.taken.length} dataset snapshot(s) taken`);
}
