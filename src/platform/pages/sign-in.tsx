/** Signing in and out, with the second-factor step, and the language switch. */
import { Type } from '@sinclair/typebox';
import { checkPassword, checkSecondFactor, chooseLanguage, recordLogin } from '../auth/index.ts';
import { recordAudit } from '../audit/index.ts';
import { notFound } from '../http/errors.ts';
import { hidden } from '../http/schemas.ts';
import { defineMessages, isLang } from '../web/i18n.ts';
import type { View } from '../web/view.ts';
import { Alert, Csrf, SubmitButton, TextInput } from '../web/components.tsx';
import type { App } from '../module.ts';
import { FormField, FormPost, one, safeNext } from './forms.ts';
import { passwordPages } from './password.tsx';
import { beginOidc, finishOidc, type OidcOutcome } from '../auth/oidc.ts';

const MFA_MAX_TRIES = 5;

defineMessages({
  en: {
    'login.refused':
      'The e-mail address or password is not right, or there were too many failed attempts from here. If so, try again in {minutes} minutes, or ask an administrator to unlock your account.',
    'mfa.locked': 'Too many wrong codes for this account. Try again in {minutes} minutes, or ask an administrator to unlock it.',
    'oidc.button': 'Sign in with {name}',
    'oidc.or': 'Or sign in with your e-mail address and password.',
    'oidc.title': 'Sign in with {name}',
    'oidc.failed': 'The sign-in with {name} did not complete, or took too long. Start again from the sign-in page.',
    'oidc.unverified': '{name} did not confirm that your e-mail address is verified, so it cannot open an account here. Verify the address with {name}, then try again.',
    'oidc.unknown': 'No account here uses the e-mail address that {name} gave. Signing in does not create accounts: ask an administrator of the task force to invite you.',
    'oidc.disabled': 'This account is disabled. Ask an administrator if you need it again.',
    'oidc.unavailable': '{name} could not be reached just now. Try again in a few minutes, or sign in with your password.',
    'oidc.back': 'Back to the sign-in page',
  },
  es: {
    'login.refused':
      'El correo electrónico o la contraseña no son correctos, o hubo demasiados intentos fallidos desde aquí. En ese caso, inténtelo de nuevo en {minutes} minutos o pida a un administrador que desbloquee su cuenta.',
    'mfa.locked': 'Demasiados códigos incorrectos para esta cuenta. Inténtelo de nuevo en {minutes} minutos o pida a un administrador que la desbloquee.',
    'oidc.button': 'Iniciar sesión con {name}',
    'oidc.or': 'O inicie sesión con su correo electrónico y contraseña.',
    'oidc.title': 'Iniciar sesión con {name}',
    'oidc.failed': 'El inicio de sesión con {name} no se completó o tardó demasiado. Empiece de nuevo desde la página de inicio de sesión.',
    'oidc.unverified': '{name} no confirmó que su correo electrónico esté verificado, así que no puede abrir una cuenta aquí. Verifique la dirección con {name} e inténtelo de nuevo.',
    'oidc.unknown': 'Ninguna cuenta de este sitio usa el correo electrónico que indicó {name}. Iniciar sesión no crea cuentas: pida a un administrador del grupo de trabajo que le invite.',
    'oidc.disabled': 'Esta cuenta está desactivada. Pida a un administrador si la necesita de nuevo.',
    'oidc.unavailable': 'No se pudo contactar con {name} en este momento. Inténtelo de nuevo en unos minutos o inicie sesión con su contraseña.',
    'oidc.back': 'Volver a la página de inicio de sesión',
  },
});

const NextQuery = Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) });
const LoginQuery = Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })), done: Type.Optional(Type.String({ maxLength: 20 })) });
const LoginForm = FormPost({ email: FormField, password: FormField, next: FormField });
const CodeForm = FormPost({ code: FormField, next: FormField });

