/**
 * HSDS 3.0 JSON objects built from the tables, with confidential locations redacted for callers not vetted for
 * them. Everything that leaves the module as HSDS (API, pages, exports) is built here, so redaction has one home.
 */
import type { Db } from '../../platform/db/index.ts';
import { hsdsFields, type Row, type TableName } from './model.ts';
import { rowsWhereIn } from './store.ts';
import type { HsdsRow } from './tables.ts';

export interface Audience {
  /** May see confidential locations' addresses and coordinates ('directory.confidential'). */
  vetted: boolean;
  /**
   * Directory organisations whose confidential locations this caller sees although not vetted: in the search, those
   * its account organisation stewards and, for a case worker, those in a network with them (search-audience.ts).
   * Where absent, none.
   */
  stewarded?: ReadonlySet<string>;
  /** Keep our extension columns (confidential, coordinates_approximate) in the output. */
  extensions?: boolean;
}

type Obj = Record<string, unknown>;

function group(rows: Row[], key: string): Map<string, Row[]> {
  const m = new Map<string, Row[]>();
  for (const r of rows) {
    const k = r[key];
    if (typeof k !== 'string') continue;
    const list = m.get(k) ?? [];
    list.push(r);
    m.set(k, list);
  }
  return m;
}

const clean = (t: TableName, r: Row, a: Audience) => hsdsFields(t, r, a.extensions ?? true);

/** The redacted view of a confidential location: it exists and belongs to an organisation, nothing more. */
export function redactLocation(loc: Row, a: Audience): Obj {
  const out: Obj = { id: loc.id, location_type: loc.location_type, name: 'Confidential location' };
  if (loc.organization_id) out.organization_id = loc.organization_id;
  if (a.extensions ?? true) out.confidential = true;
  return out;
}

export const hidesLocation = (loc: Row | undefined, a: Audience) =>
  Boolean(loc && loc.confidential && !a.vetted && !(typeof loc.organization_id === 'string' && a.stewarded?.has(loc.organization_id)));

/** Loads every related row of a set of services, in a few batched queries. */
export class Graph {
  rows = new Map<TableName, Row[]>();
  by = new Map<string, Map<string, Row[]>>();
  constructor(readonly db: Db) {}

  async load<N extends TableName>(table: N, col: string, ids: readonly (string | null)[]): Promise<HsdsRow<N>[]> {
    const rows = await rowsWhereIn(this.db, table, col, ids);
    const existing = this.rows.get(table) ?? [];
    const seen = new Set(existing.map((r) => r.id));
    for (const r of rows) if (!seen.has(r.id)) existing.push(r);
    this.rows.set(table, existing);
    this.by.clear();
    return rows;
  }

  /** The rows of a table loaded so far. */
  loaded<N extends TableName>(table: N): HsdsRow<N>[] {
    return (this.rows.get(table) ?? []) as HsdsRow<N>[];
  }

  index(table: TableName, key: string): Map<string, Row[]> {
    const k = `${table}.${key}`;
    let m = this.by.get(k);
    if (!m) this.by.set(k, (m = group(this.rows.get(table) ?? [], key)));
    return m;
  }
  one(table: TableName, id: unknown): Row | undefined {
    return typeof id === 'string' ? this.index(table, 'id').get(id)?.[0] : undefined;
  }
  many(table: TableName, key: string, id: unknown): Row[] {
    return typeof id === 'string' ? (this.index(table, key).get(id) ?? []) : [];
  }

  async services(ids: string[], full: boolean): Promise<HsdsRow<'service'>[]> {
    const services = await this.load('service', 'id', ids);
    await this.load('organization', 'id', services.map((s) => s.organization_id));
    await this.load('program', 'id', services.map((s) => s.program_id));
    if (!full) return services;
    const sal = await this.load('service_at_location', 'service_id', ids);
    const salIds = sal.map((x) => x.id);
    const locIds = sal.map((x) => x.location_id);
    await this.locations(locIds);
    for (const [t, col] of [['phone', 'service_id'], ['schedule', 'service_id'], ['service_area', 'service_id'], ['language', 'service_id'], ['funding', 'service_id'], ['cost_option', 'service_id'], ['required_document', 'service_id'], ['contact', 'service_id'], ['service_capacity', 'service_id'], ['metadata', 'resource_id']] as const) await this.load(t, col, ids);
    for (const [t, col] of [['phone', 'service_at_location_id'], ['schedule', 'service_at_location_id'], ['contact', 'service_at_location_id']] as const) await this.load(t, col, salIds);
    await this.load('unit', 'id', this.loaded('service_capacity').map((c) => c.unit_id));
    await this.load('phone', 'contact_id', this.loaded('contact').map((c) => c.id));
    await this.load('language', 'phone_id', this.loaded('phone').map((p) => p.id));
    await this.attributes(ids);
    return services;
  }

