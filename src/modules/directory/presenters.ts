/**
 * Directory records as the API and the pages show them to one caller: HSDS pages, and the card a person reads
 * about a service. No request object; what the caller may see comes from its context (policies.ts).
 */
import type { Ctx } from '../../platform/context.ts';
import type { View } from '../../platform/web/view.ts';
import { hidesLocation, type Audience, type Graph } from './hsds.ts';
import type { Hit } from './search.ts';
import type { Row } from './model.ts';
import { rowsWhereIn } from './store.ts';
import { seesConfidential } from './policies.ts';
import { openingHours, clock } from './hours.ts';
import { isOpen } from './search.ts';
import { formatDate, translator, type Lang } from '../../platform/web/i18n.ts';

/** What the caller may see of confidential locations. */
export const audienceOf = (ctx: Pick<Ctx, 'actor' | 'system'>): Audience => ({ vetted: seesConfidential(ctx) });

/** An HSDS 3.0 Page. */
export function envelope(total: number, page: number, perPage: number, contents: unknown[]) {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  return { total_items: total, total_pages: totalPages, page_number: page, size: contents.length, first_page: page === 1, last_page: page >= totalPages, empty: total === 0, contents };
}

// ---------- what a person needs to know about one service ----------

export interface Card {
  id: string;
  name: string;
  status: string;
  description?: string;
  organization?: { id: string; name: string };
  address?: string;
  confidential: boolean;
  approximate: boolean;
  phone?: string;
  hours: string[];
  languages: string[];
  verified?: string;
  distance?: number;
  point?: { lat: number; lng: number };
  eligibility?: string;
  cost?: string;
  apply?: string;
  url?: string;
  email?: string;
  capacity: string[];
  /** Open now and until when, from the weekly schedule; absent when the schedule gives no times. */
  open?: { open: boolean; text: string };
  /** Free places right now by unit ("3 beds"), from the service's capacity. */
  free: { available: number; unit: string }[];
}

