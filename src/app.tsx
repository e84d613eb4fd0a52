import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cookie from '@fastify/cookie';
import session from '@fastify/session';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import formbody from '@fastify/formbody';
import staticFiles from '@fastify/static';
import swagger from '@fastify/swagger';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './platform/db/index.ts';
import type { Actor, Ctx } from './platform/context.ts';
import { actorFromToken, loadActor, mfaRequired } from './platform/auth/index.ts';
import { DbSessionStore } from './platform/auth/session-store.ts';
import { HttpError, STATUS_TITLES, badRequest, problem, forbidden, unauthorized, type FieldError } from './platform/http/errors.ts';
import addFormats from 'ajv-formats';
import { AJV_OPTIONS, fieldErrorsOf, nulField, routeValidatorCompiler, storableDates } from './platform/http/validation.ts';
import { ProblemSchema } from './platform/http/pagination.ts';
import { cachedSerializerCompiler } from './platform/http/serializers.ts';
import { isLang, translator, type Lang } from './platform/web/i18n.ts';
import type { View } from './platform/web/view.ts';
import { renderPage } from './platform/web/layout.tsx';
import { KeptPages, etagOf, keptPageOf, type KeepAs, type KeptPage } from './platform/web/kept-pages.ts';
import { ErrorPage } from './platform/web/error-page.tsx';
import { installModules, tasksFor, type Access, type AppModule, type Task } from './platform/module.ts';
import { modules } from './modules/index.ts';
import { platformRoutes } from './platform/routes.tsx';
import { allJobs } from './platform/jobs/index.ts';
import { jobsAdmin } from './platform/jobs/routes.tsx';
import { installHttpMetrics, metricsRoutes } from './platform/ops/metrics.ts';
import { NodeState, readinessRoutes } from './platform/ops/readiness.ts';
import { logSerializers } from './platform/ops/logging.ts';
import { runWithSignal, WorkAbandoned } from './platform/db/scope.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    ctx: Ctx;
    lang: Lang;
    /** What waits for the signed-in person, when the page asked (see the preHandler below); null otherwise. */
    tasks: Task[] | null;
    view(): View;
    /** A CSRF token was issued for this request's page (a page holding one is never kept for others). */
    csrfIssued: boolean;
    /**
     * Where this request's page may be kept for the public (platform/web/kept-pages.ts): undefined unless the caller
     * is anonymous and the request a GET or HEAD. `state` gives what the page's data depends on (a data version,
     * the minute), asked only then; the language and the address are added here.
     */
    keepAs(scope: string, state: () => string | Promise<string>): Promise<KeepAs | undefined>;
    /** The kept page this request is answered with (its bytes and ETag, for the caching hook); null otherwise. */
    keptAnswer: KeptPage | null;
  }
  interface FastifyReply {
    /** Renders an HTML page in the site layout; with `keep`, a 200 page is kept for the next anonymous caller. */
    page(title: string, body: unknown, status?: number, keep?: KeepAs): FastifyReply;
    /** Sends the page kept for `keep`, if there is one; true when it did. */
    keptPage(keep: KeepAs | undefined): boolean;
  }
  interface FastifyInstance {
    keptPages: KeptPages;
  }
  interface Session {
    userId?: string;
    /** Password checked, second factor still to come. */
    pendingUserId?: string;
    /** Signed in, but the role requires two-step verification that is not set up yet. */
    mfaSetupRequired?: boolean;
    /** Wrong second-factor codes during this sign-in. */
    mfaFailures?: number;
  }
}

