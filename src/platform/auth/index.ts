/**
 * Accounts, passwords, sessions, the second factor, roles and API tokens: the platform's public face for them.
 * Reads are in store.ts, signing in (and its limits, with throttle.ts) in sign-in.ts, every other write in
 * commands.ts (its policies in policies.ts).
 */
export { ROLES, ROLE_LABELS, definePermissions, permissionsOf, mfaRequired, isRole, type Role } from './roles.ts';
export {
  HASH_COSTS,
  TOKEN_PREFIX,
  actorFromToken,
  countUsers,
  getUser,
  getUserByEmail,
  hashPassword,
  listOrganizations,
  organizationsByIds,
  listSessions,
  listTokens,
  listUsers,
  loadActor,
  pendingMfaSecret,
  type SessionRow,
  type TokenRow,
  type UserRow,
} from './store.ts';
export {
  ProofRefused,
  checkPassword,
  checkSecondFactor,
  confirmFreshProof,
  recordLogin,
  throttleDelayMs,
  verifyTotp,
  type CodeResult,
  type LoginResult,
  type Proof,
  type ProofProblem,
} from './sign-in.ts';
export {
  NewTokenSchema,
  NewUserSchema,
  ORG_KINDS,
  PASSWORD_MAX,
  PASSWORD_MIN,
  beginMfaSetup,
  chooseLanguage,
  createToken,
  createUser,
  disableMfa,
  enableMfa,
  revokeSessions,
  revokeToken,
  unlockAccount,
  type NewUser,
} from './commands.ts';
export {
  InvitationSchema,
  LINK_MINUTES,
  LinkRefused,
  RESETS_PER_HOUR,
  changePassword,
  inviteUser,
  openLink,
  requestPasswordReset,
  resetSecondFactor,
  setPasswordWithLink,
  setUserDisabled,
  setUserRole,
  settleMail,
  type LinkPurpose,
} from './accounts.ts';
