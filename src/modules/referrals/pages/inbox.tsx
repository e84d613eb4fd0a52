import { Type } from '@sinclair/typebox';
import type { View } from '../../../platform/web/view.ts';
import type { App } from '../../../platform/module.ts';
import { hidden, pageOf } from '../../../platform/http/schemas.ts';
import { ActionButton, Alert, Pager, Table } from '../../../platform/web/components.tsx';
import { markNotificationsRead } from '../commands.ts';
import { organizationsActedFor, stewardedOrganizations } from '../deps.ts';
import { READ, SEND, STATS } from '../permissions.ts';
import { listItem, type ReferralListView } from '../presenters.ts';
import { listNotifications, listReferrals, unreadCount, type Notification } from '../store.ts';
import { StatusTag, when } from './common.tsx';

const BOXES = ['all', 'received', 'sent'] as const;

interface InboxProps {
  v: View;
  box: string;
  status?: string;
  items: ReferralListView[];
  total: number;
  page: number;
  perPage: number;
  unread: number;
  notes: Notification[];
  actsFor: { id: string; name: string }[];
}

function InboxPage(p: InboxProps) {
  const { v } = p;
  return (
    <div>
      <h1>{v.t('rf.title')}</h1>
      <p class="usa-intro">{v.t('rf.intro')}</p>
      {p.actsFor.length === 0 ? (
        <Alert type="warning" slim>
          {v.t('rf.nosteward')}
        </Alert>
      ) : (
        <p>
          {v.t('rf.actsfor')}: {p.actsFor.map((o) => o.name).join(', ')}
        </p>
      )}
      <ul class="usa-button-group margin-y-2">
        {v.can(SEND) && (
          <li class="usa-button-group__item">
            <a class="usa-button" href="/referrals/new">
              {v.t('rf.new')}
            </a>
          </li>
        )}
        {v.can(STATS) && (
          <li class="usa-button-group__item">
            <a class="usa-button usa-button--outline" href="/referrals/stats">
              {v.t('rf.stats.title')}
            </a>
          </li>
        )}
      </ul>
      <h2>{v.t('rf.notifications', { n: p.unread })}</h2>
      {p.notes.length > 0 && (
        <>
          <ul class="usa-list">
            {p.notes.map((n) => (
              <li>
                <a href={`/referrals/${n.referral_id}`}>{n.service_name ? `${v.t(`rf.notify.${n.kind}`)}: ${n.service_name}` : v.t(`rf.notify.${n.kind}`)}</a>
                {n.sender_name ? ` — ${v.t('rf.notify.between', { from: n.sender_name, to: n.receiver_name ?? '' })}` : ''}, {v.t(`rf.status.${n.status}`)}, {when(n.created_at, v.lang)}
              </li>
            ))}
          </ul>
          <ActionButton v={v} action="/referrals/notifications/read" secondary>
            {v.t('rf.notifications.read')}
          </ActionButton>
        </>
      )}
      <h2>{v.t('rf.list')}</h2>
      <nav aria-label={v.t('rf.boxes')}>
        <ul class="usa-button-group usa-button-group--segmented margin-bottom-2">
          {BOXES.map((b) => (
            <li class="usa-button-group__item">
              <a class={`usa-button${p.box === b ? '' : ' usa-button--outline'}`} href={`/referrals?box=${b}`} aria-current={p.box === b ? 'page' : undefined}>
                {v.t(`rf.box.${b}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <Table
        v={v}
        caption={v.t(`rf.box.${p.box}`)}
        head={[v.t('rf.service'), v.t('rf.from'), v.t('rf.to'), v.t('rf.needs'), v.t('rf.urgency'), v.t('rf.status'), v.t('rf.updated')]}
        rows={p.items.map((r) => [
          <a href={`/referrals/${r.id}`}>{r.service.name}</a>,
          r.sender_organization.name,
          r.receiver_organization.name,
          r.needs.map((n) => v.t(`rf.need.${n}`)).join(', '),
          v.t(`rf.urgency.${r.urgency}`),
          <StatusTag v={v} status={r.status} />,
          when(r.updated_at, v.lang),
        ])}
      />
      <Pager v={v} page={p.page} perPage={p.perPage} total={p.total} />
    </div>
  );
}

export async function inboxPages(app: App): Promise<void> {
  const inboxQuery = Type.Object(
    { box: Type.Optional(Type.String({ maxLength: 20 })), status: Type.Optional(Type.String({ maxLength: 20 })), page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) },
    { additionalProperties: false },
  );
  app.get('/referrals', { config: { access: { permission: READ } }, schema: { ...hidden, querystring: inboxQuery } }, async (req, reply) => {
    const { page, perPage, offset } = pageOf({ page: req.query.page, per_page: 25 });
    const box = BOXES.find((b) => b === req.query.box) ?? 'all';
    const actor = req.ctx.actor!;
    const actedFor = await stewardedOrganizations(req.ctx.db, actor.organizationId);
    const { items, total } = await listReferrals(req.ctx.db, { actedFor, box, limit: perPage, offset });
    const [unread, notes, actsFor] = await Promise.all([unreadCount(req.ctx.db, actor.id), listNotifications(req.ctx.db, actor.id, { unreadOnly: true, limit: 20 }), organizationsActedFor(req.ctx.db, actor.organizationId)]);
    const v = req.view();
    return reply.page(v.t('rf.title'), <InboxPage v={v} box={box} items={items.map((r) => listItem(r, actedFor))} total={total} page={page} perPage={perPage} unread={unread} notes={notes} actsFor={actsFor} />);
  });
  app.post('/referrals/notifications/read', { config: { access: { permission: READ } }, schema: hidden }, async (req, reply) => {
    await markNotificationsRead(req.ctx);
    return reply.redirect('/referrals');
  });
}
