/** Signing in and out, with the second-factor step, and the language switch. */
import { Type } from '@sinclair/typebox';
import { checkPassword, checkSecondFactor, recordLogin } from '../auth/index.ts';
import { recordAudit } from '../audit/index.ts';
import { notFound } from '../http/errors.ts';
import { hidden } from '../http/schemas.ts';
import { defineMessages, isLang } from '../web/i18n.ts';
import type { View } from '../web/view.ts';
import { Alert, Csrf, SubmitButton, TextInput } from '../web/components.tsx';
import type { App } from '../module.ts';
import { FormField, FormPost, one, safeNext } from './forms.ts';
import { passwordPages } from './password.tsx';

const MFA_MAX_TRIES = 5;

defineMessages({
  en: {
    'login.refused':
      'The e-mail address or password is not right, or there were too many failed attempts from here. If so, try again in {minutes} minutes, or ask an administrator to unlock your account.',
    'mfa.locked': 'Too many wrong codes for this account. Try again in {minutes} minutes, or ask an administrator to unlock it.',
  },
  es: {
    'login.refused':
      'El correo electrónico o la contraseña no son correctos, o hubo demasiados intentos fallidos desde aquí. En ese caso, inténtelo de nuevo en {minutes} minutos o pida a un administrador que desbloquee su cuenta.',
    'mfa.locked': 'Demasiados códigos incorrectos para esta cuenta. Inténtelo de nuevo en {minutes} minutos o pida a un administrador que la desbloquee.',
  },
});

const NextQuery = Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) });
const LoginQuery = Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })), done: Type.Optional(Type.String({ maxLength: 20 })) });
const LoginForm = FormPost({ email: FormField, password: FormField, next: FormField });
const CodeForm = FormPost({ code: FormField, next: FormField });

function LoginPage({ v, next, email, failed, lockMinutes, done }: { v: View; next: string; email?: string; failed?: boolean; lockMinutes?: number; done?: string }) {
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
    return reply.redirect(safeNext(req.query.next));
  });

  app.get('/login', { config: { access: 'public' }, schema: { ...hidden, querystring: LoginQuery } }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('login.title'), <LoginPage v={v} next={safeNext(req.query.next)} done={req.query.done} />);
  });

  app.post('/login', { config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } }, schema: { ...hidden, body: LoginForm } }, async (req, reply) => {
    const email = one(req.body.email).slice(0, 254);
    const password = one(req.body.password).slice(0, 1024);
    const next = safeNext(req.body.next);
    const result = await checkPassword(req.ctx, email, password);
    if (!result.ok) {
      const v = req.view();
      return reply.page(v.t('login.title'), <LoginPage v={v} next={next} email={email} failed lockMinutes={req.ctx.config.loginLockMinutes} />, 401);
    }
    await req.session.regenerate();
    if (result.mfa === 'verify') {
      req.session.pendingUserId = result.userId;
      return reply.redirect(`/login/mfa?next=${encodeURIComponent(next)}`);
    }
    req.session.userId = result.userId;
    await recordLogin(req.ctx, result.userId);
    if (result.mfa === 'setup') {
      req.session.mfaSetupRequired = true;
      return reply.redirect('/account/mfa');
    }
    return reply.redirect(next);
  });

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
    await recordLogin(req.ctx, userId);
    return reply.redirect(next);
  });

  app.post('/logout', { config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    await recordAudit(req.ctx.db, req.ctx, { action: 'auth.logout', entityType: 'user', entityId: req.actor!.id });
    await req.session.destroy();
    return reply.redirect('/');
  });
}
