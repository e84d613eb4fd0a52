/** The platform's own routes: home, health, the API document, and (in pages/ and api/) accounts and the audit log. */
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { ProblemRef, hidden } from './http/schemas.ts';
import { addNav, navFor, type View } from './web/view.ts';
import { defineMessages } from './web/i18n.ts';
import { ApiDocsPage } from './web/api-docs.tsx';
import type { App } from './module.ts';
import { signInPages } from './pages/sign-in.tsx';
import { accountPages } from './pages/account.tsx';
import { adminPages } from './pages/admin.tsx';
import { auditRoutes } from './pages/audit.tsx';
import { accountsApi } from './api/accounts.ts';

export { safeNext } from './pages/forms.ts';

defineMessages({
  en: { 'admin.users.title': 'Users', 'admin.users.new': 'Add a user', 'admin.users.revoke': 'End sessions', 'audit.title': 'Audit log', 'audit.filter': 'Filter', 'audit.csv': 'Download as CSV' },
  es: { 'admin.users.title': 'Usuarios', 'admin.users.new': 'Agregar un usuario', 'admin.users.revoke': 'Cerrar sesiones', 'audit.title': 'Registro de auditoría', 'audit.filter': 'Filtrar', 'audit.csv': 'Descargar en CSV' },
});

addNav({ href: '/', label: 'nav.home', order: 0 }, { href: '/admin/users', label: 'nav.admin.users', permission: 'users.manage', order: 90 }, { href: '/admin/audit', label: 'nav.admin.audit', permission: 'audit.read', order: 91 });

function HomePage({ v }: { v: View }) {
  const links = navFor(v.actor).filter((n) => n.href !== '/');
  return (
    <div>
      <section class="usa-hero-like padding-y-4">
        <h1>{v.t('home.title')}</h1>
        <p class="usa-intro">{v.t('home.intro')}</p>
      </section>
      <ul class="usa-card-group">
        {links.map((l) => (
          <li class="usa-card tablet:grid-col-4">
            <div class="usa-card__container">
              <div class="usa-card__header">
                <h2 class="usa-card__heading">
                  <a href={l.href}>{v.t(l.label)}</a>
                </h2>
              </div>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

export async function platformRoutes(app: App): Promise<void> {
  app.get('/', { config: { access: 'public' }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('nav.home'), <HomePage v={v} />);
  });

  app.get(
    '/healthz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['Platform'],
        summary: 'Health of this app node and its database',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), database: Type.Union([Type.Literal('sqlite'), Type.Literal('postgresql')]), version: Type.String(), time: Type.String() }),
          503: ProblemRef,
        },
      },
    },
    async (req, reply) => {
      try {
        await sql`select 1`.execute(req.ctx.db);
      } catch {
        return reply.code(503).type('application/problem+json').send({ type: 'about:blank', title: 'Database unavailable', status: 503 });
      }
      return { status: 'ok' as const, database: req.ctx.dbKind, version: '0.1.0', time: new Date().toISOString() };
    },
  );

  await signInPages(app);
  await accountPages(app);
  await adminPages(app);
  await auditRoutes(app);
  await accountsApi(app);

  app.get('/favicon.ico', { config: { access: 'public' }, schema: hidden }, async (_req, reply) => reply.redirect('/assets/favicon.svg', 301));
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: hidden }, async () => app.swagger());

  app.get('/api/docs', { config: { access: 'public' }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page('API reference', <ApiDocsPage v={v} doc={app.swagger() as never} />);
  });
}
