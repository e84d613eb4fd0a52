import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type { App } from '../../platform/module.ts';
import { sql } from 'kysely';
import { fieldError, notFound } from '../../platform/http/errors.ts';
import { likePattern } from '../../platform/db/index.ts';
import { haversineMiles } from '../../platform/db/geo.ts';
import { Graph, servicesFull, servicesList, organizationsFull, hidesLocation } from './hsds.ts';
import { searchServices, resolvePlace, areaCoversPostcode, PlaceError, type SearchParams } from './search.ts';
import { readRow, hsdsFields, type Row } from './model.ts';
import { rowsWhereIn, unverifiedServices } from './store.ts';
import { MANAGE } from './permissions.ts';
import { audienceOf, envelope } from './presenters.ts';
import { referableOrganizations, searchAudience } from './search-audience.ts';
import { verifyService } from './commands.ts';
import { counterpartRow, organizationsMatchedWith, organizationStandIns, standsFor, standsForAnother } from './federation-match.ts';
import { organizationPointer, organizationsNamedIn } from './export.ts';
import { DateStr, IdParams, Instant, Nullable, Paged, PageQuery, pageOf, ProblemRef, readErrors, secured, Uuid } from '../../platform/http/schemas.ts';

const TAGS = ['HSDS'];
const PUBLIC = { access: 'public', publicCache: true } as const;
const Bool = Type.Boolean();
const Page = {
  ...PageQuery,
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('ndjson')], { description: '`ndjson` streams every result, one per line, without pagination.' })),
};
const Search = Type.Optional(Type.String({ maxLength: 200, description: 'Full-text search, ranked; everyday words are widened with synonyms ("job" finds employment services).' }));
const List = (item: string) =>
  Type.Object(
    {
      total_items: Type.Integer(),
      total_pages: Type.Integer(),
      page_number: Type.Integer(),
      size: Type.Integer(),
      first_page: Type.Boolean(),
      last_page: Type.Boolean(),
      empty: Type.Boolean(),
      contents: Type.Array(Type.Unknown({ description: item })),
    },
    { description: 'HSDS 3.0 Page' },
  );
const HsdsObject = (what: string) => Type.Unknown({ description: `An HSDS 3.0 ${what} object, fully nested.` });
const StrList = Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20 });
const ModifiedAfter = Type.Optional(
  Type.Union([Instant, DateStr], { description: 'Results modified on or after this moment: a date-time with its offset, or a date (YYYY-MM-DD, from 00:00 UTC that day).' }),
);
/** HSDS gives `proximity` in metres. The search underneath works in miles (its pages show miles). */
const METRES_PER_MILE = 1609.344;
const MAX_PROXIMITY_METRES = 800_000;

const ServicesQuery = Type.Object(
  {
    search: Search,
    ...Page,
    taxonomy_term_id: Type.Optional(Uuid),
    taxonomy_id: Type.Optional(Uuid),
    organization_id: Type.Optional(Uuid),
    modified_after: ModifiedAfter,
    minimal: Type.Optional(Bool),
    full: Type.Optional(Bool),
    // Extensions of this directory (HSDS allows more parameters than it lists):
    near: Type.Optional(Type.String({ maxLength: 60, description: 'Extension: a 5-digit ZIP code or "lat,lng"; results come nearest first, or with `search` by best match (see `sort`).' })),
    radius: Type.Optional(Type.Number({ minimum: 0.1, maximum: 500, description: 'Extension: miles from `near` (default 25).' })),
    sort: Type.Optional(
      Type.Union([Type.Literal('relevance'), Type.Literal('distance')], {
        description: 'Extension: with `search` and `near`, `relevance` (the default, "best match") blends how well each service matches with its distance; `distance` is nearest first. Ties are broken by name, then id.',
      }),
    ),
    need: Type.Optional(StrList),
    population: Type.Optional(StrList),
    trait: Type.Optional(StrList),
    language: Type.Optional(StrList),
    free: Type.Optional(Bool),
    open_now: Type.Optional(Bool),
    accepts_referrals: Type.Optional(Bool),
    capacity_available: Type.Optional(Bool),
    referable: Type.Optional(
      Type.Boolean({ description: "Extension: only services whose organisation receives referrals through this product in a network the caller's organisation belongs to (none for the public)." }),
    ),
  },
  { additionalProperties: false },
);

