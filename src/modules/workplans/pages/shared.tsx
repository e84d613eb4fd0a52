/** Pieces every work-plan page uses: status tags, item links, due tables, charts' points, the edit links. */
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { View } from '../../../platform/web/view.ts';
import { Table } from '../../../platform/web/components.tsx';
import { formatDate } from '../../../platform/web/i18n.ts';
import { periodsBetween, shiftPeriod } from '../periods.ts';
import { PERM } from '../policies.ts';
import { periodLabel, periodLabels } from '../presenters.ts';
import type { DueInfo, Item, PlanView } from '../store.ts';

/** What the page helpers need of a request, whatever its route's schema. */
export type PageReq = Pick<FastifyRequest, 'ctx' | 'view' | 'actor'>;

/**
 * An HTML form post: any fields, read and checked by the command it feeds, so that a bad value comes back on the
 * form beside its field rather than as an error page.
 */
export const FormPost = Type.Object({}, { additionalProperties: true });

export const statusLabel = (v: View, s: string) => v.t(`wp.status.${s}`);

export function StatusTag({ v, status }: { v: View; status: string }) {
  const color = status === 'at_risk' ? ' bg-gold text-ink' : status === 'off_track' ? ' bg-secondary-dark' : status === 'done' ? ' bg-green' : status === 'dropped' ? ' bg-base' : '';
  return <span class={`usa-tag${color}`}>{statusLabel(v, status)}</span>;
}

export function itemLink(i: { id: string; number: string; title: string }) {
  return (
    <a href={`/workplans/items/${i.id}`}>
      {i.number} {i.title}
    </a>
  );
}

/** Progress of a set of items over the last four closed quarters and the current one. */
export function chartPoints(plan: PlanView, items: Item[]) {
  const current = plan.currentPeriod;
  return periodsBetween(shiftPeriod(current, -4), current).map((p) => ({ period: p.key, progress: plan.progressOf(items, p.key) }));
}

export function DueTable({ v, caption, rows }: { v: View; caption: string; rows: DueInfo[] }) {
  return (
    <Table
      v={v}
      caption={caption}
      head={[v.t('wp.item'), v.t('wp.status'), v.t('wp.due'), v.t('wp.next.update'), v.t('wp.missing')]}
      rows={rows.map((d) => [
        itemLink(d),
        <>
          <StatusTag v={v} status={d.status} />
          {d.late && (
            <>
              {' '}
              <span class="usa-tag bg-secondary-dark">{v.t('wp.late')}</span>
            </>
          )}
        </>,
        d.due_date ? formatDate(v.lang, d.due_date) : '—',
        d.next_update_period ? `${periodLabel(v.lang, d.next_update_period)} (${v.t('wp.due.by', { date: d.next_update_due ? formatDate(v.lang, d.next_update_due) : '' })})` : '—',
        d.missing_periods.length ? periodLabels(v.lang, d.missing_periods) : v.t('wp.missing.none'),
      ])}
    />
  );
}

/** Links to the item forms (item-forms.tsx), shown only to people who may use them. */
export function EditLinks({ v, item }: { v: View; item?: Item }) {
  if (!v.can(PERM.edit)) return null;
  const childKind = !item ? 'goal' : item.kind === 'goal' ? 'objective' : item.kind === 'objective' ? 'action' : undefined;
  return (
    <ul class="usa-button-group margin-y-2">
      {item && (
        <li class="usa-button-group__item">
          <a class="usa-button" href={`/workplans/items/${item.id}/edit`}>
            {v.t('wp.form.edit.link', { number: item.number })}
          </a>
        </li>
      )}
      {childKind && (
        <li class="usa-button-group__item">
          <a class="usa-button usa-button--outline" href={item ? `/workplans/items/new?parent=${item.id}` : '/workplans/items/new'}>
            {v.t(`wp.form.add.${childKind}`)}
          </a>
        </li>
      )}
    </ul>
  );
}
