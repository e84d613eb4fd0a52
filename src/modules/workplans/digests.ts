import type { Ctx } from '../../platform/context.ts';
import { listUsers } from '../../platform/auth/index.ts';
import { newId, nowIso } from '../../platform/db/index.ts';
import { send, type MailLog } from '../../platform/mail/index.ts';
import { formatList, translator } from '../../platform/web/i18n.ts';
import { periodLabel } from './presenters.ts';
import { authorize, principalOf } from '../../platform/policy.ts';
import { organizationIdsOfAgency } from '../structure/index.ts';
import { loadDirectory } from './directory.ts';
import { maySendDigests } from './policies.ts';
import { loadPlanView } from './store.ts';
import { workplansDb } from './tables.ts';

/** How many days before a quarter closes the "updates due" digest goes out. */
export const DIGEST_DAYS_BEFORE_CLOSE = 14;

/**
 * Computes and sends the work-plan e-mails as of `now`:
 * - a digest, in the last 14 days of a quarter, to every account of a lead agency that still owes an update for it
 *   (an agency's accounts are those of the account organisations linked to it in the structure module);
 * - a reminder, after a quarter closed, to every account of a lead agency whose update for it is missing.
 * Each person gets each kind at most once per quarter (recorded in workplans_notifications), so the command can
 * run daily. The messages list action numbers and a link only: no narratives, no names of people.
 * Run by the command line and the API with the system principal or an administrator's context.
 */
export async function runDigests(ctx: Ctx, now = new Date(), log?: MailLog): Promise<{ period: string; digests: number; reminders: number; skipped: number }> {
  authorize(ctx, maySendDigests(principalOf(ctx)));
  const dir = await loadDirectory(ctx.db);
  const plan = await loadPlanView(ctx.db, dir, now);
  const current = plan.currentPeriod;
  const closed = plan.lastClosedPeriod;
  const daysLeft = (Date.parse(current.end) - now.getTime()) / 86_400_000;
  const users = (await listUsers(ctx.db)).filter((u) => !u.disabled);
  const base = ctx.config.publicUrl;

  // agency id -> action numbers owed, per kind
  const owed = new Map<string, string[]>();
  const missing = new Map<string, string[]>();
  for (const a of plan.actions()) {
    if (!a.lead_agency_id) continue;
    if (daysLeft <= DIGEST_DAYS_BEFORE_CLOSE && plan.owesUpdate(a, current) && !plan.hasSubmitted(a.id, current.key)) {
      owed.set(a.lead_agency_id, [...(owed.get(a.lead_agency_id) ?? []), a.number]);
    }
    if (plan.owesUpdate(a, closed) && !plan.hasSubmitted(a.id, closed.key)) {
      missing.set(a.lead_agency_id, [...(missing.get(a.lead_agency_id) ?? []), a.number]);
    }
  }

  let digests = 0;
  let reminders = 0;
  let skipped = 0;
  const deliver = async (kind: 'digest' | 'reminder', period: string, byAgency: Map<string, string[]>) => {
    for (const [agencyId, numbers] of byAgency) {
      const agency = dir.agency(agencyId);
      if (!agency) continue;
      const link = `${base}/workplans/agencies/${agencyId}`;
      const staff = new Set(await organizationIdsOfAgency(ctx.db, agencyId));
      for (const u of users.filter((x) => staff.has(x.organization_id))) {
        const already = await workplansDb(ctx.db).selectFrom('workplans_notifications').select('id').where('kind', '=', kind).where('period', '=', period).where('recipient', '=', u.id).executeTakeFirst();
        if (already) continue;
        // In the reader's language, the period in words ("Oct–Dec 2026"), never its code.
        const t = translator(u.lang);
        const vars = { period: periodLabel(u.lang, period), n: numbers.length, numbers: formatList(u.lang, numbers) };
        const subject = t(`wp.mail.${kind}.subject`, vars);
        const text = [t(`wp.mail.${kind}.text`, vars), '', t('wp.mail.link', { url: link }), '', t('wp.mail.why')].join('\n');
        const res = await send(ctx.config, { to: u.email, subject, text }, log);
        await workplansDb(ctx.db).insertInto('workplans_notifications').values({ id: newId(), kind, period, recipient: u.id, sent_at: nowIso() }).execute();
        if (res.skipped) skipped++;
        else if (kind === 'digest') digests++;
        else reminders++;
      }
    }
  };
  await deliver('digest', current.key, owed);
  await deliver('reminder', closed.key, missing);
  return { period: current.key, digests, reminders, skipped };
}