const SalQuery = Type.Object(
  {
    search: Search,
    ...Page,
    taxonomy_term_id: Type.Optional(Uuid),
    taxonomy_id: Type.Optional(Uuid),
    organization_id: Type.Optional(Uuid),
    modified_after: ModifiedAfter,
    full: Type.Optional(Bool),
    postcode: Type.Optional(Type.String({ pattern: '^\\d{5}(-\\d{4})?$', description: 'ZIP code: locations with this postal code, or with `proximity`, the centre of the search.' })),
    proximity: Type.Optional(
      Type.String({
        maxLength: 80,
        description:
          'A distance in metres, as HSDS defines it: with `postcode`, from the centroid of that postcode (`postcode=20001&proximity=5000`). Extension: "lat,lng,metres" from a point. At most 800,000 m. Results come nearest first and carry `distance_meters` (and `distance_miles`, rounded to a tenth).',
      }),
    ),
  },
  { additionalProperties: false },
);

const arr = (v: string[] | undefined) => (v === undefined ? undefined : v.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean));

type ServicesQuery = Static<typeof ServicesQuery>;


function searchParamsOf(q: ServicesQuery, vetted: boolean): SearchParams {
  return {
    q: q.search,
    near: q.near,
    radius: q.radius,
    sort: q.sort,
    need: arr(q.need),
    population: arr(q.population),
    trait: arr(q.trait),
    language: arr(q.language),
    free: q.free === true,
    openNow: q.open_now === true,
    referrals: q.accepts_referrals === true,
    capacity: q.capacity_available === true,
    taxonomyTermId: q.taxonomy_term_id ? [q.taxonomy_term_id] : undefined,
    taxonomyId: q.taxonomy_id,
    organizationId: q.organization_id,
    modifiedAfter: q.modified_after ? new Date(q.modified_after).toISOString() : undefined,
    page: q.page ?? 1,
    perPage: q.per_page ?? 50,
    vetted,
  };
}

async function search(req: FastifyRequest, p: SearchParams) {
  try {
    return await searchServices(req.ctx.db, req.ctx.dbKind, p, req.ctx.config.searchCacheEntries);
  } catch (err) {
    if (err instanceof PlaceError) throw fieldError('near', err.message);
    throw err;
  }
}

const MATCHED = (what: string) =>
  `A ${what} that another source also gives, under its own id, is one record: asked for by the id of the record seen later, the answer is 307 Temporary Redirect to the record seen first, which stands for both (the query string kept). Clients that follow redirects (most HTTP libraries do by default) get that record.`;
const Redirected = Type.Null({ description: 'Matched with a record another source gave first: Location names it (/api/hsds/.../{id}, the query string kept).' });

/** A 307 to the record that stands for the one asked for, keeping the query string. */
function redirectTo(req: FastifyRequest, reply: FastifyReply, path: string) {
  const q = req.url.indexOf('?');
  return reply.code(307).header('location', path + (q >= 0 ? req.url.slice(q) : '')).send(null);
}

/**
 * Lists and objects name an organisation matched with one seen first as that one (its id, and the nested
 * organisation), so that a client following the reference lands once rather than on a 307 (export.ts).
 */
async function firstOrganizations<T>(req: FastifyRequest, answer: T): Promise<T> {
  // Only the organisations this answer names are looked up (by key): the match table is never read whole per request.
  return (await organizationPointer(req.ctx.db, await organizationStandIns(req.ctx.db, organizationsNamedIn(answer))))(answer);
}

