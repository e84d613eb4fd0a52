import type { Role } from '../../platform/auth/roles.ts';

export const WRITE = 'structure.write';

/** The module's permissions and the roles holding them, declared in its manifest (index.ts). */
export const PERMISSIONS: Record<string, readonly Role[]> = { [WRITE]: ['admin'] };
