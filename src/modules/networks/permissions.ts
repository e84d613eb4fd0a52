import { definePermissions } from '../../platform/auth/roles.ts';

/**
 * Creates networks and edits or retires any of them. Staff of a network's convener (their account organisation
 * stewards the convening directory organisation) may edit that one network without holding this permission.
 */
export const MANAGE = 'networks.manage';

definePermissions({ [MANAGE]: ['admin', 'chair'] });
