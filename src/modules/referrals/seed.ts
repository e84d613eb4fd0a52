import type { Ctx } from '../../platform/context.ts';
import { createUser, loadActor } from '../../platform/auth/index.ts';
import { newId, toJson } from '../../platform/db/index.ts';
import { DEMO_PASSWORD } from '../../platform/seed.ts';
import { addSteward, searchServices } from '../directory/index.ts';
import { networkMembers, networksOfOrganization } from '../networks/index.ts';
import { createReferral, transition } from './commands.ts';
import { areaOf, serviceInfo, sharedNetworks, type ServiceInfo } from './deps.ts';
import { CONSENT_FORM, type Need } from './schema.ts';

export const DEMO_CASEWORKERS = {
  sender: { email: 'casemanager@demo.taskforce.example', name: 'Demo Case Manager', organization: 'Capital Area Freedom Network' },
  receiver: { email: 'jobcenter@demo.taskforce.example', name: 'Demo Job Center Case Worker' },
};

async function firstService(ctx: Ctx, params: { q?: string; need?: string[]; organizationId?: string }, skipOrg?: string): Promise<ServiceInfo | undefined> {
  const res = await searchServices(ctx.db, ctx.dbKind, { ...params, page: 1, perPage: 25, vetted: false, facets: false });
  for (const h of res.hits) {
    const s = await serviceInfo(ctx.db, h.serviceId);
    if (s && s.organization_id !== skipOrg && s.organization_name) return s;
  }
  return undefined;
}

