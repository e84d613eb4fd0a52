import type { FastifyRequest } from 'fastify';
import { forbidden } from '../http/errors.ts';

/**
 * Route hook (`onRequest`) for account-security routes: they answer the person, signed in, never an API token of
 * any scope, so that a leaked token cannot switch the second factor off, enrol another authenticator, end sessions
 * or mint tokens (issue 15). Runs before the body is read; an anonymous caller is left to the access check (401).
 */
export async function sessionOnly(req: FastifyRequest): Promise<void> {
  if (req.actor && req.actor.via !== 'session') throw forbidden('Account security is managed signed in, in a browser; an API token cannot do this.');
}
