/** The platform's own routes: home, health, the API document, and (in pages/ and api/) accounts and the audit log. */
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { ProblemRef, hidden } from './http/schemas.ts';
import { addNav, manageLinksFor, navFor, type View } from './web/view.ts';
import { defineMessages } from './web/i18n.ts';
import { ApiDocsPage } from './web/api-docs.tsx';
import { tasksFor, type App, type Task } from './module.ts';
import { signInPages } from './pages/sign-in.tsx';
import { accountPages } from './pages/account.tsx';
import { adminPages } from './pages/admin.tsx';
import { auditRoutes } from './pages/audit.tsx';
import { accountsApi } from './api/accounts.ts';

export { safeNext } from './pages/forms.ts';

defineMessages({
  en: {
    'nav.manage': 'Manage',
    'manage.intro': 'Pages for looking after the workspace that your role opens.',
    'manage.none': 'Your role opens no pages for managing the workspace.',
    'home.tasks': 'Needs your action',
    'nav.manage.about': 'Users, the audit log and other pages for looking after the workspace.',
    'home.tasks.none': 'Nothing needs your action right now.',
    'home.sections': 'Sections of the workspace',
    'home.help': 'Find help',
    'home.help.text': 'If you or someone you know may be a victim of human trafficking, help is available now, confidentially.',
    'home.help.directory': 'Find services near you: shelter, legal help, jobs and training',
    'home.help.hotline': 'Call the National Human Trafficking Hotline: 1-888-373-7888',
    'home.what': 'What the task force does',
    'home.what.text': 'Federal agencies coordinate their work against trafficking here: they set shared goals, listen to survivors and the providers who serve them, fund programmes, and spread what works.',
    'home.what.structure': 'Who takes part: agencies, committees and partnerships',
    'home.what.workplans': 'What they committed to, and how it is going',
    'home.what.practices': 'Practices with evidence behind them',
    'tasks.header': 'Needs your action',
    'tasks.header.label': 'Needs your action: {n}',
    'admin.users.title': 'Users', 'admin.users.new': 'Add a user', 'admin.users.revoke': 'End sessions', 'audit.title': 'Audit log', 'audit.filter': 'Filter', 'audit.csv': 'Download as CSV' },
  es: {
    'nav.manage': 'Administrar',
    'manage.intro': 'Páginas para cuidar el espacio de trabajo que su función le permite abrir.',
    'manage.none': 'Su función no abre páginas para administrar el espacio de trabajo.',
    'home.tasks': 'Necesita su atención',
    'nav.manage.about': 'Usuarios, el registro de auditoría y otras páginas para cuidar el espacio de trabajo.',
    'home.tasks.none': 'Por ahora nada necesita su atención.',
    'home.sections': 'Secciones del espacio de trabajo',
    'home.help': 'Encontrar ayuda',
    'home.help.text': 'Si usted o alguien que conoce puede ser víctima de la trata de personas, hay ayuda disponible ahora, de forma confidencial.',
    'home.help.directory': 'Encuentre servicios cerca de usted: refugio, ayuda legal, empleo y capacitación',
    'home.help.hotline': 'Llame a la Línea Nacional contra la Trata de Personas: 1-888-373-7888',
    'home.what': 'Qué hace el grupo de trabajo',
    'home.what.text': 'Aquí las agencias federales coordinan su trabajo contra la trata: fijan metas comunes, escuchan a sobrevivientes y a quienes les prestan servicios, financian programas y difunden lo que funciona.',
    'home.what.structure': 'Quiénes participan: agencias, comités y alianzas',
    'home.what.workplans': 'A qué se comprometieron y cómo avanza',
    'home.what.practices': 'Prácticas respaldadas por evidencia',
    'tasks.header': 'Necesita su atención',
    'tasks.header.label': 'Necesita su atención: {n}',
    'admin.users.title': 'Usuarios', 'admin.users.new': 'Agregar un usuario', 'admin.users.revoke': 'Cerrar sesiones', 'audit.title': 'Registro de auditoría', 'audit.filter': 'Filtrar', 'audit.csv': 'Descargar en CSV' },
});

