/** Referrals as the API and the pages show them to one of their parties. */
import type { Ctx } from '../../platform/context.ts';
import { allowedActions, consentActive, readableFields, type Side } from './policies.ts';
import { clientFieldNames, getConsent, listEvents, open, referralKey, type Referral } from './store.ts';

/** Everything a party to the referral may see about it; client detail values only through GET .../client. */
export async function referralOut(ctx: Ctx, ref: Referral, side: Side) {
  const [consent, events, stored, key] = await Promise.all([getConsent(ctx.db, ref.id), listEvents(ctx.db, ref.id), clientFieldNames(ctx.db, ref.id), referralKey(ctx.db, ctx.config, ref.id)]);
  const actor = ctx.actor!;
  return {
    id: ref.id,
    version: ref.version,
    status: ref.status,
    side,
    sender_organization: { id: ref.sender_organization_id, name: ref.sender_name },
    receiver_organization: { id: ref.receiver_organization_id, name: ref.receiver_name },
    service: { id: ref.service_id, name: ref.service_name },
    location_id: ref.location_id,
    network: ref.network_id ? { id: ref.network_id, name: ref.network_name ?? '' } : null,
    area: ref.area_fips ? { fips: ref.area_fips, state: ref.area_state } : null,
    needs: ref.needs,
    urgency: ref.urgency,
    note: open(ctx.config, key, ref.note_enc),
    decline_reason: ref.decline_reason,
    outcome: ref.outcome,
    outcome_reason: ref.outcome_reason,
    created_at: ref.created_at,
    sent_at: ref.sent_at,
    accepted_at: ref.accepted_at,
    closed_at: ref.closed_at,
    updated_at: ref.updated_at,
    purged: Boolean(ref.purged_at),
    consent: consent
      ? { fields: consent.fields, organization_id: consent.organization_id, form_version: consent.form_version, attested_at: consent.attested_at, expires_on: consent.expires_on, revoked_at: consent.revoked_at, active: consentActive(consent) }
      : null,
    client_fields: stored,
    client_visible: readableFields(actor, ref, side, consent, stored).length > 0,
    allowed_actions: allowedActions(actor, ref, side),
    events: events.map((e) => ({ version: e.version, at: e.at, action: e.action, from_status: e.from_status, to_status: e.to_status, actor_name: e.actor_name, actor_organization: e.actor_organization, reason: e.reason, note: open(ctx.config, key, e.note_enc) })),
  };
}

export function listItem(r: Referral, actedFor: string[]) {
  const sender = actedFor.includes(r.sender_organization_id);
  const receiver = actedFor.includes(r.receiver_organization_id) && r.status !== 'draft';
  return {
    id: r.id,
    version: r.version,
    status: r.status,
    side: sender && receiver ? 'both' : sender ? 'sender' : 'receiver',
    sender_organization: { id: r.sender_organization_id, name: r.sender_name },
    receiver_organization: { id: r.receiver_organization_id, name: r.receiver_name },
    service: { id: r.service_id, name: r.service_name },
    needs: r.needs,
    urgency: r.urgency,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

export type ReferralView = Awaited<ReturnType<typeof referralOut>>;
export type ReferralListView = ReturnType<typeof listItem>;
