import type { Ctx } from '../../platform/context.ts';
import { allPartnerships, getBody, getPartnership, allBodies } from '../structure/index.ts';
import { loadDirectory } from './directory.ts';
import { createItem, reviewUpdate, submitUpdate } from './commands.ts';
import { periodOf, shiftPeriod } from './periods.ts';
import type { Item } from './store.ts';

/**
 * Demo work plans: each goal listed by the three partnerships on the seed page becomes a goal (owned by the
 * partnership, led by HHS, supported by the partner agencies); each committee gets a small plan of one goal with
 * two actions. The last two closed quarters have approved updates, with one action at risk and one update missing.
 */
export async function seedWorkplans(ctx: Ctx, log: (line: string) => void, now = new Date()): Promise<void> {
  const dir = await loadDirectory(ctx.db);
  const hhs = dir.agencyByName('HHS');
  if (!hhs) {
    log('work plans: no HHS agency in the structure; demo plans skipped');
    return;
  }
  const dol = dir.agencyByName('DOL') ?? hhs;
  const current = periodOf(now);
  const p2 = shiftPeriod(current, -1);
  const p1 = shiftPeriod(current, -2);
  const start = shiftPeriod(p1, -1).startDate;
  const due = shiftPeriod(current, 6).endDate;
  const actions: Item[] = [];
  let number = 0;

  const partnerships = await allPartnerships(ctx.db);
  for (const [pi, ref] of partnerships.entries()) {
    const p = await getPartnership(ctx.db, ref.id);
    if (!p) continue;
    const supporting = [...new Set(p.partners.map((x) => x.agency_id).filter((id): id is string => !!id && id !== hhs.id))];
    for (const goal of p.goals) {
      number++;
      const short = goal.length > 120 ? goal.slice(0, 117) + '…' : goal;
      await createItem(ctx, { number: `${number}`, title: short, description: goal, owner_type: 'partnership', owner_id: p.id, lead_agency_id: hhs.id, supporting_agency_ids: supporting, start_date: start, due_date: due, status: 'on_track' });
      await createItem(ctx, { number: `${number}.1`, title: `Plan and deliver: ${short}`, lead_agency_id: hhs.id, supporting_agency_ids: supporting, start_date: start, due_date: due, status: 'on_track' });
      actions.push(
        await createItem(ctx, {
          number: `${number}.1.1`,
          title: `Convene partners and publish results: ${short}`.slice(0, 300),
          lead_agency_id: hhs.id,
          supporting_agency_ids: supporting,
          start_date: start,
          due_date: due,
          status: 'on_track',
          weight: 1,
          milestones: [
            { title: 'Partners convened', due_date: p1.endDate, done_date: p1.endDate },
            { title: 'Findings published', due_date: shiftPeriod(current, 2).endDate },
          ],
          key_results: [{ name: 'Listening sessions or events held', start_value: 0, target_value: 8, unit: 'sessions' }],
        }),
      );
    }
    log(`work plans: partnership ${pi + 1}/${partnerships.length}`);
  }

  const committees = (await allBodies(ctx.db)).filter((b) => b.kind === 'committee');
  for (const [ci, ref] of committees.entries()) {
    const c = await getBody(ctx.db, ref.id);
    if (!c) continue;
    number++;
    const lead = c.memberships.find((m) => m.role === 'chair' || m.role === 'co_chair')?.agency_id ?? hhs.id;
    await createItem(ctx, { number: `${number}`, title: `${c.name}: committee work plan`, owner_type: 'committee', owner_id: c.id, lead_agency_id: lead, start_date: start, due_date: due, status: 'on_track' });
    await createItem(ctx, { number: `${number}.1`, title: `Coordinate ${c.name.toLowerCase()} across agencies`, lead_agency_id: lead, start_date: start, due_date: due, status: 'on_track' });
    actions.push(
      await createItem(ctx, {
        number: `${number}.1.1`,
        title: 'Agree and publish a shared inventory of member agencies’ activities',
        lead_agency_id: lead,
        start_date: start,
        due_date: shiftPeriod(current, 1).endDate,
        status: 'on_track',
        weight: 2,
        milestones: [{ title: 'Inventory template agreed', due_date: p1.endDate, done_date: p1.endDate }],
        key_results: [{ name: 'Member agencies reporting', start_value: 0, target_value: 10, unit: 'agencies' }],
      }),
      await createItem(ctx, {
        number: `${number}.1.2`,
        title: 'Hold quarterly coordination meetings with recorded outcomes',
        lead_agency_id: dol.id,
        supporting_agency_ids: lead !== dol.id ? [lead] : [],
        start_date: start,
        due_date: due,
        status: 'on_track',
        weight: 1,
        key_results: [{ name: 'Meetings held', start_value: 0, target_value: 8, unit: 'meetings' }],
      }),
    );
    log(`work plans: committee ${ci + 1}/${committees.length}`);
  }

  // Two closed quarters of updates. The first action falls behind; the last one misses its latest update.
  for (const [ai, a] of actions.entries()) {
    const kr = a.key_results[0];
    for (const [k, p] of [p1, p2].entries()) {
      if (ai === actions.length - 1 && k === 1) continue;
      const atRisk = ai === 0 && k === 1;
      const value = kr ? Math.min(kr.target_value, (k + 1) * 2 + (ai % 3)) : undefined;
      const u = await submitUpdate(
        ctx,
        a.id,
        {
          period: p.key,
          status: atRisk ? 'at_risk' : 'on_track',
          narrative: atRisk
            ? 'Fewer sessions than planned were held: scheduling across agencies slipped. A revised schedule is being agreed.'
            : 'Work progressed as planned this quarter; partners met and recorded their findings.',
          key_result_values: kr && value !== undefined ? { [kr.id]: atRisk ? 1 : value } : {},
          evidence: ['https://www.acf.hhs.gov/otip'],
        },
        { now: new Date(Date.parse(p.end) - 86_400_000) },
      );
      await reviewUpdate(ctx, u.id, { decision: 'approve' }, { now: new Date(Date.parse(p.end) + 86_400_000) });
    }
    if ((ai + 1) % 5 === 0 || ai === actions.length - 1) log(`work plans: updates ${ai + 1}/${actions.length}`);
  }
  log(`work plans: ${number} goals, ${actions.length} actions, ${p1.key} and ${p2.key} reported (one at risk, one missing)`);
}