addNav({ href: '/', label: 'nav.home', order: 0 }, { href: '/admin/users', label: 'nav.admin.users', permission: 'users.manage', order: 90, manage: true }, { href: '/admin/audit', label: 'nav.admin.audit', permission: 'audit.read', order: 91, manage: true });

function Tasks({ v, tasks }: { v: View; tasks: Task[] }) {
  return (
    <section class="usa-summary-box margin-bottom-4" aria-labelledby="tasks">
      <div class="usa-summary-box__body">
        <h2 class="usa-summary-box__heading" id="tasks">
          {v.t('home.tasks')}
        </h2>
        {tasks.length ? (
          <ul class="usa-list">
            {tasks.map((task) => (
              <li>
                <a href={task.href}>{v.t(task.key, { n: task.count })}</a>
              </li>
            ))}
          </ul>
        ) : (
          <p>{v.t('home.tasks.none')}</p>
        )}
      </div>
    </section>
  );
}

/** For the public: what the task force does, and where someone who needs help now can find it. */
function PublicIntro({ v }: { v: View }) {
  return (
    <div class="grid-row grid-gap margin-bottom-4">
      <section class="tablet:grid-col-6" aria-labelledby="home-help">
        <h2 id="home-help">{v.t('home.help')}</h2>
        <p>{v.t('home.help.text')}</p>
        <ul class="usa-list">
          <li>
            <a href="/directory">{v.t('home.help.directory')}</a>
          </li>
          <li>
            <a href="tel:+18883737888">{v.t('home.help.hotline')}</a>
          </li>
          <li>{v.t('footer.emergency')}</li>
        </ul>
      </section>
      <section class="tablet:grid-col-6" aria-labelledby="home-what">
        <h2 id="home-what">{v.t('home.what')}</h2>
        <p>{v.t('home.what.text')}</p>
        <ul class="usa-list">
          <li>
            <a href="/structure">{v.t('home.what.structure')}</a>
          </li>
          <li>
            <a href="/workplans">{v.t('home.what.workplans')}</a>
          </li>
          <li>
            <a href="/practices">{v.t('home.what.practices')}</a>
          </li>
        </ul>
      </section>
    </div>
  );
}

function HomePage({ v, tasks }: { v: View; tasks: Task[] }) {
  const links = navFor(v.actor).filter((n) => n.href !== '/');
  return (
    <div>
      <section class="usa-hero-like padding-y-4">
        <h1>{v.t('home.title')}</h1>
        <p class="usa-intro">{v.t('home.intro')}</p>
      </section>
      {v.actor ? <Tasks v={v} tasks={tasks} /> : <PublicIntro v={v} />}
      <h2 class="usa-sr-only">{v.t('home.sections')}</h2>
      <ul class="usa-card-group">
        {links.map((l) => (
          <li class="usa-card tablet:grid-col-4">
            <div class="usa-card__container">
              <div class="usa-card__header">
                <h2 class="usa-card__heading">
                  <a href={l.href}>{v.t(l.label)}</a>
                </h2>
              </div>
              {l.description && (
                <div class="usa-card__body">
                  <p>{v.t(l.description)}</p>
                </div>
              )}
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
    // Asked once per page: the hook that counts them for the header has them already.
    const tasks = req.tasks ?? (await tasksFor(req.ctx));
    return reply.page(v.t('nav.home'), <HomePage v={v} tasks={tasks} />);
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

  app.get('/manage', { config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    const links = manageLinksFor(req.actor);
    const v = req.view();
    return reply.page(
      v.t('nav.manage'),
      <div>
        <h1>{v.t('nav.manage')}</h1>
        <p>{v.t(links.length ? 'manage.intro' : 'manage.none')}</p>
        <ul class="usa-list">
          {links.map((l) => (
            <li>
              <a href={l.href}>{v.t(l.label)}</a>
            </li>
          ))}
        </ul>
      </div>,
    );
  });
  app.get('/favicon.ico', { config: { access: 'public' }, schema: hidden }, async (_req, reply) => reply.redirect('/assets/favicon.svg', 301));
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: hidden }, async () => app.swagger());

  app.get('/api/docs', { config: { access: 'public' }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page('API reference', <ApiDocsPage v={v} doc={app.swagger() as never} />);
  });
}