  async locations(ids: string[]): Promise<HsdsRow<'location'>[]> {
    const locs = await this.load('location', 'id', ids);
    for (const [t, col] of [['address', 'location_id'], ['phone', 'location_id'], ['language', 'location_id'], ['accessibility', 'location_id'], ['schedule', 'location_id'], ['contact', 'location_id']] as const) await this.load(t, col, ids);
    await this.attributes(ids);
    return locs;
  }

  async attributes(linkIds: string[]): Promise<void> {
    const attrs = await this.load('attribute', 'link_id', linkIds);
    const terms = await this.load('taxonomy_term', 'id', attrs.map((a) => a.taxonomy_term_id));
    await this.load('taxonomy', 'id', terms.map((t) => t.taxonomy_id));
  }

  // ---------- builders ----------

  term(id: unknown): Obj | undefined {
    const t = this.one('taxonomy_term', id);
    if (!t) return undefined;
    const out = clean('taxonomy_term', t, { vetted: true });
    const tax = this.one('taxonomy', t.taxonomy_id);
    if (tax) out.taxonomy_detail = clean('taxonomy', tax, { vetted: true });
    return out;
  }

  attributesOf(linkId: unknown): Obj[] {
    return this.many('attribute', 'link_id', linkId).map((a) => {
      const out = clean('attribute', a, { vetted: true });
      const term = this.term(a.taxonomy_term_id);
      if (term) out.taxonomy_term = term;
      return out;
    });
  }

  phone(p: Row, a: Audience): Obj {
    return { ...clean('phone', p, a), languages: this.many('language', 'phone_id', p.id).map((l) => clean('language', l, a)) };
  }

  contact(c: Row, a: Audience): Obj {
    return { ...clean('contact', c, a), phones: this.many('phone', 'contact_id', c.id).map((p) => this.phone(p, a)) };
  }

  location(loc: Row, a: Audience): Obj {
    if (hidesLocation(loc, a)) return redactLocation(loc, a);
    return {
      ...clean('location', loc, a),
      languages: this.many('language', 'location_id', loc.id).map((l) => clean('language', l, a)),
      addresses: this.many('address', 'location_id', loc.id).map((x) => clean('address', x, a)),
      contacts: this.many('contact', 'location_id', loc.id).map((c) => this.contact(c, a)),
      accessibility: this.many('accessibility', 'location_id', loc.id).map((x) => clean('accessibility', x, a)),
      phones: this.many('phone', 'location_id', loc.id).map((p) => this.phone(p, a)),
      schedules: this.many('schedule', 'location_id', loc.id).map((x) => clean('schedule', x, a)),
      attributes: this.attributesOf(loc.id),
    };
  }

  serviceAtLocation(sal: Row, a: Audience): Obj {
    const loc = this.one('location', sal.location_id);
    const hidden = hidesLocation(loc, a);
    return {
      ...clean('service_at_location', sal, a),
      contacts: hidden ? [] : this.many('contact', 'service_at_location_id', sal.id).map((c) => this.contact(c, a)),
      phones: hidden ? [] : this.many('phone', 'service_at_location_id', sal.id).map((p) => this.phone(p, a)),
      schedules: this.many('schedule', 'service_at_location_id', sal.id).map((x) => clean('schedule', x, a)),
      ...(loc ? { location: this.location(loc, a) } : {}),
    };
  }

  /** The one-to-one fields of a service with its organisation and program: an item of GET /services. */
  serviceListItem(s: Row, a: Audience): Obj {
    const out: Obj = clean('service', s, a);
    const org = this.one('organization', s.organization_id);
    if (org) out.organization = clean('organization', org, a);
    const program = this.one('program', s.program_id);
    if (program) out.program = clean('program', program, a);
    return out;
  }