function ndjson(reply: FastifyReply, items: unknown[]) {
  return reply.type('application/x-ndjson; charset=utf-8').send(items.map((i) => JSON.stringify(i)).join('\n') + (items.length ? '\n' : ''));
}

export async function directoryApi(app: App) {
  app.get(
    '/api/hsds',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'About this HSDS API', response: { 200: Type.Object({ version: Type.String(), profile: Type.String(), openapi_url: Type.String() }) } } },
    async (req) => ({ version: '3.0', profile: 'https://docs.openreferral.org/en/latest/hsds/overview.html', openapi_url: `${req.ctx.config.publicUrl.replace(/\/$/, '')}/api/openapi.json` }),
  );

  app.get(
    '/api/hsds/services',
    {
      config: PUBLIC,
      schema: {
        tags: TAGS,
        summary: 'Services (HSDS 3.0), searchable; confidential locations are redacted unless the caller is vetted',
        description: 'Parameters combine with AND. Extensions: near/radius (miles), sort (relevance|distance), referable, need, population, trait, language, free, open_now, accepts_referrals, capacity_available. Results with `near` carry `distance_miles`; a service found only at a confidential location the caller may not see carries `distance_within_miles` instead (a band such as 5 or 10, measured to the location\'s area, never its point) and its location redacted.',
        querystring: ServicesQuery,
        response: { 200: List('service_list item'), ...readErrors },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const a = await searchAudience(req.ctx);
      const all = q.format === 'ndjson';
      const p = searchParamsOf(q, a.vetted);
      p.stewarded = a.stewarded;
      if (q.referable === true) p.organizationIds = [...(await referableOrganizations(req.ctx))];
      // The HSDS Page carries no facets.
      p.facets = false;
      if (all) {
        p.page = 1;
        p.perPage = 1_000_000;
      }
      const r = await search(req, p);
      const ids = r.hits.map((h) => h.serviceId);
      let contents: Record<string, unknown>[];
      if (q.minimal) {
        // HSDS asks for id and modification date only; name and status stay so that items still match service_list.
        contents = (await servicesList(req.ctx.db, ids, a)).map((s) => ({ id: s.id, name: s.name, status: s.status, ...(s.last_modified ? { last_modified: s.last_modified } : {}) }));
      } else contents = await firstOrganizations(req, q.full ? await servicesFull(req.ctx.db, ids, a) : await servicesList(req.ctx.db, ids, a));
      r.hits.forEach((h, i) => {
        if (h.distance === undefined || !contents[i]) return;
        // A confidential location the caller may not see is found by area only: a band of distance, no point.
        if (h.within) contents[i].distance_within_miles = h.distance;
        else contents[i].distance_miles = Math.round(h.distance * 10) / 10;
      });
      if (all) return ndjson(reply, contents);
      return envelope(r.total, p.page, p.perPage, contents);
    },
  );

  app.post(
    '/api/directory/services/:id/verify',
    {
      config: { access: { permission: MANAGE } },
      schema: { tags: ['Directory'], summary: "Record that a service's details were confirmed today (HSDS assured_date)", security: secured, params: IdParams, response: { 200: Type.Object({ id: Type.String(), assured_date: Type.String() }), 400: ProblemRef, 401: ProblemRef, 403: ProblemRef, 404: ProblemRef } },
    },
    async (req) => verifyService(req.ctx, req.params.id),
  );

  app.get(
    '/api/directory/unverified',
    {
      config: { access: { permission: MANAGE } },
      schema: {
        tags: ['Directory'],
        summary: 'Active services not verified in the last 12 months, oldest first',
        security: secured,
        querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }),
        response: { 200: Paged(Type.Object({ id: Type.String(), name: Type.String(), organization: Nullable(Type.String()), assured_date: Nullable(Type.String()) })), 400: ProblemRef, 401: ProblemRef, 403: ProblemRef },
      },
    },
    async (req) => {
      const { page, perPage, offset } = pageOf(req.query);
      const { items, total } = await unverifiedServices(req.ctx.db, perPage, offset);
      return { items, total, page, per_page: perPage };
    },
  );

  app.get(
    '/api/hsds/services/:id',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'One service, fully nested (HSDS 3.0 service)', description: MATCHED('service'), params: IdParams, response: { 200: HsdsObject('service'), 307: Redirected, ...readErrors } } },
    async (req, reply) => {
      const first = await standsFor(req.ctx.db, 'service', req.params.id);
      if (first) return redirectTo(req, reply, `/api/hsds/services/${first}`);
      const [s] = await servicesFull(req.ctx.db, [req.params.id], audienceOf(req.ctx));
      if (!s) throw notFound('No such service.');
      return firstOrganizations(req, s);
    },
  );

  app.get(
    '/api/hsds/organizations',
    {
      config: PUBLIC,
      schema: {
        tags: TAGS,
        summary: 'Organizations (HSDS 3.0)',
        querystring: Type.Object({ search: Search, ...Page, full: Type.Optional(Bool), full_service: Type.Optional(Bool), taxonomy_term_id: Type.Optional(Uuid), taxonomy_id: Type.Optional(Uuid) }, { additionalProperties: false }),
        response: { 200: List('organization_list item'), ...readErrors },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const page = q.format === 'ndjson' ? 1 : (q.page ?? 1);
      const perPage = q.format === 'ndjson' ? 1_000_000 : (q.per_page ?? 50);
      // An organisation matched with one another source gave first is listed once, as that one (federation-match.ts).
      let base = req.ctx.db.selectFrom('directory_organization as o').where(sql<boolean>`not exists (select 1 from directory_organization_match m where m.organization_id = o.id)`);
      const search = q.search;
      if (search) base = base.where((e) => e.or([e(sql`lower(o.name)`, 'like', likePattern(search)), e(sql`lower(o.description)`, 'like', likePattern(search))]));
      if (q.taxonomy_term_id || q.taxonomy_id) {
        base = base.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('directory_attribute as a')
              .innerJoin('directory_taxonomy_term as tt', 'tt.id', 'a.taxonomy_term_id')
              .innerJoin('directory_service as s', 's.id', 'a.link_id')
              .select('a.id')
              .whereRef('s.organization_id', '=', 'o.id')
              .$if(Boolean(q.taxonomy_term_id), (w) => w.where('tt.id', '=', q.taxonomy_term_id!))
              .$if(Boolean(q.taxonomy_id), (w) => w.where('tt.taxonomy_id', '=', q.taxonomy_id!)),
          ),
        );
      }
      const total = Number((await base.select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
      const rows = await base.selectAll('o').orderBy('o.name').orderBy('o.id').limit(perPage).offset((page - 1) * perPage).execute();
      const a = audienceOf(req.ctx);
      const contents = q.full || q.full_service ? await organizationsFull(req.ctx.db, rows.map((r) => r.id as string), a, Boolean(q.full_service)) : rows.map((r) => hsdsFields('organization', readRow('organization', r as Row)));
      if (q.format === 'ndjson') return ndjson(reply, contents);
      return envelope(total, page, perPage, contents);
    },
  );

  app.get(
    '/api/hsds/organizations/:id',
    {
      config: PUBLIC,
      schema: { tags: TAGS, summary: 'One organization, fully nested (HSDS 3.0 organization), with its services: their ids, or with `full_service` the services fully nested', description: MATCHED('organization'), params: IdParams, querystring: Type.Object({ full_service: Type.Optional(Bool) }, { additionalProperties: false }), response: { 200: HsdsObject('organization'), 307: Redirected, ...readErrors } },
    },
    async (req, reply) => {
      const first = await standsFor(req.ctx.db, 'organization', req.params.id);
      if (first) return redirectTo(req, reply, `/api/hsds/organizations/${first}`);
      const full = Boolean(req.query.full_service);
      const a = audienceOf(req.ctx);
      const [o] = await organizationsFull(req.ctx.db, [req.params.id], a, full);
      if (!o) throw notFound('No such organization.');
      // HSDS: the organisation's services, which without full_service may carry their ids only. Those of the
      // organisations matched with it are its own too, and a service matched with one seen first is that one.
      const group = await organizationsMatchedWith(req.ctx.db, req.params.id);
      const rows = await req.ctx.db.selectFrom('directory_service').select('id').where('organization_id', 'in', group).orderBy('name').orderBy('id').execute();
      const later = await standsForAnother(req.ctx.db, rows.map((r) => r.id));
      const ids = rows.map((r) => r.id).filter((id) => !later.has(id));
      if (!full) o.services = ids.map((id) => ({ id }));
      else if (group.length > 1 || later.size) o.services = (await organizationPointer(req.ctx.db, { services: new Map(), organizations: new Map(group.filter((g) => g !== req.params.id).map((g) => [g, req.params.id])) }))(await servicesFull(req.ctx.db, ids, a));
      return o;
    },
  );

  app.get(
    '/api/hsds/taxonomies',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'Taxonomies (HSDS 3.0)', querystring: Type.Object({ search: Search, ...Page }, { additionalProperties: false }), response: { 200: List('taxonomy'), ...readErrors } } },
    async (req, reply) => {
      const q = req.query;
      const all = q.format === 'ndjson';
      const page = all ? 1 : (q.page ?? 1);
      const perPage = all ? 1_000_000 : (q.per_page ?? 50);
      let base = req.ctx.db.selectFrom('directory_taxonomy');
      if (q.search) base = base.where(sql`lower(name)`, 'like', likePattern(q.search));
      const total = Number((await base.select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
      const rows = await base.selectAll().orderBy('name').orderBy('id').limit(perPage).offset((page - 1) * perPage).execute();
      const contents = rows.map((r) => hsdsFields('taxonomy', readRow('taxonomy', r as Row)));
      return all ? ndjson(reply, contents) : envelope(total, page, perPage, contents);
    },
  );

  app.get(
    '/api/hsds/taxonomies/:id',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'One taxonomy', params: IdParams, response: { 200: HsdsObject('taxonomy'), ...readErrors } } },
    async (req) => {
      const r = await req.ctx.db.selectFrom('directory_taxonomy').selectAll().where('id', '=', req.params.id).executeTakeFirst();
      if (!r) throw notFound('No such taxonomy.');
      return hsdsFields('taxonomy', readRow('taxonomy', r as Row));
    },
  );

  app.get(
    '/api/hsds/taxonomy_terms',
    {
      config: PUBLIC,
      schema: {
        tags: TAGS,
        summary: 'Taxonomy terms (HSDS 3.0)',
        querystring: Type.Object({ search: Search, ...Page, taxonomy_id: Type.Optional(Uuid), parent_id: Type.Optional(Uuid), top_only: Type.Optional(Bool) }, { additionalProperties: false }),
        response: { 200: List('taxonomy_term'), ...readErrors },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const all = q.format === 'ndjson';
      const page = all ? 1 : (q.page ?? 1);
      const perPage = all ? 1_000_000 : (q.per_page ?? 50);
      let base = req.ctx.db.selectFrom('directory_taxonomy_term');
      if (q.search) base = base.where(sql`lower(name)`, 'like', likePattern(q.search));
      if (q.taxonomy_id) base = base.where('taxonomy_id', '=', q.taxonomy_id);
      if (q.parent_id) base = base.where('parent_id', '=', q.parent_id);
      if (q.top_only) base = base.where('parent_id', 'is', null);
      const total = Number((await base.select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
      const rows = await base.selectAll().orderBy('name').orderBy('id').limit(perPage).offset((page - 1) * perPage).execute();
      const g = new Graph(req.ctx.db);
      await g.attributes([]);
      const taxonomies = new Map((await rowsWhereIn(req.ctx.db, 'taxonomy', 'id', rows.map((r) => r.taxonomy_id as string))).map((t) => [t.id, t]));
      const contents = rows.map((r) => {
        const term = hsdsFields('taxonomy_term', readRow('taxonomy_term', r as Row));
        const tax = taxonomies.get(r.taxonomy_id as string);
        return tax ? { ...term, taxonomy_detail: hsdsFields('taxonomy', tax) } : term;
      });
      return all ? ndjson(reply, contents) : envelope(total, page, perPage, contents);
    },
  );

  app.get(
    '/api/hsds/taxonomy_terms/:id',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'One taxonomy term', params: IdParams, response: { 200: HsdsObject('taxonomy_term'), ...readErrors } } },
    async (req) => {
      const g = new Graph(req.ctx.db);
      const id = req.params.id;
      const rows = await rowsWhereIn(req.ctx.db, 'taxonomy_term', 'id', [id]);
      if (!rows.length) throw notFound('No such taxonomy term.');
      g.rows.set('taxonomy_term', rows);
      g.rows.set('taxonomy', await rowsWhereIn(req.ctx.db, 'taxonomy', 'id', [rows[0].taxonomy_id as string]));
      return g.term(id);
    },
  );

  app.get(
    '/api/hsds/service_at_locations',
    {
      config: PUBLIC,
      schema: {
        tags: TAGS,
        summary: 'Services at locations (HSDS 3.0); with `proximity`, nearest first and confidential locations left out for unvetted callers',
        querystring: SalQuery,
        response: { 200: List('service_at_location_list item'), ...readErrors },
      },
    },
    async (req, reply) => {
      const q = req.query;
      const a = audienceOf(req.ctx);
      let place: { lat: number; lng: number } | undefined;
      let near: string | undefined;
      let radius: number | undefined;
      if (q.proximity) {
        const parts = q.proximity.split(',').map((x) => x.trim());
        let metres: number;
        if (parts.length === 3) {
          near = `${parts[0]},${parts[1]}`;
          metres = Number(parts[2]);
          try {
            place = resolvePlace(near);
          } catch (err) {
            if (err instanceof PlaceError) throw fieldError('proximity', err.message);
            throw err;
          }
        } else if (parts.length === 1 && q.postcode) {
          near = q.postcode;
          metres = Number(parts[0]);
          try {
            place = resolvePlace(near);
          } catch (err) {
            if (err instanceof PlaceError) throw fieldError('postcode', err.message);
            throw err;
          }
        } else throw fieldError('proximity', 'must be a distance in metres from `postcode`, or "lat,lng,metres"');
        if (!/^\d+(\.\d+)?$/.test(parts[parts.length - 1]) || !(metres > 0) || metres > MAX_PROXIMITY_METRES) throw fieldError('proximity', `the distance must be a number of metres, more than 0 and at most ${MAX_PROXIMITY_METRES}`);
        radius = metres / METRES_PER_MILE;
      }
      const p = searchParamsOf({ ...q, page: 1, per_page: 1_000_000 }, a.vetted);
      p.facets = false;
      if (q.postcode && !place) p.postcode = q.postcode;
      // The place drives the search (locations in its bounding box), rather than every service being read and the
      // distance checked here afterwards.
      if (place) {
        p.near = near;
        p.radius = radius;
      }
      const r = await search(req, p);
      const serviceIds = r.hits.map((h) => h.serviceId);
      const order = new Map(serviceIds.map((id, i) => [id, i]));
      const g = new Graph(req.ctx.db);
      let sals = await rowsWhereIn(req.ctx.db, 'service_at_location', 'service_id', serviceIds);
      await g.services(serviceIds, false);
      await g.locations(sals.map((s) => s.location_id as string));
      const distance = new Map<string, number>();
      if (place) {
        sals = sals.filter((s) => {
          const loc = g.one('location', s.location_id);
          if (!loc || loc.latitude === null || hidesLocation(loc, a)) return false;
          const d = haversineMiles(place!.lat, place!.lng, loc.latitude as number, loc.longitude as number);
          distance.set(s.id as string, d);
          return d <= radius!;
        });
        sals.sort((x, y) => distance.get(x.id as string)! - distance.get(y.id as string)!);
      } else {
        if (q.postcode) {
          // A service whose service area lists the ZIP code is there at each of its locations the caller may see.
          const postcode = q.postcode;
          const areas = new Set((await rowsWhereIn(req.ctx.db, 'service_area', 'service_id', serviceIds)).filter((ar) => areaCoversPostcode(ar, postcode)).map((ar) => ar.service_id));
          sals = sals.filter((s) => (areas.has(s.service_id) || g.many('address', 'location_id', s.location_id).some((ad) => ad.postal_code === postcode)) && !hidesLocation(g.one('location', s.location_id), a));
        }
        sals.sort((x, y) => (order.get(x.service_id as string)! - order.get(y.service_id as string)!) || String(x.id).localeCompare(String(y.id)));
      }
      const all = q.format === 'ndjson';
      const page = all ? 1 : (q.page ?? 1);
      const perPage = all ? sals.length || 1 : (q.per_page ?? 50);
      const slice = sals.slice((page - 1) * perPage, page * perPage);
      if (q.full) {
        const ids = slice.map((s) => s.service_id as string);
        await g.services(ids, true);
      }
      const contents = slice.map((s) => {
        let item: Record<string, unknown>;
        if (q.full) item = g.serviceAtLocation(s, a);
        else {
          const loc = g.one('location', s.location_id);
          item = hsdsFields('service_at_location', s);
          if (loc) item.location = hidesLocation(loc, a) ? { id: loc.id, location_type: loc.location_type, name: 'Confidential location', confidential: true } : hsdsFields('location', loc, true);
        }
        const svc = g.one('service', s.service_id);
        if (svc) item.service = hsdsFields('service', svc);
        const d = distance.get(s.id as string);
        if (d !== undefined) {
          item.distance_meters = Math.round(d * METRES_PER_MILE);
          item.distance_miles = Math.round(d * 10) / 10;
        }
        return item;
      });
      const pointed = await firstOrganizations(req, contents);
      if (all) return ndjson(reply, pointed);
      return envelope(sals.length, page, perPage, pointed);
    },
  );

  app.get(
    '/api/hsds/service_at_locations/:id',
    {
      config: PUBLIC,
      schema: {
        tags: TAGS,
        summary: 'One service at a location, fully nested',
        description:
          'A row of a service matched with one another source gave first (see /services/{id}) is one record with that service\'s row at the same location (or at one with the same address): asked for by the later row\'s id, the answer is 307 Temporary Redirect to that row (the query string kept). A row only the later service has is not one outward (the exports leave it out): 404, naming the service that stands for both.',
        params: IdParams,
        response: { 200: HsdsObject('service_at_location'), 307: Redirected, ...readErrors },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      const [sal] = await rowsWhereIn(req.ctx.db, 'service_at_location', 'id', [id]);
      if (!sal) throw notFound('No such service at location.');
      const first = await standsFor(req.ctx.db, 'service', sal.service_id as string);
      if (first) {
        const row = await counterpartRow(req.ctx.db, sal, first);
        if (row) return redirectTo(req, reply, `/api/hsds/service_at_locations/${row}`);
        throw notFound(`No such service at location: its service is one record with /api/hsds/services/${first}, which is not offered at this location.`);
      }
      const g = new Graph(req.ctx.db);
      await g.services([sal.service_id as string], true);
      const a = audienceOf(req.ctx);
      const item = g.serviceAtLocation(sal, a);
      const svc = g.one('service', sal.service_id);
      if (svc) item.service = hsdsFields('service', svc);
      return firstOrganizations(req, item);
    },
  );
}