export interface BuildOptions {
  config: Config;
  database: DatabaseHandle;
  logger?: boolean | object;
  extraModules?: AppModule[];
  /** This node's state for `/readyz` (draining, its job runner); a node that runs no jobs when not given. */
  state?: NodeState;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function wantsJson(req: FastifyRequest): boolean {
  if (req.url.startsWith('/api/') || req.url === '/api' || /^\/(healthz|readyz|metrics)(\?|$)/.test(req.url)) return true;
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/** Paths an account that still has to set up two-step verification may use. */
function allowedDuringMfaSetup(url: string): boolean {
  return url.startsWith('/account/mfa') || url.startsWith('/logout') || url.startsWith('/assets/') || url.startsWith('/lang/') || url === '/healthz' || url === '/readyz';
}

/**
 * Fastify's trust function for `TRUST_PROXY`. A hop count trusts the nearest N peers, whoever they are (Fastify
 * itself trusts nobody for a bare number); it is safe only where nothing but the proxies can reach the app, as the
 * operations guide says.
 */
function trustProxyOption(trust: Config['trustProxy']): boolean | string[] | ((addr: string, hop: number) => boolean) {
  if (typeof trust !== 'number') return trust;
  return (_addr, hop) => hop < trust;
}

/** The headers helmet writes with `options` (the helmet that @fastify/helmet uses), to be set on every answer. */
function helmetHeaders(options: object): [string, string][] {
  const helmet = createRequire(require_.resolve('@fastify/helmet'))('helmet') as (o: object) => (req: unknown, res: unknown, next: (err?: unknown) => void) => void;
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: string) => void headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => void headers.delete(name.toLowerCase()),
  };
  let failed: unknown;
  helmet(options)({}, res, (err) => (failed = err));
  if (failed) throw failed;
  return [...headers];
}
const require_ = createRequire(import.meta.url);

