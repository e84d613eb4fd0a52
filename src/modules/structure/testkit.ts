/** Test support that other modules' tests share: a member agency, and accounts whose organisation acts for it. */
import { randomUUID } from 'node:crypto';
import type { Role } from '../../platform/auth/roles.ts';
import { makeUser, type TestApp, type TestUser } from '../../platform/testing.ts';
import { createAgency, linkAgencyOrganization } from './index.ts';

/** A department that is a member of the task force; answers its id. */
export async function agency(t: TestApp, name: string, abbreviation: string): Promise<string> {
  return (await createAgency(t.ctx, { name, abbreviation, kind: 'department', member_from: '2020-01-01' })).id;
}

/** An account of a new organisation that acts for the agency (or, given null, for none). */
export async function staffOf(t: TestApp, agencyId: string | null, role: Role = 'member'): Promise<TestUser> {
  const u = await makeUser(t.ctx, role, `${role}-${randomUUID()}@test.example`, `Org ${randomUUID().slice(0, 8)}`);
  if (agencyId) await linkAgencyOrganization(t.ctx, agencyId, { organization_id: u.organization_id });
  return u;
}