/** A small deterministic generator, so that every demo database tells the same story. */
function rng(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

const DAY = 86_400_000;

/**
 * Demo referrals: a case manager at the Capital Area Freedom Network and a case worker at a DC job-training
 * organisation (both caseworker accounts, password DEMO_PASSWORD), three live referrals between them with made-up
 * client details, and a history of closed referrals, already purged, so that the statistics show figures.
 */
export async function seedReferrals(ctx: Ctx, log: (line: string) => void, now = new Date()): Promise<void> {
  const freedom = await firstService(ctx, { q: 'Survivor Case Management' });
  if (!freedom || freedom.organization_name !== DEMO_CASEWORKERS.sender.organization) {
    log('referrals: the demo provider is not in the directory; demo referrals skipped');
    return;
  }
  // The job centre: an employment and training member of a network the Freedom Network belongs to, if there is one.
  let jobs: ServiceInfo | undefined;
  for (const n of await networksOfOrganization(ctx.db, freedom.organization_id)) {
    for (const m of await networkMembers(ctx.db, n.id)) {
      if (jobs || m.role !== 'employment_training') continue;
      jobs = (await firstService(ctx, { need: ['job-training'], organizationId: m.directory_organization_id })) ?? (await firstService(ctx, { need: ['employment'], organizationId: m.directory_organization_id }));
    }
  }
  jobs ??= (await firstService(ctx, { need: ['job-training'] }, freedom.organization_id)) ?? (await firstService(ctx, { q: 'job training' }, freedom.organization_id));
  if (!jobs) {
    log('referrals: no job-training organisation in the directory; demo referrals skipped');
    return;
  }
  const sender = await createUser(ctx, { ...DEMO_CASEWORKERS.sender, role: 'caseworker', password: DEMO_PASSWORD });
  const receiver = await createUser(ctx, { ...DEMO_CASEWORKERS.receiver, organization: jobs.organization_name, role: 'caseworker', password: DEMO_PASSWORD });
  await addSteward(ctx, { directory_organization_id: freedom.organization_id, account_organization_id: sender.organization_id });
  await addSteward(ctx, { directory_organization_id: jobs.organization_id, account_organization_id: receiver.organization_id });
  log(`referrals: demo case workers ${sender.email} (${freedom.organization_name}) and ${receiver.email} (${jobs.organization_name})`);

  const asSender: Ctx = { ...ctx, actor: (await loadActor(ctx.db, sender.id, 'session'))!, requestId: 'seed' };
  const asReceiver: Ctx = { ...ctx, actor: (await loadActor(ctx.db, receiver.id, 'session'))!, requestId: 'seed' };
  const network = (await sharedNetworks(ctx.db, freedom.organization_id, jobs.organization_id))[0];
  const expires = new Date(now.getTime() + 90 * DAY).toISOString().slice(0, 10);
  // Made-up people: these names and numbers belong to no one.
  const clients = [
    { name: 'Ana Example', phone: '202-555-0101', preferred_language: 'Spanish', safe_contact: 'Text first, weekdays after 6 pm' },
    { name: 'Bea Sample', email: 'bea.sample@example.org', preferred_language: 'English' },
    { name: 'Cam Placeholder', phone: '202-555-0199' },
  ];
  const steps: string[][] = [[], ['accept'], ['accept', 'start']];
  for (const [i, client] of clients.entries()) {
    const ref = await createReferral(asSender, {
      service_id: jobs.id,
      ...(network ? { network_id: network.id } : {}),
      needs: i === 1 ? ['job-training', 'employment'] : ['job-training'],
      urgency: i === 0 ? 'soon' : 'routine',
      note: 'Looking for a paid training program; evenings preferred.',
      consent: { fields: Object.keys(client), attested: true, form_version: CONSENT_FORM.version, expires_on: expires },
      client,
    });
    let version = ref.version;
    for (const action of steps[i]) version = (await transition(asReceiver, ref.id, { action, version })).version;
  }
  log(`referrals: ${clients.length} live demo referrals`);

  // Closed, purged history: receivers are directory services offering each need, spread over the past year.
  const needs: { need: Need; weight: number }[] = [
    { need: 'job-training', weight: 60 },
    { need: 'employment', weight: 40 },
    { need: 'housing', weight: 50 },
    { need: 'legal', weight: 30 },
    { need: 'mental-health', weight: 30 },
  ];
  const random = rng(20261201);
  let made = 0;
  for (const { need, weight } of needs) {
    const service = (await firstService(ctx, { need: [need] }, freedom.organization_id)) ?? jobs;
    const area = areaOf(service);
    const shared = (await sharedNetworks(ctx.db, freedom.organization_id, service.organization_id))[0];
    for (let k = 0; k < weight; k++) {
      const sentAt = now.getTime() - (30 + Math.floor(random() * 330)) * DAY;
      const roll = random();
      const acceptedAt = roll < 0.7 ? sentAt + (0.5 + random() * 6) * DAY : null;
      const status = roll < 0.5 ? 'completed' : roll < 0.7 ? 'completed' : roll < 0.92 ? 'declined' : 'expired';
      const outcome = status !== 'completed' ? null : roll < 0.5 ? 'got_help' : 'could_not_get_help';
      const outcomeReason = outcome === 'could_not_get_help' ? (random() < 0.6 ? 'unable_to_contact' : 'not_eligible') : null;
      const declineReason = status === 'declined' ? (random() < 0.75 ? 'no_capacity' : 'not_eligible') : null;
      const closedAt = (acceptedAt ?? sentAt) + (3 + random() * 20) * DAY;
      const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
      const id = newId();
      await ctx.db
        .insertInto('referrals')
        .values({
          id,
          version: acceptedAt ? 3 : 2,
          status,
          sender_organization_id: freedom.organization_id,
          receiver_organization_id: service.organization_id,
          sender_name: freedom.organization_name,
          receiver_name: service.organization_name,
          service_id: service.id,
          service_name: service.name,
          location_id: null,
          network_id: shared?.id ?? null,
          network_name: shared?.name ?? null,
          area_fips: area?.fips ?? null,
          area_state: area?.state ?? null,
          needs: toJson([need]),
          urgency: 'routine',
          note_enc: null,
          decline_reason: declineReason,
          outcome,
          outcome_reason: outcomeReason,
          created_by: sender.id,
          created_at: iso(sentAt),
          sent_at: iso(sentAt),
          accepted_at: iso(acceptedAt),
          closed_at: iso(closedAt),
          updated_at: iso(closedAt),
          purged_at: now.toISOString(),
        })
        .execute();
      const events: { action: string; from: string | null; to: string; at: number; by: string; org: string | null }[] = [{ action: 'send', from: null, to: 'sent', at: sentAt, by: sender.name, org: freedom.organization_name }];
      if (acceptedAt) events.push({ action: 'accept', from: 'sent', to: 'accepted', at: acceptedAt, by: 'Demo provider staff', org: service.organization_name });
      events.push({ action: status === 'completed' ? 'complete' : status === 'declined' ? 'decline' : 'expire', from: acceptedAt ? 'accepted' : 'sent', to: status, at: closedAt, by: status === 'expired' ? 'Taskforce Hub (automatic)' : 'Demo provider staff', org: status === 'expired' ? null : service.organization_name });
      for (const [v, e] of events.entries()) {
        await ctx.db
          .insertInto('referral_events')
          .values({ id: newId(), referral_id: id, version: v + 1, at: iso(e.at), action: e.action, from_status: e.from, to_status: e.to, actor_id: null, actor_name: e.by, actor_organization: e.org, reason: v === events.length - 1 ? (declineReason ?? outcomeReason) : null, note_enc: null })
          .execute();
      }
      made++;
    }
    log(`referrals: demo history ${made} closed referrals`);
  }
}
