/**
 * Coverage and gaps: for each county of a network's area, which needs have a provider within a distance; and the
 * same for the whole country, by state. The directory answers the distance question for all counties at once.
 */
import type { Ctx } from '../../platform/context.ts';
import { counties, states } from '../../platform/geo/us.ts';
import { DIRECTORY_CONFIDENTIAL, NEED_CODES, needCoverage } from '../directory/index.ts';
import { areaCounties } from './area.ts';
import { DEFAULT_DISTANCE, type Coverage, type Scope, type StatesCoverage } from './schema.ts';
import { listNetworks, type NetworkRecord } from './store.ts';

/** Confidential locations count only for callers vetted to see them (docs/directory.md). */
export const vetted = (ctx: Ctx) => ctx.actor?.permissions.has(DIRECTORY_CONFIDENTIAL) ?? false;

/** The needs a network is judged on: its focus needs, or every need. */
export const needsOf = (n: Pick<NetworkRecord, 'needs'>): string[] => (n.needs.length ? NEED_CODES.filter((c) => n.needs.includes(c)) : [...NEED_CODES]);

const round = (x: number) => Math.round(x * 10) / 10;

export async function networkCoverage(ctx: Ctx, n: NetworkRecord, o: { distance?: number; scope?: Scope } = {}): Promise<Coverage> {
  const miles = o.distance ?? DEFAULT_DISTANCE;
  const scope = o.scope ?? 'directory';
  const needs = needsOf(n);
  const area = areaCounties(n);
  const isVetted = vetted(ctx);
  const result = await needCoverage(
    ctx.db,
    area.map((c) => ({ key: c.fips, lat: c.centroid.lat, lng: c.centroid.lng })),
    { miles, needs, vetted: isVetted, organizationIds: scope === 'members' ? n.members.map((m) => m.directory_organization_id) : undefined },
  );
  const rows = area.map((c) => {
    const cells = needs.map((need) => {
      const r = result.get(c.fips)![need];
      return { need, covered: r.covered, nearest_miles: r.nearestMiles === null ? null : round(r.nearestMiles), providers: r.providers };
    });
    return { fips: c.fips, name: c.name, state: c.state, lat: c.centroid.lat, lng: c.centroid.lng, covered_needs: cells.filter((x) => x.covered).length, needs: cells };
  });
  return {
    network_id: n.id,
    distance_miles: miles,
    scope,
    confidential_included: isVetted,
    needs,
    counties: rows,
    summary: needs.map((need, i) => ({ need, covered_counties: rows.filter((r) => r.needs[i].covered).length, counties: rows.length })),
    gaps: rows.flatMap((r) => r.needs.filter((x) => !x.covered).map((x) => ({ fips: r.fips, name: r.name, state: r.state, need: x.need }))),
  };
}

/** Every county of the country at once, summed up by state, with the number of active networks touching each. */
export async function statesCoverage(ctx: Ctx, o: { distance?: number; needs?: string[] } = {}): Promise<StatesCoverage> {
  const miles = o.distance ?? DEFAULT_DISTANCE;
  const needs = o.needs?.length ? NEED_CODES.filter((c) => o.needs!.includes(c)) : [...NEED_CODES];
  const isVetted = vetted(ctx);
  const all = counties();
  const result = await needCoverage(ctx.db, all.map((c) => ({ key: c.fips, lat: c.centroid.lat, lng: c.centroid.lng })), { miles, needs, vetted: isVetted });
  const networks = new Map<string, number>();
  for (const n of await listNetworks(ctx.db)) for (const s of n.states) networks.set(s, (networks.get(s) ?? 0) + 1);
  const byState = new Map<string, typeof all>();
  for (const c of all) {
    const list = byState.get(c.state) ?? [];
    list.push(c);
    byState.set(c.state, list);
  }
  return {
    distance_miles: miles,
    confidential_included: isVetted,
    needs,
    states: states()
      .filter((s) => byState.has(s.code))
      .map((s) => {
        const cs = byState.get(s.code)!;
        const perNeed = needs.map((need) => ({ need, covered_counties: cs.filter((c) => result.get(c.fips)![need].covered).length }));
        const covered = perNeed.reduce((a, x) => a + x.covered_counties, 0);
        return { code: s.code, fips: s.fips, name: s.name, counties: cs.length, networks: networks.get(s.code) ?? 0, covered_share: cs.length && needs.length ? covered / (cs.length * needs.length) : 0, needs: perNeed };
      }),
  };
}

