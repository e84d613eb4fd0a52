/** Pieces several directory pages share. */
import { formatDate, formatList, type Lang } from '../../../platform/web/i18n.ts';
import { languageCodesOf } from '../languages.ts';
import type { ComponentChildren } from 'preact';
import type { View } from '../../../platform/web/view.ts';
import { Table } from '../../../platform/web/components.tsx';
import { CONFIDENTIAL, MANAGE, PROPOSE } from '../permissions.ts';
import { displayName, listProposals, type TargetType } from '../editing.ts';
import { distanceText, type Card } from '../presenters.ts';

export const PUBLIC = { access: 'public', publicCache: true } as const;
export const PROPOSE_ACCESS = { access: { permission: PROPOSE } } as const;
export const MANAGE_ACCESS = { access: { permission: MANAGE } } as const;
/** Rows per page of the editing lists. */
export const LIST_PAGE = 50;
export const PLURAL: Record<TargetType, string> = { organization: 'organizations', service: 'services', location: 'locations' };

export type Form = Record<string, unknown>;
export const s = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
export const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []);

/** A day (an ISO date, or the date part of an instant) as the reader writes it: "Oct 1, 2026", "1 oct 2026". */
export function dayLabel(v: View, iso: string): string {
  return formatDate(v.lang, iso);
}

const languageNamesIn = new Map<Lang, Intl.DisplayNames>();

/**
 * The languages a service speaks, as one phrase in the reader's language: "español e inglés" on a Spanish page for
 * "Spanish, English". A name the language table does not know stays as the publisher wrote it; an English page keeps
 * the publisher's names.
 */
export function languagesText(lang: Lang, names: readonly string[]): string {
  if (lang === 'en') return formatList(lang, names);
  let dn = languageNamesIn.get(lang);
  if (!dn) languageNamesIn.set(lang, (dn = new Intl.DisplayNames([lang], { type: 'language', fallback: 'none' })));
  const out = names.flatMap((name) => {
    const codes = languageCodesOf(name);
    const named = codes?.map((c) => dn.of(c));
    return named && named.every(Boolean) ? (named as string[]) : [name];
  });
  return formatList(lang, [...new Set(out)]);
}

/**
 * The facts a person checks first about a service: distance, address, phone, hours, languages, last verified. A fact
 * the publisher left empty is left out (issue 16: no "—" for every empty field); "not yet verified" is a fact.
 */
export function Facts({ v, c }: { v: View; c: Card }) {
  const address = c.address ?? (c.confidential ? v.t('directory.confidential') : undefined);
  const Fact = ({ label, children }: { label: string; children: ComponentChildren }) => (
    <div class="margin-bottom-1">
      <dt class="text-bold">{label}</dt>
      <dd class="margin-left-0">{children}</dd>
    </div>
  );
  return (
    <dl class="directory-facts">
      {c.distance !== undefined && (
        <div>
          <dt class="usa-sr-only">{v.t('directory.distance', { d: '' })}</dt>
          <dd class="text-bold margin-left-0">{distanceText(v, c.distance)}</dd>
        </div>
      )}
      {address && (
        <Fact label={v.t('directory.address')}>
          {address}
          {c.approximate && <span class="usa-hint"> ({v.t('directory.approximate')})</span>}
        </Fact>
      )}
      {c.phone && (
        <Fact label={v.t('directory.phone')}>
          <a href={`tel:${c.phone.replace(/[^\d+]/g, '')}`}>{c.phone}</a>
        </Fact>
      )}
      {c.hours.length > 0 && <Fact label={v.t('directory.hours')}>{c.hours.join('; ')}</Fact>}
      {c.languages.length > 0 && <Fact label={v.t('directory.languages')}>{languagesText(v.lang, c.languages)}</Fact>}
      <Fact label={v.t('directory.verified')}>{c.verified ? dayLabel(v, c.verified) : v.t('directory.not_verified')}</Fact>
    </dl>
  );
}


// ---------- lists ----------

export function ProposalTable({ v, caption, items, showProposer }: { v: View; caption: string; items: Awaited<ReturnType<typeof listProposals>>['items']; showProposer: boolean }) {
  const vetted = v.can(CONFIDENTIAL);
  return (
    <Table
      wrap
      v={v}
      caption={caption}
      head={[v.t('directory.proposal.record'), v.t('directory.organization'), ...(showProposer ? [v.t('directory.proposal.by')] : []), v.t('directory.proposal.submitted'), v.t('directory.proposal.fields'), v.t('directory.proposal.status')]}
      rows={items.map((p) => [
        <a href={`/directory/proposals/${p.id}`}>
          {displayName(p, vetted)} <span class="usa-sr-only">({v.t(`directory.proposal.kind.${p.target_type}`)})</span>
        </a>,
        p.organization_name,
        ...(showProposer ? [p.proposer_organization_name] : []),
        p.created_at.slice(0, 10),
        p.fields.map((f) => v.t(`directory.field.${f}`)).join(', '),
        v.t(`directory.proposal.status.${p.status}`),
      ])}
    />
  );
}

export function Section({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section aria-labelledby={id} class="margin-top-4">
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

