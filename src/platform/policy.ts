/**
 * The one way a command decides whether its principal may act. Modules write their rules as plain functions in
 * `policies.ts` (principal and rows in, yes or no out) and enforce them here, so that:
 * - anonymous callers get 401 and signed-in ones 403, everywhere alike;
 * - the system principal (a scheduled job or the operator's command line, `systemCtx`) is let through by name,
 *   never because of an address;
 * - `runCommand` can prove that the command it runs checked a policy: a command that reaches the end of its
 *   transaction without one is rolled back with an error (see `assertPolicyChecked`).
 */
import type { Actor, Ctx, Principal } from './context.ts';
import { principalOf } from './context.ts';
import { forbidden, unauthorized } from './http/errors.ts';

export { principalOf, type Principal } from './context.ts';

const checked = new WeakSet<Ctx>();

/** True when the principal holds the permission: the system principal holds every one, an anonymous one none. */
export function principalHolds(p: Principal, permission: string): boolean {
  if (p.kind === 'system') return true;
  if (p.kind === 'anonymous') return false;
  return p.actor.permissions.has(permission);
}

/** `principalHolds` for a context's principal. */
export function hasPermission(ctx: Pick<Ctx, 'actor' | 'system'>, permission: string): boolean {
  return principalHolds(principalOf(ctx), permission);
}

/**
 * Enforces a policy's answer: nothing happens when it allows, else 401 for an anonymous principal and 403 with
 * `reason` for the others. Records that this context's command checked its policy.
 */
export function authorize(ctx: Ctx, allowed: boolean, reason?: string): void {
  checked.add(ctx);
  if (allowed) return;
  if (principalOf(ctx).kind === 'anonymous') throw unauthorized();
  throw forbidden(reason);
}

/** `authorize` for a plain permission. */
export function requirePermission(ctx: Ctx, permission: string, reason?: string): void {
  authorize(ctx, hasPermission(ctx, permission), reason);
}

/** A signed-in person or token holder (401 otherwise); for commands that act in someone's name. */
export function requireActor(ctx: Ctx, reason?: string): Actor {
  authorize(ctx, ctx.actor !== null, reason);
  return ctx.actor!;
}

/** Records that a command's policy allows anyone (a public sign-up, say): the choice is then explicit. */
export function allowAnyone(ctx: Ctx): void {
  checked.add(ctx);
}

/** Called by `runCommand` before it commits: a command that checked no policy is a bug, and changes nothing. */
export function assertPolicyChecked(ctx: Ctx, what = 'command'): void {
  if (!checked.has(ctx)) throw new Error(`A ${what} ran without checking a policy (platform/policy.ts authorize).`);
}

/** Ends one command's check, so that the next command of the same request must check its own. */
export function endPolicyCheck(ctx: Ctx): void {
  checked.delete(ctx);
}
