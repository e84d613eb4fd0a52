/**
 * What work plans need to know about the task force's structure, read only through the structure module's
 * public functions (never its tables).
 */
import type { Db } from '../../platform/db/index.ts';
import type { Ctx } from '../../platform/context.ts';
import { getUser } from '../../platform/auth/index.ts';
import type { Item } from './store.ts';
import { allAgencies, allBodies, allPartnerships } from '../structure/index.ts';

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
 * The rule that ties an account to an agency: the account's organisation name equals the agency's name or its
 * abbreviation, ignoring case and surrounding spaces. ("Department of Labor" and "DOL" both match DOL.)
 */
export function organizationMatchesAgency(organizationName: string, agency: AgencyRef): boolean {
  const org = organizationName.trim().toLowerCase();
  return org === agency.name.trim().toLowerCase() || (agency.abbreviation !== null && org === agency.abbreviation.trim().toLowerCase());
}

/** Whether the acting person belongs to the item's lead agency, by the rule above. */
export async function actorLeadsItem(ctx: Ctx, item: Item, dir?: Directory): Promise<boolean> {
  if (!ctx.actor || !item.lead_agency_id) return false;
  const user = await getUser(ctx.db, ctx.actor.id);
  const agency = (dir ?? (await loadDirectory(ctx.db))).agency(item.lead_agency_id);
  return !!user && !!agency && organizationMatchesAgency(user.organization_name, agency);
}
