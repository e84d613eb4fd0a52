/**
 * Signing in through an OpenID Connect provider (Login.gov, an agency's identity provider): the authorization code
 * flow with PKCE, state and nonce, through `openid-client` (docs/decisions/0013-oidc-sign-in.md). The provider
 * vouches for an e-mail address; an account is matched by that address only when the provider says it is verified
 * (`email_verified` true), and never made: an unknown address is told to ask an administrator.
 */
import * as client from 'openid-client';
import type { OidcConfig } from '../../config.ts';
import type { Ctx } from '../context.ts';
import { bool, nowIso } from '../db/index.ts';
import { runCommand } from '../audit/index.ts';
import { allowAnyone } from '../policy.ts';
import { sha256 } from '../crypto/index.ts';
import { mfaRequired, type Role } from './roles.ts';
import type { Lang } from '../web/i18n.ts';

/** What the browser's session holds between leaving for the provider and coming back. */
export interface OidcPending {
  state: string;
  nonce: string;
  verifier: string;
  next: string;
  /** When the person left, in ms: a return long after is refused. */
  at: number;
}

declare module 'fastify' {
  interface Session {
    oidc?: OidcPending;
  }
}

/** How long the person may take at the provider. */
export const OIDC_RETURN_MINUTES = 10;

const discovered = new Map<string, Promise<client.Configuration>>();

/** The provider's configuration, discovered once per process (again after a failure). */
function configuration(cfg: OidcConfig): Promise<client.Configuration> {
  const key = `${cfg.issuer} ${cfg.clientId}`;
  let c = discovered.get(key);
  if (!c) {
    const local = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])[:/]/.test(cfg.issuer + '/');
    c = client.discovery(new URL(cfg.issuer), cfg.clientId, cfg.clientSecret || undefined, cfg.clientSecret ? client.ClientSecretBasic(cfg.clientSecret) : client.None(), {
      execute: local ? [client.allowInsecureRequests] : [],
      timeout: 10,
    });
    c.catch(() => discovered.delete(key));
    discovered.set(key, c);
  }
  return c;
}

/** Where to send the browser, and what to keep in its session until it comes back. */
export async function beginOidc(cfg: OidcConfig, next: string): Promise<{ url: string; pending: OidcPending }> {
  const config = await configuration(cfg);
  const verifier = client.randomPKCECodeVerifier();
  const pending: OidcPending = { state: client.randomState(), nonce: client.randomNonce(), verifier, next, at: Date.now() };
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: cfg.redirectUri,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  });
  return { url: url.href, pending };
}

export type OidcOutcome =
  | { ok: true; userId: string; mfa: 'verify' | 'setup' | 'none' }
  | { ok: false; reason: 'failed' | 'unverified' | 'unknown' | 'disabled' };

/**
 * The return from the provider: the code is exchanged (with the PKCE verifier; state and nonce checked, the ID token
 * validated by the library), then the verified e-mail is matched to an account. Every outcome is audited.
 */
export async function finishOidc(ctx: Ctx, cfg: OidcConfig, callbackQuery: string, pending: OidcPending | undefined, lang?: Lang): Promise<OidcOutcome> {
  allowAnyone(ctx);
  const refuse = async (reason: Exclude<OidcOutcome, { ok: true }>['reason'], userId?: string, detail: Record<string, unknown> = {}): Promise<OidcOutcome> => {
    await runCommand(ctx, (_trx, audit) => audit({ action: 'auth.oidc_refused', entityType: 'user', entityId: userId, summary: { reason, issuer: cfg.issuer, ...detail } }));
    return { ok: false, reason };
  };
  if (!pending || Date.now() - pending.at > OIDC_RETURN_MINUTES * 60_000) return refuse('failed', undefined, { problem: 'no sign-in was started here, or it was too long ago' });
  let claims: Record<string, unknown>;
  try {
    const config = await configuration(cfg);
    const current = new URL(cfg.redirectUri);
    current.search = callbackQuery;
    const tokens = await client.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idToken = tokens.claims()!;
    // Providers commonly give the e-mail at the userinfo endpoint rather than in the ID token; its subject must match.
    claims = idToken.email === undefined ? { ...(await client.fetchUserInfo(config, tokens.access_token, idToken.sub)) } : { ...idToken };
  } catch (err) {
    return refuse('failed', undefined, { problem: String((err as Error).message).slice(0, 200) });
  }
  const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : '';
  const emailRef = email ? sha256(email).slice(0, 12) : null;
  if (!email || claims.email_verified !== true) return refuse('unverified', undefined, { email_ref: emailRef });
  const user = await ctx.db.selectFrom('users').select(['id', 'role', 'disabled', 'mfa_enabled']).where('email', '=', email).executeTakeFirst();
  if (!user) return refuse('unknown', undefined, { email_ref: emailRef });
  const userId = String(user.id);
  if (bool(user.disabled)) return refuse('disabled', userId);
  const mfa = bool(user.mfa_enabled) ? 'verify' : mfaRequired(user.role as Role) ? 'setup' : 'none';
  await runCommand(ctx, async (trx, audit) => {
    // A second factor still to come is recorded as a sign-in when it is given (recordLogin).
    if (mfa !== 'verify') await trx.updateTable('users').set({ last_login_at: nowIso(), ...(lang ? { lang } : {}) }).where('id', '=', userId).execute();
    await audit({ action: mfa === 'verify' ? 'auth.oidc_verified' : 'auth.login', entityType: 'user', entityId: userId, summary: { via: 'oidc', issuer: cfg.issuer } });
  });
  return { ok: true, userId, mfa };
}
