/**
 * "Forgot your password?" and the page a link sent by e-mail opens (a reset or an invitation), for people not signed
 * in. The request page answers alike whatever the address (auth/accounts.ts says why and how).
 */
import { Type } from '@sinclair/typebox';
import { LINK_MINUTES, LinkRefused, openLink, requestPasswordReset, setPasswordWithLink } from '../auth/index.ts';
import type { FieldError } from '../http/errors.ts';
import { formErrors } from '../http/forms.ts';
import { hidden } from '../http/schemas.ts';
import { defineMessages } from '../web/i18n.ts';
import { localizeFieldErrors } from '../web/field-errors.ts';
import type { View } from '../web/view.ts';
import { Alert, Csrf, ErrorSummary, SubmitButton, TextInput } from '../web/components.tsx';
import type { App } from '../module.ts';
import { FormField, FormPost, one } from './forms.ts';
import { NewPasswordFields, PASSWORD_ES } from './account.tsx';

defineMessages({
  en: {
    'forgot.link': 'Forgot your password?',
    'forgot.title': 'Reset your password',
    'forgot.intro': 'Give the e-mail address of your account. We send a link to choose a new password; it works once, for {minutes} minutes.',
    'forgot.submit': 'Send the link',
    'forgot.sent': 'If an account uses this address, a link to reset its password is on its way. Check your e-mail, including the spam folder.',
    'set.title.reset': 'Choose a new password',
    'set.title.invite': 'Choose your password',
    'set.intro': 'Every session of your account is signed out. If you use two-step verification, you still give a code at the next sign-in.',
    'set.submit': 'Save the password',
    'set.refused': 'This link does not work: it was used already, it expired, or it is not complete.',
    'set.again': 'Ask for a new link',
    'set.done': 'Your password is set. Sign in with it.',
  },
  es: {
    'forgot.link': '¿Olvidó su contraseña?',
    'forgot.title': 'Restablecer su contraseña',
    'forgot.intro': 'Indique el correo electrónico de su cuenta. Le enviamos un enlace para elegir una nueva contraseña; funciona una vez, durante {minutes} minutos.',
    'forgot.submit': 'Enviar el enlace',
    'forgot.sent': 'Si una cuenta usa esta dirección, le hemos enviado un enlace para restablecer su contraseña. Revise su correo, también la carpeta de correo no deseado.',
    'set.title.reset': 'Elija una nueva contraseña',
    'set.title.invite': 'Elija su contraseña',
    'set.intro': 'Se cierran todas las sesiones de su cuenta. Si usa la verificación en dos pasos, se le pedirá un código al iniciar sesión.',
    'set.submit': 'Guardar la contraseña',
    'set.refused': 'Este enlace no funciona: ya se usó, caducó o no está completo.',
    'set.again': 'Pedir un nuevo enlace',
    'set.done': 'Su contraseña está guardada. Inicie sesión con ella.',
  },
});

const ForgotForm = FormPost({ email: FormField });
const SetForm = FormPost({ new_password: FormField, confirm_password: FormField });
const TokenParams = Type.Object({ token: Type.String({ maxLength: 200 }) });

function ForgotPage({ v, sent, errors, email }: { v: View; sent?: boolean; errors?: FieldError[]; email?: string }) {
  return (
    <div class="grid-row">
      <div class="grid-col-12 tablet:grid-col-8 desktop:grid-col-6">
        <h1>{v.t('forgot.title')}</h1>
        {sent ? (
          <Alert type="success" slim>
            {v.t('forgot.sent')}
          </Alert>
        ) : (
          <>
            <p>{v.t('forgot.intro', { minutes: LINK_MINUTES.reset })}</p>
            <form method="post" action="/login/forgot" class="usa-form">
              <Csrf v={v} />
              <ErrorSummary v={v} errors={errors ?? []} />
              <TextInput name="email" label={v.t('login.email')} type="email" autocomplete="username" value={email} required errors={errors} />
              <SubmitButton>{v.t('forgot.submit')}</SubmitButton>
            </form>
          </>
        )}
      </div>
    </div>
  );
}

function SetPasswordPage({ v, token, purpose, errors }: { v: View; token: string; purpose?: 'reset' | 'invite'; errors?: FieldError[] }) {
  return (
    <div class="grid-row">
      <div class="grid-col-12 tablet:grid-col-8 desktop:grid-col-6">
        {purpose ? (
          <>
            <h1>{v.t(purpose === 'invite' ? 'set.title.invite' : 'set.title.reset')}</h1>
            <p>{v.t('set.intro')}</p>
            <form method="post" action={`/password/set/${token}`} class="usa-form">
              <Csrf v={v} />
              <ErrorSummary v={v} errors={errors ?? []} />
              <NewPasswordFields v={v} errors={errors} />
              <SubmitButton>{v.t('set.submit')}</SubmitButton>
            </form>
          </>
        ) : (
          <>
            <h1>{v.t('set.title.reset')}</h1>
            <Alert type="error" slim>
              {v.t('set.refused')}
            </Alert>
            <p>
              <a href="/login/forgot">{v.t('set.again')}</a>
            </p>
          </>
        )}
      </div>
    </div>
  );
}

export async function passwordPages(app: App): Promise<void> {
  app.get('/login/forgot', { config: { access: 'public' }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('forgot.title'), <ForgotPage v={v} />);
  });

  // Per address, on top of the per-account limit in requestPasswordReset.
  app.post('/login/forgot', { config: { access: 'public', rateLimit: { max: 10, timeWindow: '15 minutes' } }, schema: { ...hidden, body: ForgotForm } }, async (req, reply) => {
    const v = req.view();
    const email = one(req.body.email);
    try {
      await requestPasswordReset(req.ctx, email, req.lang);
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return reply.page(v.t('forgot.title'), <ForgotPage v={v} email={email.slice(0, 254)} errors={localizeFieldErrors(req.lang, errors)} />, 400);
      throw err;
    }
    return reply.page(v.t('forgot.title'), <ForgotPage v={v} sent />);
  });

  app.get('/password/set/:token', { config: { access: 'public' }, schema: { ...hidden, params: TokenParams } }, async (req, reply) => {
    const v = req.view();
    const link = await openLink(req.ctx.db, req.params.token);
    reply.header('referrer-policy', 'no-referrer');
    return reply.page(v.t('set.title.reset'), <SetPasswordPage v={v} token={req.params.token} purpose={link?.purpose} />, link ? 200 : 400);
  });

  app.post('/password/set/:token', { config: { access: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } }, schema: { ...hidden, params: TokenParams, body: SetForm } }, async (req, reply) => {
    const v = req.view();
    const token = req.params.token;
    try {
      await setPasswordWithLink(req.ctx, token, { password: one(req.body.new_password), confirm: one(req.body.confirm_password) });
    } catch (err) {
      if (err instanceof LinkRefused) return reply.page(v.t('set.title.reset'), <SetPasswordPage v={v} token={token} />, 400);
      const errors = formErrors(err);
      if (errors) {
        const link = await openLink(req.ctx.db, token);
        return reply.page(v.t('set.title.reset'), <SetPasswordPage v={v} token={token} purpose={link?.purpose} errors={localizeFieldErrors(req.lang, errors, PASSWORD_ES)} />, 400);
      }
      throw err;
    }
    // The person was signed out everywhere; this browser too, whatever it held.
    await req.session.regenerate();
    return reply.redirect('/login?done=password', 303);
  });
}
