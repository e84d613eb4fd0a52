import { definePermissions } from '../../platform/auth/roles.ts';

export const WRITE = 'structure.write';

definePermissions({ [WRITE]: ['admin'] });