export async function buildApp(opts: BuildOptions): Promise<FastifyInstance> {
  const { config, database } = opts;
  const state = opts.state ?? new NodeState();
  const app = Fastify({
    // JSON lines, each request's with its id (reqId); no query strings, bodies or headers (see platform/ops/logging.ts).
    logger: opts.logger ?? { level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie'], serializers: logSerializers },
    genReqId: () => randomUUID(),
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit: 1024 * 1024,
    // ajv-formats first (named formatsPlugin, so Fastify does not add it again after us), then the date limits.
    ajv: { customOptions: { ...AJV_OPTIONS, coerceTypes: 'array' }, plugins: [addFormats.default as never, storableDates as never] },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(routeValidatorCompiler);

  app.addSchema(ProblemSchema);
  // Response serializers compiled once per schema in the process, not per app (a test process builds many apps).
  app.setSerializerCompiler(cachedSerializerCompiler({ [ProblemSchema.$id!]: ProblemSchema }));
  installHttpMetrics(app);

  // ---- load shedding and deadlines, before anything else reads the database (sessions, tokens) ----
  // A node working on maxRequestsInFlight requests answers the next at once with 503 and Retry-After instead of
  // queueing it without end; health, readiness and metrics always answer. A read (GET, HEAD) runs with a signal
  // (platform/db/scope.ts) that fires when its client goes away or its deadline passes: its database work then
  // stops (no further statement is started; on PostgreSQL the running one is cancelled) and a passed deadline is
  // answered 503. Writes are left to finish: each is one transaction, and stopping it would only roll it back.
  let inFlight = 0;
  const deadlineMs = config.requestDeadlineSeconds * 1000;
  app.addHook('onRequest', (req, reply, done) => {
    if (/^\/(healthz|readyz|metrics)(\?|$)/.test(req.url)) return done();
    if (inFlight >= config.maxRequestsInFlight) {
      req.lang = /^es\b/i.test(req.headers['accept-language'] ?? '') ? 'es' : 'en';
      (req as unknown as { _reply: FastifyReply })._reply = reply;
      reply.header('retry-after', '1');
      return void sendError(req, reply, 503, STATUS_TITLES[503], 'The server is working on as many requests as it takes at once; try again in a moment.');
    }
    inFlight++;
    reply.raw.once('close', () => inFlight--);
    if (req.method !== 'GET' && req.method !== 'HEAD') return done();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new WorkAbandoned('deadline', deadlineMs)), deadlineMs);
    reply.raw.once('close', () => {
      clearTimeout(timer);
      if (!reply.raw.writableFinished) controller.abort(new WorkAbandoned('gone'));
    });
    runWithSignal(controller.signal, done);
  });

  // ---- every route says who may call it ----
  const routes: { method: string; url: string; access: Access }[] = [];
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/assets/') || route.method === 'HEAD') return;
    const access = route.config?.access;
    if (!access) throw new Error(`Route ${route.method} ${route.url} declares no config.access`);
    for (const m of [route.method].flat()) if (m !== 'HEAD') routes.push({ method: m, url: route.url, access });
  });
  app.decorate('routeAccessList', () => routes);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Taskforce Hub API',
        version: '0.1.0',
        description:
          'JSON API of Taskforce Hub. Programs authenticate with `Authorization: Bearer <token>`; browser calls use the session cookie and send the CSRF token in `x-csrf-token`. Errors are RFC 9457 problem details.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token created on the account page.' },
          cookieAuth: { type: 'apiKey', in: 'cookie', name: 'sid' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'The METRICS_TOKEN of the server (for GET /metrics only).' },
        },
      },
    },
    hideUntagged: true,
    refResolver: { buildLocalReference: (json, _base, _frag, i) => (json.$id as string) || `def-${i}` },
  });

  // Security headers: helmet's, for these settings, worked out once. @fastify/helmet built helmet's middleware anew
  // for every request (options checked, the policy written out), a good part of a cheap request's time; the headers
  // never change, so each answer gets the same list, set where the plugin set them (on the raw response, at this
  // point of onRequest).
  const securityHeaders = helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
    hsts: config.secureCookies,
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (_req, reply, done) => {
    const raw = reply.raw;
    for (const [name, value] of securityHeaders) raw.setHeader(name, value);
    done();
  });
  await app.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (req) => req.ip,
    // Pages and API calls count; the stylesheets, scripts and images a page loads do not (issue 16: a page with its
    // assets counted ten times, so 600 a minute allowed about 60 pages).
    allowList: (req) => req.url.startsWith('/assets/') || req.url === '/favicon.ico',
  });
  await app.register(formbody);
  await app.register(cookie);
  const store = new DbSessionStore(database.db) as unknown as session.SessionStore;
  await app.register(session, {
    secret: config.sessionSecret,
    cookieName: 'sid',
    store,
    saveUninitialized: false,
    rolling: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: config.secureCookies, path: '/', maxAge: 8 * 3600_000 },
  });
  await app.register(csrf, { sessionPlugin: '@fastify/session', getToken: (req: FastifyRequest) => {
    // Runs for every route, so the body has no one schema here: narrowed, not cast.
    const body: unknown = req.body;
    const fromBody = typeof body === 'object' && body !== null && '_csrf' in body ? body._csrf : undefined;
    return (typeof fromBody === 'string' ? fromBody : undefined) ?? (req.headers['x-csrf-token'] as string | undefined);
  } });

  await app.register(staticFiles, {
    root: resolve(import.meta.dirname, '../node_modules/@uswds/uswds/dist'),
    prefix: '/assets/uswds/',
    maxAge: '7d',
    index: false,
  });
  await app.register(staticFiles, {
    root: resolve(import.meta.dirname, 'platform/web/assets'),
    prefix: '/assets/',
    decorateReply: false,
    maxAge: '1h',
    index: false,
  });

  // ---- who is asking ----
  app.decorateRequest('actor', null);
  app.decorateRequest('ctx', null as unknown as Ctx);
  app.decorateRequest('lang', 'en');
  app.decorateRequest('tasks', null);
  app.decorateRequest('csrfIssued', false);
  app.decorateRequest('view', function (this: FastifyRequest): View {
    const req = this;
    const reply = (req as unknown as { _reply: FastifyReply })._reply;
    const lang = req.lang;
    const t = translator(lang);
    let token: string | undefined;
    const url = req.url;
    return {
      lang,
      t,
      actor: req.actor,
      csrf: () => {
        req.csrfIssued = true;
        return (token ??= reply.generateCsrf());
      },
      path: url.split('?')[0],
      url,
      govBanner: config.govBanner,
      can: (p) => req.actor?.permissions.has(p) ?? false,
      taskCount: req.tasks?.reduce((sum, task) => sum + task.count, 0) ?? 0,
    };
  });
  app.decorateReply('page', function (this: FastifyReply, title: string, body: unknown, status = 200, keep?: KeepAs) {
    const html = renderPage(this.request.view(), title, body as never);
    if (keep && status === 200 && !this.request.csrfIssued) {
      const kept = keptPageOf(html);
      app.keptPages.set(keep.scope, keep.state, keep.key, kept);
      this.request.keptAnswer = kept;
      return this.code(status).type('text/html; charset=utf-8').send(kept.bytes);
    }
    return this.code(status).type('text/html; charset=utf-8').send(html);
  });

  // ---- whole pages kept for the public (issue 14; platform/web/kept-pages.ts) ----
  app.decorate('keptPages', new KeptPages());
  app.decorateRequest('keptAnswer', null);
  app.decorateRequest('keepAs', async function (this: FastifyRequest, scope: string, state: () => string | Promise<string>): Promise<KeepAs | undefined> {
    if (this.actor || this.session?.userId || (this.method !== 'GET' && this.method !== 'HEAD')) return undefined;
    return { scope, state: await state(), key: `${this.lang}\n${this.url}` };
  });
  app.decorateReply('keptPage', function (this: FastifyReply, keep: KeepAs | undefined): boolean {
    const kept = keep && app.keptPages.get(keep.scope, keep.state, keep.key);
    if (!kept) return false;
    this.request.keptAnswer = kept;
    this.code(200).type('text/html; charset=utf-8').send(kept.bytes);
    return true;
  });

  app.addHook('onRequest', async (req, reply) => {
    (req as unknown as { _reply: FastifyReply })._reply = reply;
    // The id of this request in the logs, in problem details and in the audit events it records.
    reply.header('x-request-id', String(req.id));
    const cookieLang = req.cookies.lang;
    req.lang = isLang(cookieLang) ? cookieLang : /^es\b/i.test(req.headers['accept-language'] ?? '') ? 'es' : 'en';
    const auth = req.headers.authorization;
    let actor: Actor | null = null;
    if (auth && !req.routeOptions.config?.ownAuthorization) {
      const m = /^Bearer\s+(\S+)$/i.exec(auth);
      actor = (m && (await actorFromToken(database.db, m[1]))) || null;
      if (!actor) {
        const p = { ...problem(401, 'Not signed in', 'The bearer token is missing, unknown, expired or revoked.'), request_id: String(req.id) };
        return reply.code(401).header('www-authenticate', 'Bearer').type('application/problem+json').send(p);
      }
    } else if (req.session?.userId) {
      actor = (await loadActor(database.db, req.session.userId, 'session')) ?? null;
      if (!actor) {
        // The account was disabled or removed: its sessions end with it.
        await req.session.destroy();
      }
    }
    req.actor = actor;
    req.ctx = { db: database.db, dbKind: database.kind, config, actor, ip: req.ip, requestId: String(req.id) };
  });

  // ---- access control: before the body is read, so that a caller without access learns nothing about the
  // route's schema and the server never holds an upload it would refuse ----
  app.addHook('preParsing', async (req, reply, payload) => {
    const access = req.routeOptions.config?.access;
    if (!access) return payload; // static files and 404s
    const actor = req.actor;
    if (actor && actor.via === 'session' && req.session.mfaSetupRequired && !allowedDuringMfaSetup(req.url)) {
      if (wantsJson(req)) throw forbidden('Set up two-step verification first, on /account/mfa.');
      return reply.redirect('/account/mfa');
    }
    if (access !== 'public') {
      if (!actor) {
        if (!wantsJson(req) && req.method === 'GET') return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
        throw unauthorized();
      }
      if (typeof access === 'object' && !actor.permissions.has(access.permission)) throw forbidden();
    }
    return payload;
  });

  // ---- CSRF and NUL characters: after the body is parsed, before it is validated ----
  app.addHook('preValidation', async (req, reply) => {
    const access = req.routeOptions.config?.access;
    if (!access) return;
    const actor = req.actor;
    // A route may declare csrf: false when a secret token in its address authenticates it and no cookie does
    // (one-click unsubscribe from a mail client, RFC 8058).
    if (UNSAFE.has(req.method) && actor?.via !== 'token' && req.routeOptions.config?.csrf !== false) {
      await new Promise<void>((resolveDone, reject) => {
        app.csrfProtection(req, reply, (err?: Error) => (err ? reject(err) : resolveDone()));
      });
    }
    const nul = nulField(req.params, 'path.') ?? nulField(req.query) ?? nulField(req.body);
    if (nul) throw badRequest([{ field: nul, message: 'must not contain a NUL character' }]);
  });

  // ---- what waits for a signed-in person, counted in the header of every page they open (issue 16) ----
  app.addHook('preHandler', async (req) => {
    if (req.method !== 'GET' || req.actor?.via !== 'session' || !req.routeOptions.config?.access || req.url.startsWith('/api/') || wantsJson(req)) return;
    req.tasks = await tasksFor(req.ctx);
  });

  // ---- draining (SIGTERM): every answer closes its connection, so that keep-alive does not hold the shutdown ----
  app.addHook('onSend', async (_req, reply, payload) => {
    if (state.draining) reply.header('connection', 'close');
    return payload;
  });

  // ---- caching: public reads may be cached with an ETag; everything else is private ----
  app.addHook('onSend', async (req, reply, payload) => {
    if (reply.getHeader('cache-control')) return payload;
    const cacheable = req.method === 'GET' && reply.statusCode === 200 && req.routeOptions.config?.publicCache && !req.actor && !req.session?.userId;
    // A kept page (platform/web/kept-pages.ts) comes encoded, with its ETag.
    const kept = req.keptAnswer && payload === req.keptAnswer.bytes ? req.keptAnswer : undefined;
    if (!cacheable || (typeof payload !== 'string' && !kept)) {
      if (!req.url.startsWith('/assets/')) reply.header('cache-control', 'no-store');
      return payload;
    }
    // Encoded once: hashed, and sent as these bytes (a string would be encoded again to be written).
    const bytes = kept?.bytes ?? Buffer.from(payload as string);
    const etag = kept?.etag ?? etagOf(bytes);
    reply.header('etag', etag).header('cache-control', 'public, max-age=60').header('vary', 'Accept-Language, Cookie');
    if (req.headers['if-none-match'] === etag) {
      reply.code(304);
      return '';
    }
    return bytes;
  });

  // ---- errors: problem details for programs, a page for people ----
  const sendError = (req: FastifyRequest, reply: FastifyReply, status: number, title: string, detail?: string, errors?: FieldError[]) => {
    if (wantsJson(req)) {
      // Serialised here rather than by the route's response schema: a route that declares its own shape for this
      // status must not turn a plain 4xx into a 500 "failed to serialize".
      const body = { ...problem(status, title, detail, errors, req.url.split('?')[0]), request_id: String(req.id) };
      return reply.code(status).type('application/problem+json').send(JSON.stringify(body));
    }
    if (status === 401 && req.method === 'GET') return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
    const v = req.view();
    return reply.page(v.t('error.code', { code: status }), <ErrorPage v={v} status={status} detail={status < 500 ? detail : undefined} errors={errors} />, status);
  };

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; validationContext?: string; code?: string }, req, reply) => {
    if (err instanceof HttpError) return sendError(req, reply, err.status, err.title, err.detail, err.errors);
    if (err instanceof WorkAbandoned) {
      req.log.info({ reason: err.reason }, 'request abandoned');
      // Nobody reads the answer to a client that left; a passed deadline is the server's limit, so: try later.
      reply.header('retry-after', '5');
      return sendError(req, reply, 503, STATUS_TITLES[503], err.message);
    }
    if (err.validation) {
      const errors = fieldErrorsOf(err.validation as never, err.validationContext === 'params' ? 'path.' : '');
      return sendError(req, reply, 400, 'Invalid input', errors.map((e) => `${e.field}: ${e.message}`).join('; '), errors);
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      req.log.error({ err }, 'unhandled error');
      return sendError(req, reply, 500, STATUS_TITLES[500]);
    }
    return sendError(req, reply, status, STATUS_TITLES[status] ?? 'Request refused', err.message);
  });
  app.setNotFoundHandler((req, reply) => sendError(req, reply, 404, 'Not found', 'Nothing was found at this address.'));

  // Everything a module brings comes from its manifest: permissions, links and strings first, then its routes.
  const all = [...modules, ...(opts.extraModules ?? [])];
  const jobs = jobsAdmin(allJobs(all));
  installModules([jobs, ...all]);
  await app.register(platformRoutes);
  const migrationFolders = all.flatMap((m) => (m.migrations ? [m.migrations] : []));
  await app.register(readinessRoutes({ database, state, migrationFolders }));
  await app.register(metricsRoutes({ config, database }));
  await app.register(jobs.register);
  for (const m of all) await app.register(m.register);

  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeAccessList(): { method: string; url: string; access: Access }[];
  }
}

export { mfaRequired };
