/** Signed-in roles. The anonymous public has no account and no role. */
/**
 * `caseworker` is a case manager or intake worker at a service provider: the only role (with nothing else) that
 * sends, receives and reads referrals, and so the only one that handles survivors' details.
 */
export const ROLES = ['member', 'chair', 'analyst', 'caseworker', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  member: 'Member',
  chair: 'Chair or lead',
  analyst: 'Analyst',
  caseworker: 'Case worker (referrals)',
  admin: 'Administrator',
};

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

const grants = new Map<string, Set<Role>>();

/**
 * Each module declares its permissions and the roles that hold them. A permission is also an API token scope,
 * so a token can carry at most what its owner's role holds.
 */
export function definePermissions(defs: Record<string, readonly Role[]>): void {
  for (const [permission, roles] of Object.entries(defs)) {
    const set = grants.get(permission) ?? new Set<Role>();
    for (const r of roles) set.add(r);
    grants.set(permission, set);
  }
}

export function permissionsOf(role: Role): Set<string> {
  const out = new Set<string>();
  for (const [permission, roles] of grants) if (roles.has(role)) out.add(permission);
  return out;
}

export function allPermissions(): string[] {
  return [...grants.keys()].sort();
}

export function rolesWith(permission: string): Role[] {
  return [...(grants.get(permission) ?? [])];
}

/** Roles that must use a second factor: administrators, and any role that can read a survivor's details. */
export function mfaRequired(role: Role): boolean {
  return role === 'admin' || permissionsOf(role).has('referrals.client.read');
}

definePermissions({
  'account.self': ['member', 'chair', 'analyst', 'caseworker', 'admin'],
  'contacts.read': ['member', 'chair', 'analyst', 'caseworker', 'admin'],
  'audit.read': ['admin'],
  'users.manage': ['admin'],
});
