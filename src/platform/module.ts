import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Ctx } from './context.ts';

/**
 * The app as modules see it: routes registered on it get their request types from their TypeBox schemas, so a
 * handler reads `req.body`, `req.query` and `req.params` as the schema says, with no cast.
 */
export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** A capability of the product: its routes, pages and demo data. See DESIGN.md, "Layout". */
export interface AppModule {
  name: string;
  /** Registers the module's JSON routes and HTML pages. Every route declares `config.access`. */
  register(app: App): Promise<void>;
  /** Loads the module's demo data; called once, in module order, by `taskforce seed --demo` and the first start. */
  seedDemo?(ctx: Ctx, log: (line: string) => void): Promise<void>;
}

/**
 * Who may call a route: anyone, any signed-in account, or holders of a permission. Checked on the server for
 * every request, before the handler, and covered by the role-matrix test.
 */
export type Access = 'public' | 'signed-in' | { permission: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Public GET answers that may be cached by browsers and proxies, with an ETag. */
    publicCache?: boolean;
  }
}
