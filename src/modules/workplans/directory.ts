/**
 * What work plans need to know about the task force's structure, read only through the structure module's
 * public functions (never its tables).
 */
import type { Db } from '../../platform/db/index.ts';
import type { Ctx } from '../../platform/context.ts';
import type { Item } from './store.ts';
import { agencyIdsOfOrganization, allAgencies, allBodies, allPartnerships } from '../structure/index.ts';

export interface AgencyRef {
  id: string;
  name: string;
  abbreviation: string | null;
}
export interface OwnerRef {
  id: string;
  type: 'committee' | 'partnership';
  name: string;
}

export interface Directory {
  agencies: AgencyRef[];
  owners: OwnerRef[];
  agency(id: string | null | undefined): AgencyRef | undefined;
  owner(id: string | null | undefined): OwnerRef | undefined;
  /** An agency by its name or abbreviation, ignoring case. */
  agencyByName(text: string): AgencyRef | undefined;
  ownerByName(text: string): OwnerRef | undefined;
}

export async function loadDirectory(db: Db): Promise<Directory> {
  const [agencies, bodies, partnerships] = await Promise.all([allAgencies(db), allBodies(db), allPartnerships(db)]);
  const a: AgencyRef[] = agencies.map((x) => ({ id: x.id, name: x.name, abbreviation: x.abbreviation ?? null }));
  const owners: OwnerRef[] = [
    ...bodies.filter((b) => b.kind === 'committee').map((b) => ({ id: b.id, type: 'committee' as const, name: b.name })),
    ...partnerships.map((p) => ({ id: p.id, type: 'partnership' as const, name: p.name })),
  ];
  const byId = new Map(a.map((x) => [x.id, x]));
  const ownerById = new Map(owners.map((x) => [x.id, x]));
  const norm = (s: string) => s.trim().toLowerCase();
  return {
    agencies: a,
    owners,
    agency: (id) => (id ? byId.get(id) : undefined),
    owner: (id) => (id ? ownerById.get(id) : undefined),
    agencyByName: (text) => a.find((x) => norm(x.name) === norm(text) || (x.abbreviation !== null && norm(x.abbreviation) === norm(text))),
    ownerByName: (text) => owners.find((x) => norm(x.name) === norm(text)),
  };
}

/**
 * Whether the acting person is staff of the item's lead agency: their account organisation acts for that agency, a
 * link administrators set in the structure module (never a match of names).
 */
export async function actorLeadsItem(ctx: Ctx, item: Item): Promise<boolean> {
  if (!ctx.actor || !item.lead_agency_id) return false;
  return (await agencyIdsOfOrganization(ctx.db, ctx.actor.organizationId)).includes(item.lead_agency_id);
}