function LoginPage({ v, next, email, failed, lockMinutes, done, oidcName }: { v: View; next: string; email?: string; failed?: boolean; lockMinutes?: number; done?: string; oidcName?: string }) {
  return (
    <div class="grid-row">
      <div class="grid-col-12 tablet:grid-col-6">
        <h1>{v.t('login.title')}</h1>
        <p>{v.t('login.intro')}</p>
        {done === 'password' && (
          <Alert type="success" slim>
            {v.t('set.done')}
          </Alert>
        )}
        {failed && (
          <Alert type="error" slim>
            {v.t('login.refused', { minutes: lockMinutes ?? 15 })}
          </Alert>
        )}
        {oidcName && (
          <>
            <p>
              <a class="usa-button" href={`/login/oidc?next=${encodeURIComponent(next)}`}>
                {v.t('oidc.button', { name: oidcName })}
              </a>
            </p>
            <p>{v.t('oidc.or')}</p>
          </>
        )}
        <form method="post" action="/login" class="usa-form">
          <Csrf v={v} />
          <input type="hidden" name="next" value={next} />
          <TextInput name="email" label={v.t('login.email')} type="email" autocomplete="username" value={email} required />
          <TextInput name="password" label={v.t('login.password')} type="password" autocomplete="current-password" required />
          <SubmitButton>{v.t('login.submit')}</SubmitButton>
        </form>
        <p>
          <a href="/login/forgot">{v.t('forgot.link')}</a>
        </p>
      </div>
    </div>
  );
}

function OidcProblemPage({ v, message }: { v: View; message: string }) {
  return (
    <div class="grid-row">
      <div class="grid-col-12 tablet:grid-col-8 desktop:grid-col-6">
        <h1>{v.t('login.title')}</h1>
        <Alert type="error" slim>
          {message}
        </Alert>
        <p>
          <a href="/login">{v.t('oidc.back')}</a>
        </p>
      </div>
    </div>
  );
}

function MfaPage({ v, next, wrong, lockedMinutes }: { v: View; next: string; wrong?: boolean; lockedMinutes?: number }) {
  return (
    <div class="grid-row">
      <div class="grid-col-12 tablet:grid-col-6">
        <h1>{v.t('mfa.title')}</h1>
        {lockedMinutes !== undefined && (
          <Alert type="error" slim>
            {v.t('mfa.locked', { minutes: lockedMinutes })}
          </Alert>
        )}
        <form method="post" action="/login/mfa" class="usa-form">
          <Csrf v={v} />
          <input type="hidden" name="next" value={next} />
          <TextInput
            name="code"
            label={v.t('mfa.code')}
            autocomplete="one-time-code"
            inputmode="numeric"
            maxLength={6}
            required
            errors={wrong ? [{ field: 'code', message: v.t('mfa.wrong') }] : undefined}
          />
          <SubmitButton>{v.t('mfa.verify')}</SubmitButton>
        </form>
      </div>
    </div>
  );
}