const minutesOf = (t: unknown): number | null => {
  const m = typeof t === 'string' ? /^(\d{1,2}):(\d{2})/.exec(t.trim()) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/**
 * "Open now · closes 5 pm", "Open 24 hours" or "Closed now" from schedule rows (search.ts's isOpen decides, in the
 * row's time zone or the directory's); nothing when no row gives opening and closing times.
 */
export function openState(rows: Row[], now: Date, lang: string): { open: boolean; text: string } | undefined {
  const t = translator((lang === 'es' ? 'es' : 'en') as Lang);
  const timed = rows.filter((r) => minutesOf(r.opens_at) !== null && minutesOf(r.closes_at) !== null);
  if (!timed.length) return undefined;
  // A row from midnight to 23:59 is open all day, the last minute included.
  const allDay = (r: Row) => minutesOf(r.opens_at) === 0 && minutesOf(r.closes_at)! >= 23 * 60 + 59;
  if (timed.some((r) => allDay(r) && (isOpen(r, now) || isOpen(r, new Date(now.getTime() - 60_000))))) return { open: true, text: t('directory.card.open24') };
  const open = timed.filter((r) => isOpen(r, now));
  if (!open.length) return { open: false, text: t('directory.card.closed') };
  const closes = Math.max(...open.map((r) => minutesOf(r.closes_at)!));
  return { open: true, text: t('directory.card.open_until', { time: clock(closes, lang) }) };
}

/**
 * What a service costs, said once: the fees text, then each cost option with its amount ("Sliding scale — 25 USD");
 * a zero amount is not printed ("Free", not "Free — 0 USD"), and a part that another part already says is left out
 * ("Free of charge" and an option "Free" read "Free of charge").
 */
export function costText(fees: string | null | undefined, options: Row[]): string {
  const parts: string[] = [];
  if (fees && fees.trim()) parts.push(fees.trim());
  for (const c of options) {
    const amount = typeof c.amount === 'number' && c.amount > 0 ? `${c.amount} ${c.currency ?? ''}`.trim() : '';
    const text = [c.option, amount, c.amount_description].filter((x) => typeof x === 'string' && x.trim()).join(' — ');
    if (text) parts.push(text);
  }
  const said = (a: string, b: string) => a !== b && b.toLowerCase().includes(a.toLowerCase());
  return parts.filter((p, i) => !parts.some((q, j) => (j !== i && said(p, q)) || (j < i && q.toLowerCase() === p.toLowerCase()))).join('; ');
}

export function addressOf(a: Row | undefined): string | undefined {
  if (!a) return undefined;
  return [a.address_1, a.address_2, a.city, [a.state_province, a.postal_code].filter(Boolean).join(' ')].filter(Boolean).join(', ');
}

/** What a result in a list of results shows of a service (the search page's card): a card without the details below it. */
export type BriefCard = Omit<Card, 'hours' | 'capacity' | 'eligibility' | 'cost' | 'apply' | 'url' | 'email'>;

/** A service's whole card: what a result shows, with its hours, capacity, eligibility, cost, how to apply and contacts. */
export function cardOf(g: Graph, s: Row, a: Audience, v: Pick<View, 't' | 'lang'>, hit?: Hit, now: Date = new Date()): Card {
  const { card, schedules } = brief(g, s, a, v, hit, now);
  return {
    ...card,
    hours: openingHours(schedules, v.lang),
    eligibility: (s.eligibility_description as string | null) ?? undefined,
    cost: costText(s.fees_description as string | null, g.many('cost_option', 'service_id', s.id)) || undefined,
    apply: (s.application_process as string | null) ?? undefined,
    url: (s.url as string | null) ?? undefined,
    email: (s.email as string | null) ?? undefined,
    capacity: g.many('service_capacity', 'service_id', s.id).map((c) =>
      v.t('directory.capacity.now', { available: String(c.available), maximum: String(c.maximum ?? '?'), unit: unitName(v, g.one('unit', c.unit_id)?.name, Number(c.maximum ?? c.available)), updated: formatDate(v.lang, c.updated instanceof Date ? c.updated : String(c.updated)) }),
    ),
  };
}

/**
 * A result's card (BriefCard): what cardOf gives less what a list of results does not show. A search page makes
 * twenty, and the opening hours and capacity written out for each were a tenth of its cards' cost, unread.
 */
export function briefCardOf(g: Graph, s: Row, a: Audience, v: Pick<View, 't' | 'lang'>, hit?: Hit, now: Date = new Date()): BriefCard {
  return brief(g, s, a, v, hit, now).card;
}

/** The brief card, and the schedules it reads "open now" from (the service's and its shown location's), whose hours cardOf adds. */
function brief(g: Graph, s: Row, a: Audience, v: Pick<View, 't' | 'lang'>, hit: Hit | undefined, now: Date): { card: BriefCard; schedules: Row[] } {
  const sals = g.many('service_at_location', 'service_id', s.id);
  const preferred = hit?.locationId ? sals.find((x) => x.location_id === hit.locationId) : undefined;
  const visible = sals.map((x) => g.one('location', x.location_id)).filter((l): l is Row => Boolean(l));
  const loc = (preferred ? g.one('location', preferred.location_id) : undefined) ?? visible.find((l) => !hidesLocation(l, a)) ?? visible[0];
  const hiddenLoc = hidesLocation(loc, a);
  const org = g.one('organization', s.organization_id);
  const orgPhone = g.many('phone', 'organization_id', s.organization_id).find((p) => !p.location_id || !hidesLocation(g.one('location', p.location_id), a));
  const svcPhone = g.many('phone', 'service_id', s.id).find((p) => !p.location_id || !hidesLocation(g.one('location', p.location_id), a));
  const locPhone = loc && !hiddenLoc ? g.many('phone', 'location_id', loc.id)[0] : undefined;
  const phone = hiddenLoc ? (orgPhone ?? svcPhone) : (svcPhone ?? locPhone ?? orgPhone);
  const languages = [...new Set(g.many('language', 'service_id', s.id).map((l) => String(l.name ?? l.code ?? '')))].filter(Boolean);
  const schedules = [...g.many('schedule', 'service_id', s.id), ...(loc && !hiddenLoc ? g.many('schedule', 'location_id', loc.id) : [])];
  const card: BriefCard = {
    id: s.id as string,
    name: s.name as string,
    status: s.status as string,
    description: (s.description as string | null) ?? undefined,
    organization: org ? { id: org.id as string, name: org.name as string } : undefined,
    address: loc && !hiddenLoc ? addressOf(g.many('address', 'location_id', loc.id).find((x) => x.address_type !== 'postal') ?? g.many('address', 'location_id', loc.id)[0]) : undefined,
    confidential: Boolean(loc?.confidential),
    approximate: Boolean(loc && !hiddenLoc && loc.coordinates_approximate),
    phone: phone ? `${phone.number}${phone.extension ? ` ext. ${phone.extension}` : ''}` : undefined,
    languages,
    verified: (s.assured_date as string | null) ?? undefined,
    distance: hit?.distance,
    point: loc && !hiddenLoc && typeof loc.latitude === 'number' ? { lat: loc.latitude as number, lng: loc.longitude as number } : undefined,
    open: openState(schedules, now, v.lang),
    free: g
      .many('service_capacity', 'service_id', s.id)
      .filter((c) => typeof c.available === 'number' && c.available > 0)
      .map((c) => ({ available: c.available as number, unit: unitName(v, g.one('unit', c.unit_id)?.name, c.available as number) })),
  };
  return { card, schedules };
}

/** How far a service is, as a card says it: a distance that rounds to 0.0 (a place at the ZIP code's centre) is "less than 0.1". */
export function distanceText(v: Pick<View, 't'>, miles: number): string {
  return miles < 0.05 ? v.t('directory.distance.under') : v.t('directory.distance', { d: miles.toFixed(1) });
}

// Units publishers commonly count capacity in, by the words they use in English or Spanish.
const UNIT_WORDS: Record<string, string> = { bed: 'bed', beds: 'bed', cama: 'bed', camas: 'bed', room: 'room', rooms: 'room', 'habitación': 'room', habitaciones: 'room', apartment: 'apartment', apartments: 'apartment', unit: 'apartment', units: 'apartment', apartamento: 'apartment', apartamentos: 'apartment', place: 'place', places: 'place', slot: 'place', slots: 'place', space: 'place', spaces: 'place', seat: 'place', seats: 'place', plaza: 'place', plazas: 'place', cupo: 'place', cupos: 'place' };

/**
 * A capacity unit in the reader's language, singular or plural for `n`, when it is one of the common ones ("beds" is
 * "camas" to a Spanish reader); any other name as the publisher wrote it.
 */
export function unitName(v: Pick<View, 't'>, name: unknown, n: number): string {
  const raw = typeof name === 'string' ? name.trim() : '';
  const known = UNIT_WORDS[raw.toLowerCase()];
  return known ? v.t(`directory.unit.${known}`, { n }) : raw;
}

/**
 * The rows `cardOf` reads for these services, and no others (issue 14: a results page loaded each service's whole
 * HSDS record, some thirty statements one after another, though a card reads twelve tables). Statements that do not
 * depend on each other are sent together, in four rounds, so that on SQLite a request's reads share the messages to
 * the readers; a table read more than once (phones, schedules) is read in the order `Graph.services` reads it, so
 * that its rows are listed, and a card picks among them, as before. The services, in order of id.
 */
export async function loadCards(g: Graph, ids: string[]): Promise<Row[]> {
  const [services, sals, capacity] = await Promise.all([
    g.load('service', 'id', ids),
    g.load('service_at_location', 'service_id', ids),
    g.load('service_capacity', 'service_id', ids),
    g.load('language', 'service_id', ids),
    g.load('cost_option', 'service_id', ids),
  ]);
  const locIds = sals.map((x) => x.location_id);
  await Promise.all([
    g.load('organization', 'id', services.map((s) => s.organization_id)),
    g.load('location', 'id', locIds),
    g.load('unit', 'id', capacity.map((c) => c.unit_id)),
    ...(['address', 'phone', 'schedule'] as const).map((t) => g.load(t, 'location_id', locIds)),
  ]);
  await Promise.all([g.load('phone', 'service_id', ids), g.load('schedule', 'service_id', ids)]);
  await loadOrgPhones(g, services);
  return services;
}

/** Organisation phones, shown in place of a confidential location's. */
export async function loadOrgPhones(g: Graph, services: Row[]) {
  const phones = await rowsWhereIn(g.db, 'phone', 'organization_id', services.map((s) => s.organization_id as string));
  const existing = g.rows.get('phone') ?? [];
  const seen = new Set(existing.map((p) => p.id));
  g.rows.set('phone', [...existing, ...phones.filter((p) => !seen.has(p.id))]);
  g.by.clear();
}
