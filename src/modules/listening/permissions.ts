export const LISTENING_PERMISSIONS = { manage: 'listening.manage', code: 'listening.code' } as const;