export async function signInPages(app: App): Promise<void> {
  await passwordPages(app);

  app.get('/lang/:lang', { config: { access: 'public' }, schema: { ...hidden, params: Type.Object({ lang: Type.String({ maxLength: 5 }) }), querystring: NextQuery } }, async (req, reply) => {
    const { lang } = req.params;
    if (!isLang(lang)) throw notFound();
    reply.setCookie('lang', lang, { path: '/', sameSite: 'lax', maxAge: 365 * 86400, httpOnly: true, secure: req.ctx.config.secureCookies });
    // A signed-in person's mail follows the language they switch to (digests, reminders and notices have no request).
    if (req.actor) await chooseLanguage(req.ctx, req.actor.id, lang);
    return reply.redirect(safeNext(req.query.next));
  });

  app.get('/login', { config: { access: 'public' }, schema: { ...hidden, querystring: LoginQuery } }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('login.title'), <LoginPage v={v} next={safeNext(req.query.next)} done={req.query.done} oidcName={req.ctx.config.oidc?.name} />);
  });

  app.post('/login', { config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } }, schema: { ...hidden, body: LoginForm } }, async (req, reply) => {
    const email = one(req.body.email).slice(0, 254);
    const password = one(req.body.password).slice(0, 1024);
    const next = safeNext(req.body.next);
    const result = await checkPassword(req.ctx, email, password);
    if (!result.ok) {
      const v = req.view();
      return reply.page(v.t('login.title'), <LoginPage v={v} next={next} email={email} failed lockMinutes={req.ctx.config.loginLockMinutes} oidcName={req.ctx.config.oidc?.name} />, 401);
    }
    await req.session.regenerate();
    if (result.mfa === 'verify') {
      req.session.pendingUserId = result.userId;
      return reply.redirect(`/login/mfa?next=${encodeURIComponent(next)}`);
    }
    req.session.userId = result.userId;
    await recordLogin(req.ctx, result.userId, req.lang);
    if (result.mfa === 'setup') {
      req.session.mfaSetupRequired = true;
      return reply.redirect('/account/mfa');
    }
    return reply.redirect(next);
  });

  // ---- single sign-on (OpenID Connect), when configured ----

  app.get('/login/oidc', { config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } }, schema: { ...hidden, querystring: NextQuery } }, async (req, reply) => {
    const cfg = req.ctx.config.oidc;
    if (!cfg) throw notFound();
    let started;
    try {
      started = await beginOidc(cfg, safeNext(req.query.next));
    } catch (err) {
      req.log.warn({ err }, 'OpenID Connect provider unreachable');
      const v = req.view();
      return reply.page(v.t('oidc.title', { name: cfg.name }), <OidcProblemPage v={v} message={v.t('oidc.unavailable', { name: cfg.name })} />, 503);
    }
    req.session.oidc = started.pending;
    return reply.redirect(started.url, 303);
  });

  app.get(
    '/login/oidc/callback',
    { config: { access: 'public', rateLimit: { max: 30, timeWindow: '1 minute' } }, schema: { ...hidden, querystring: Type.Record(Type.String(), Type.String({ maxLength: 4000 })) } },
    async (req, reply) => {
      const cfg = req.ctx.config.oidc;
      if (!cfg) throw notFound();
      const pending = req.session.oidc;
      req.session.oidc = undefined;
      const query = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      const outcome: OidcOutcome = await finishOidc(req.ctx, cfg, query, pending, req.lang);
      if (!outcome.ok) {
        const v = req.view();
        return reply.page(v.t('oidc.title', { name: cfg.name }), <OidcProblemPage v={v} message={v.t(`oidc.${outcome.reason}`, { name: cfg.name })} />, outcome.reason === 'failed' ? 400 : 403);
      }
      const next = safeNext(pending!.next);
      await req.session.regenerate();
      if (outcome.mfa === 'verify') {
        req.session.pendingUserId = outcome.userId;
        return reply.redirect(`/login/mfa?next=${encodeURIComponent(next)}`);
      }
      req.session.userId = outcome.userId;
      if (outcome.mfa === 'setup') {
        req.session.mfaSetupRequired = true;
        return reply.redirect('/account/mfa');
      }
      return reply.redirect(next);
    },
  );

  app.get('/login/mfa', { config: { access: 'public' }, schema: { ...hidden, querystring: NextQuery } }, async (req, reply) => {
    if (!req.session.pendingUserId) return reply.redirect('/login');
    const v = req.view();
    return reply.page(v.t('mfa.title'), <MfaPage v={v} next={safeNext(req.query.next)} />);
  });

  app.post('/login/mfa', { config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } }, schema: { ...hidden, body: CodeForm } }, async (req, reply) => {
    const userId = req.session.pendingUserId;
    const next = safeNext(req.body.next);
    if (!userId) return reply.redirect('/login');
    const result = await checkSecondFactor(req.ctx, userId, one(req.body.code));
    if (result === 'locked') {
      // Too many wrong codes for the account, from anywhere: every code is refused for now (the count and its audit
      // are in checkSecondFactor).
      const v = req.view();
      return reply.page(v.t('mfa.title'), <MfaPage v={v} next={next} lockedMinutes={req.ctx.config.loginLockMinutes} />, 429);
    }
    if (result === 'wrong') {
      // A half-finished sign-in gets a few tries only; then the password must be given again.
      req.session.mfaFailures = (req.session.mfaFailures ?? 0) + 1;
      if (req.session.mfaFailures >= MFA_MAX_TRIES) {
        await req.session.regenerate();
        return reply.redirect('/login');
      }
      const v = req.view();
      return reply.page(v.t('mfa.title'), <MfaPage v={v} next={next} wrong />, 401);
    }
    await req.session.regenerate();
    req.session.userId = userId;
    await recordLogin(req.ctx, userId, req.lang);
    return reply.redirect(next);
  });

  app.post('/logout', { config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    await recordAudit(req.ctx.db, req.ctx, { action: 'auth.logout', entityType: 'user', entityId: req.actor!.id });
    await req.session.destroy();
    return reply.redirect('/');
  });
}