  /** A fully nested service. */
  service(s: Row, a: Audience): Obj {
    const out = this.serviceListItem(s, a);
    Object.assign(out, {
      phones: this.many('phone', 'service_id', s.id).filter((p) => !p.service_at_location_id && !p.location_id).map((p) => this.phone(p, a)),
      schedules: this.many('schedule', 'service_id', s.id).map((x) => clean('schedule', x, a)),
      service_areas: this.many('service_area', 'service_id', s.id).map((x) => clean('service_area', x, a)),
      service_at_locations: this.many('service_at_location', 'service_id', s.id).map((x) => this.serviceAtLocation(x, a)),
      languages: this.many('language', 'service_id', s.id).map((x) => clean('language', x, a)),
      funding: this.many('funding', 'service_id', s.id).map((x) => clean('funding', x, a)),
      cost_options: this.many('cost_option', 'service_id', s.id).map((x) => clean('cost_option', x, a)),
      required_documents: this.many('required_document', 'service_id', s.id).map((x) => clean('required_document', x, a)),
      contacts: this.many('contact', 'service_id', s.id).map((c) => this.contact(c, a)),
      attributes: this.attributesOf(s.id),
      metadata: this.many('metadata', 'resource_id', s.id).map((x) => clean('metadata', x, a)),
      capacities: this.many('service_capacity', 'service_id', s.id).map((c) => {
        const unit = this.one('unit', c.unit_id);
        return { ...clean('service_capacity', c, a), ...(unit ? { unit: clean('unit', unit, a) } : {}) };
      }),
    });
    return out;
  }
}

/** Full organisation objects (HSDS organization.json), with their programs, phones, locations and services. */
export async function organizationsFull(db: Db, ids: string[], a: Audience, withServices: boolean): Promise<Obj[]> {
  const g = new Graph(db);
  const orgs = await rowsWhereIn(db, 'organization', 'id', ids);
  const byOrg = <N extends TableName>(t: N) => rowsWhereIn(db, t, 'organization_id', ids);
  const [programs, phones, contacts, funding, idents, locations, services] = await Promise.all([byOrg('program'), byOrg('phone'), byOrg('contact'), byOrg('funding'), byOrg('organization_identifier'), byOrg('location'), withServices ? byOrg('service') : Promise.resolve([])]);
  await g.locations(locations.map((l) => l.id));
  await g.attributes(ids);
  if (services.length) await g.services(services.map((s) => s.id), true);
  const lang = await rowsWhereIn(db, 'language', 'phone_id', phones.map((p) => p.id));
  g.rows.set('language', [...(g.rows.get('language') ?? []), ...lang]);
  g.by.clear();
  const gp = group(programs, 'organization_id');
  const gph = group(phones, 'organization_id');
  const gc = group(contacts, 'organization_id');
  const gf = group(funding, 'organization_id');
  const gi = group(idents, 'organization_id');
  const gl = group(locations, 'organization_id');
  const gs = group(services, 'organization_id');
  const order = new Map(ids.map((id, i) => [id, i]));
  orgs.sort((x, y) => (order.get(x.id) ?? 0) - (order.get(y.id) ?? 0));
  return orgs.map((o) => {
    const id = o.id;
    const out: Obj = {
      ...clean('organization', o, a),
      funding: (gf.get(id) ?? []).map((x) => clean('funding', x, a)),
      contacts: (gc.get(id) ?? []).filter((c) => !c.service_id && !c.location_id).map((c) => g.contact(c, a)),
      phones: (gph.get(id) ?? []).filter((p) => !p.service_id && !p.location_id && !p.contact_id && !p.service_at_location_id).map((p) => g.phone(p, a)),
      locations: (gl.get(id) ?? []).map((l) => g.location(l, a)),
      programs: (gp.get(id) ?? []).map((x) => clean('program', x, a)),
      organization_identifiers: (gi.get(id) ?? []).map((x) => clean('organization_identifier', x, a)),
      attributes: g.attributesOf(id),
    };
    if (withServices) out.services = (gs.get(id) ?? []).map((s) => g.service(s, a));
    return out;
  });
}

export async function servicesFull(db: Db, ids: string[], a: Audience): Promise<Obj[]> {
  const g = new Graph(db);
  const rows = await g.services(ids, true);
  const order = new Map(ids.map((id, i) => [id, i]));
  rows.sort((x, y) => (order.get(x.id) ?? 0) - (order.get(y.id) ?? 0));
  return rows.map((s) => g.service(s, a));
}

export async function servicesList(db: Db, ids: string[], a: Audience): Promise<Obj[]> {
  const g = new Graph(db);
  const rows = await g.services(ids, false);
  const order = new Map(ids.map((id, i) => [id, i]));
  rows.sort((x, y) => (order.get(x.id) ?? 0) - (order.get(y.id) ?? 0));
  return rows.map((s) => g.serviceListItem(s, a));
}
