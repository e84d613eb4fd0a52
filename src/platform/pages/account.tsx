/**
 * My account: second factor, sessions and API tokens. Every route here answers a signed-in session only, never an
 * API token (`sessionOnly`): these are the keys to the account.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import QRCode from 'qrcode';
import {
  ProofRefused,
  beginMfaSetup,
  changePassword,
  createToken,
  disableMfa,
  enableMfa,
  getUser,
  listSessions,
  listTokens,
  mfaRequired,
  pendingMfaSecret,
  permissionsOf,
  revokeSessions,
  revokeToken,
  type SessionRow,
  type TokenRow,
  type UserRow,
} from '../auth/index.ts';
import { sessionOnly } from '../auth/session-only.ts';
import type { FieldError } from '../http/errors.ts';
import { formErrors, rawValues, type FormValues } from '../http/forms.ts';
import { IdParams, hidden } from '../http/schemas.ts';
import { formBody } from '../http/validation.ts';
import type { View } from '../web/view.ts';
import { defineMessages, formatInstant, formatList } from '../web/i18n.ts';
import { ActionButton, Alert, Checkboxes, Csrf, ErrorSummary, SubmitButton, Table, TextInput } from '../web/components.tsx';
import type { App } from '../module.ts';
import { FormField, FormPost, one } from './forms.ts';
import { localizeFieldErrors, type MessageRules } from '../web/field-errors.ts';

/** Spanish for the password checks' own wording (auth/accounts.ts). */
export const PASSWORD_ES: MessageRules = [
  [/^does not match the new password$/, 'no coincide con la nueva contraseña'],
  [/^this link does not work$/, 'este enlace no funciona'],
];

const CodeForm = FormPost({ code: FormField });
const ProofForm = FormPost({ password: FormField, code: FormField });
const SignOutForm = FormPost({ revoke_tokens: FormField });
const PasswordForm = FormPost({ password: FormField, new_password: FormField, confirm_password: FormField });
const DoneQuery = Type.Object({ done: Type.Optional(Type.String({ maxLength: 20 })) });
const TokenForm = FormPost({ name: FormField, scopes: FormField, expires_in_days: FormField });

defineMessages({
  en: {
    'proof.legend': 'Confirm it is you',
    'proof.hint': 'Give your current password, or a current code from your authenticator app.',
    'proof.hint.password': 'Give your current password.',
    'proof.password': 'Current password',
    'proof.code': 'Or a current six-digit code',
    'proof.missing': 'Give your current password, or a current code from your authenticator app.',
    'proof.wrong_password': 'The password is not right.',
    'proof.locked_password': 'Too many wrong passwords from here. Try again in {minutes} minutes.',
    'proof.wrong_code': 'That code is not right. Use the newest code shown in your app.',
    'proof.locked_code': 'Too many wrong codes for this account. Try again in {minutes} minutes.',
    'proof.no_code': 'Two-step verification is off: give your password instead.',
    'mfa.replace': 'Replace your authenticator app',
    'mfa.replace.intro': 'Set up a new authenticator app. The one you use now keeps working until you confirm a code from the new one.',
    'account.signout.tokens': 'Also revoke my API tokens',
    'account.signout.intro': 'Ends every signed-in session of your account, this one included.',
    'password.change': 'Change your password',
    'password.change.intro': 'Your other sessions are signed out, and a notice is sent to your e-mail address.',
    'password.new': 'New password',
    'password.new.hint': 'At least 12 characters. A few unrelated words make a good one.',
    'password.confirm': 'New password again',
    'password.changed': 'Your password was changed. Your other sessions were signed out.',
    'scope.account.self': "Manage your own account",
    'scope.audit.read': "Read the audit log",
    'scope.contacts.read': "Read network contacts and agreements",
    'scope.directory.confidential': "See confidential directory details",
    'scope.directory.lists': "Keep resource lists",
    'scope.directory.manage': "Manage the service directory",
    'scope.directory.propose': "Propose directory changes",
    'scope.grants.plan': "Plan grant applications",
    'scope.grants.review': "Review grant plans",
    'scope.jobs.read': "See background jobs",
    'scope.listening.code': "Code listening-session input",
    'scope.listening.manage': "Manage listening sessions",
    'scope.networks.edit_own': "Edit your organization's networks",
    'scope.networks.manage': "Manage all local networks",
    'scope.outreach.manage': "Manage youth outreach",
    'scope.outreach.moderate': "Moderate outreach report-backs",
    'scope.outreach.sponsor': "Act for an outreach sponsor",
    'scope.practices.lead': "Lead practice reviews",
    'scope.practices.manage': "Manage the practices library",
    'scope.practices.nominate': "Nominate practices",
    'scope.practices.review': "Review practices",
    'scope.referrals.admin': "Administer referrals",
    'scope.referrals.client.read': "Read clients' referral details",
    'scope.referrals.read': "Read referrals",
    'scope.referrals.receive': "Receive referrals",
    'scope.referrals.send': "Send referrals",
    'scope.referrals.stats.read': "Read referral statistics",
    'scope.research.manage': "Manage research and data",
    'scope.research.publish': "Publish research",
    'scope.research.submit': "Submit research",
    'scope.structure.write': "Edit the task force structure",
    'scope.users.manage': "Manage users",
    'scope.workplans.digests': "Send work plan digests",
    'scope.workplans.edit': "Edit work plans",
    'scope.workplans.review': "Review work plan updates",
    'scope.workplans.update': "Report work plan progress",
  },
  es: {
    'proof.legend': 'Confirme que es usted',
    'proof.hint': 'Indique su contraseña actual o un código actual de su aplicación de autenticación.',
    'proof.hint.password': 'Indique su contraseña actual.',
    'proof.password': 'Contraseña actual',
    'proof.code': 'O un código actual de seis dígitos',
    'proof.missing': 'Indique su contraseña actual o un código actual de su aplicación de autenticación.',
    'proof.wrong_password': 'La contraseña no es correcta.',
    'proof.locked_password': 'Demasiadas contraseñas incorrectas desde aquí. Inténtelo de nuevo en {minutes} minutos.',
    'proof.wrong_code': 'Ese código no es correcto. Use el código más reciente de su aplicación.',
    'proof.locked_code': 'Demasiados códigos incorrectos para esta cuenta. Inténtelo de nuevo en {minutes} minutos.',
    'proof.no_code': 'La verificación en dos pasos está desactivada: indique su contraseña.',
    'mfa.replace': 'Reemplazar su aplicación de autenticación',
    'mfa.replace.intro': 'Configure una nueva aplicación de autenticación. La que usa ahora sigue funcionando hasta que confirme un código de la nueva.',
    'account.signout.tokens': 'Revocar también mis tokens de la API',
    'account.signout.intro': 'Cierra todas las sesiones iniciadas de su cuenta, incluida esta.',
    'password.change': 'Cambiar su contraseña',
    'password.change.intro': 'Se cierran sus otras sesiones y se envía un aviso a su correo electrónico.',
    'password.new': 'Nueva contraseña',
    'password.new.hint': 'Al menos 12 caracteres. Unas cuantas palabras sin relación entre sí son una buena contraseña.',
    'password.confirm': 'Repita la nueva contraseña',
    'password.changed': 'Se cambió su contraseña. Se cerraron sus otras sesiones.',
    'scope.account.self': "Gestionar su propia cuenta",
    'scope.audit.read': "Leer el registro de auditoría",
    'scope.contacts.read': "Leer contactos y acuerdos de las redes",
    'scope.directory.confidential': "Ver datos confidenciales del directorio",
    'scope.directory.lists': "Mantener listas de recursos",
    'scope.directory.manage': "Gestionar el directorio de servicios",
    'scope.directory.propose': "Proponer cambios al directorio",
    'scope.grants.plan': "Planificar solicitudes de subvención",
    'scope.grants.review': "Revisar planes de subvención",
    'scope.jobs.read': "Ver tareas en segundo plano",
    'scope.listening.code': "Codificar aportes de las sesiones de escucha",
    'scope.listening.manage': "Gestionar sesiones de escucha",
    'scope.networks.edit_own': "Editar las redes de su organización",
    'scope.networks.manage': "Gestionar todas las redes locales",
    'scope.outreach.manage': "Gestionar la difusión juvenil",
    'scope.outreach.moderate': "Moderar informes de difusión",
    'scope.outreach.sponsor': "Actuar en nombre de un patrocinador de difusión",
    'scope.practices.lead': "Dirigir revisiones de prácticas",
    'scope.practices.manage': "Gestionar la biblioteca de prácticas",
    'scope.practices.nominate': "Proponer prácticas",
    'scope.practices.review': "Revisar prácticas",
    'scope.referrals.admin': "Administrar derivaciones",
    'scope.referrals.client.read': "Leer datos de clientes en derivaciones",
    'scope.referrals.read': "Leer derivaciones",
    'scope.referrals.receive': "Recibir derivaciones",
    'scope.referrals.send': "Enviar derivaciones",
    'scope.referrals.stats.read': "Leer estadísticas de derivaciones",
    'scope.research.manage': "Gestionar investigación y datos",
    'scope.research.publish': "Publicar investigaciones",
    'scope.research.submit': "Enviar investigaciones",
    'scope.structure.write': "Editar la estructura del grupo de trabajo",
    'scope.users.manage': "Gestionar usuarios",
    'scope.workplans.digests': "Enviar resúmenes de planes de trabajo",
    'scope.workplans.edit': "Editar planes de trabajo",
    'scope.workplans.review': "Revisar actualizaciones de planes de trabajo",
    'scope.workplans.update': "Informar el avance de planes de trabajo",
  },
});

/** The fields of a fresh proof: the current password, or (when the second factor is on) a current code. */
function ProofFields({ v, mfaOn, errors }: { v: View; mfaOn: boolean; errors?: FieldError[] }) {
  return (
    <fieldset class="usa-fieldset">
      <legend class="usa-legend">{v.t('proof.legend')}</legend>
      <p class="usa-hint margin-top-05">{v.t(mfaOn ? 'proof.hint' : 'proof.hint.password')}</p>
      <TextInput name="password" label={v.t('proof.password')} type="password" autocomplete="current-password" errors={errors} />
      {mfaOn && <TextInput name="code" label={v.t('proof.code')} autocomplete="one-time-code" inputmode="numeric" maxLength={6} errors={errors} />}
    </fieldset>
  );
}

/** A refused command's field problems in the person's language: a refused proof says which field and why. */
function proofErrors(v: View, err: unknown, lockMinutes: number): FieldError[] | undefined {
  if (err instanceof ProofRefused) return [{ field: err.field, message: v.t(`proof.${err.problem}`, { minutes: lockMinutes }) }];
  return formErrors(err);
}

/**
 * Setting up the second factor, the first time or to replace the authenticator: first a step that makes the key,
 * with a fresh proof (no write on a GET), then the key and its code.
 */
function MfaSetupPage({ v, pending, required, mfaOn, errors }: { v: View; pending?: { secret: string; qrSvg: string }; required: boolean; mfaOn: boolean; errors?: FieldError[] }) {
  return (
    <div class="usa-prose">
      <h1>{v.t(mfaOn ? 'mfa.replace' : 'mfa.setup.title')}</h1>
      {required && (
        <Alert type="warning" slim>
          {v.t('mfa.setup.required')}
        </Alert>
      )}
      {pending ? (
        <>
          <p>{v.t('mfa.setup.intro')}</p>
          <figure role="img" aria-label={v.t('mfa.setup.key') + ': ' + pending.secret} class="margin-0">
            <div class="mfa-qr" dangerouslySetInnerHTML={{ __html: pending.qrSvg }} />
          </figure>
          <p>
            {v.t('mfa.setup.key')}: <code class="token-secret">{pending.secret}</code>
          </p>
          <form method="post" action="/account/mfa" class="usa-form">
            <Csrf v={v} />
            <TextInput name="code" label={v.t('mfa.code')} autocomplete="one-time-code" inputmode="numeric" maxLength={6} required errors={errors} />
            <SubmitButton>{v.t('mfa.setup.enable')}</SubmitButton>
          </form>
        </>
      ) : (
        <>
          <p>{v.t(mfaOn ? 'mfa.replace.intro' : 'mfa.start.intro')}</p>
          <form method="post" action="/account/mfa/start" class="usa-form">
            <Csrf v={v} />
            <ErrorSummary v={v} errors={errors ?? []} />
            <ProofFields v={v} mfaOn={mfaOn} errors={errors} />
            <SubmitButton>{v.t('mfa.start.button')}</SubmitButton>
          </form>
        </>
      )}
    </div>
  );
}

/** New password fields, shared by the account page and the page a reset or invitation link opens. */
export function NewPasswordFields({ v, errors }: { v: View; errors?: FieldError[] }) {
  return (
    <>
      <TextInput name="new_password" label={v.t('password.new')} type="password" autocomplete="new-password" hint={v.t('password.new.hint')} required errors={errors} />
      <TextInput name="confirm_password" label={v.t('password.confirm')} type="password" autocomplete="new-password" required errors={errors} />
    </>
  );
}

/** A token scope (a permission) by its label in the reader's language, as `scope.<permission>`; the code itself when no label is written. */
function scopeLabel(v: View, scope: string): string {
  const key = `scope.${scope}`;
  const label = v.t(key);
  return label === key ? scope : label;
}

type AccountExtra = { newToken?: string; tokenErrors?: FieldError[]; tokenInput?: FormValues; mfaErrors?: FieldError[]; passwordErrors?: FieldError[]; done?: string };

function AccountPage(props: { v: View; user: UserRow; sessions: SessionRow[]; tokens: TokenRow[]; scopes: string[] } & AccountExtra) {
  const { v, user } = props;
  const chosen = [props.tokenInput?.scopes ?? []].flat();
  return (
    <div>
      <h1>{v.t('account.title')}</h1>
      {props.done === 'password' && (
        <Alert type="success" slim>
          {v.t('password.changed')}
        </Alert>
      )}
      <div class="usa-summary-box maxw-tablet margin-bottom-4">
        <div class="usa-summary-box__body">
          <dl class="margin-0">
            <dt class="text-bold">{v.t('login.email')}</dt>
            <dd class="margin-left-0 margin-bottom-1">{user.email}</dd>
            <dt class="text-bold">{v.t('account.role')}</dt>
            <dd class="margin-left-0 margin-bottom-1">{v.t(`role.${user.role}`)}</dd>
            <dt class="text-bold">{v.t('account.org')}</dt>
            <dd class="margin-left-0 margin-bottom-1">{user.organization_name}</dd>
            <dt class="text-bold">{v.t('account.mailLang')}</dt>
            <dd class="margin-left-0 margin-bottom-0">
              {v.t(`account.mailLang.${user.lang}`)}{' '}
              <a href={`/lang/${user.lang === 'es' ? 'en' : 'es'}?next=${encodeURIComponent('/account')}`} hrefLang={user.lang === 'es' ? 'en' : 'es'}>
                {v.t(`account.mailLang.switch.${user.lang === 'es' ? 'en' : 'es'}`)}
              </a>
              <p class="margin-y-05 font-body-2xs">{v.t('account.mailLang.hint')}</p>
            </dd>
          </dl>
        </div>
      </div>
      <h2 id="password">{v.t('password.change')}</h2>
      <form method="post" action="/account/password" class="usa-form">
        <Csrf v={v} />
        <ErrorSummary v={v} errors={props.passwordErrors ?? []} />
        <p class="usa-hint">{v.t('password.change.intro')}</p>
        <TextInput name="password" label={v.t('proof.password')} type="password" autocomplete="current-password" required errors={props.passwordErrors} />
        <NewPasswordFields v={v} errors={props.passwordErrors} />
        <SubmitButton>{v.t('password.change')}</SubmitButton>
      </form>
      <h2>{v.t('mfa.title')}</h2>
      {user.mfa_enabled ? (
        <>
          <p>
            {v.t('mfa.on')} <a href="/account/mfa">{v.t('mfa.replace')}</a>
          </p>
          {!mfaRequired(user.role) && (
            <form method="post" action="/account/mfa/disable" class="usa-form">
              <Csrf v={v} />
              <ErrorSummary v={v} errors={props.mfaErrors ?? []} />
              <ProofFields v={v} mfaOn errors={props.mfaErrors} />
              <SubmitButton secondary>{v.t('mfa.disable')}</SubmitButton>
            </form>
          )}
        </>
      ) : (
        <p>
          {v.t('mfa.off')} <a href="/account/mfa">{v.t('mfa.setup.title')}</a>
        </p>
      )}
      <h2>{v.t('account.sessions')}</h2>
      <Table
        v={v}
        caption={v.t('account.sessions')}
        head={[v.t('account.sessions.started'), v.t('account.sessions.expires')]}
        rows={props.sessions.map((s) => [formatInstant(v.lang, s.created_at), formatInstant(v.lang, s.expires_at)])}
      />
      <form method="post" action="/account/sessions/revoke" class="usa-form">
        <Csrf v={v} />
        <Checkboxes
          name="revoke_tokens"
          label={v.t('account.signout.everywhere')}
          hint={v.t('account.signout.intro')}
          values={['true']}
          options={[{ value: 'true', label: v.t('account.signout.tokens') }]}
        />
        <SubmitButton secondary>{v.t('account.signout.everywhere')}</SubmitButton>
      </form>
      <h2 id="tokens">{v.t('account.tokens')}</h2>
      <p>{v.t('account.tokens.intro')}</p>
      {props.newToken && (
        <Alert type="success" heading={v.t('account.tokens.created')}>
          <p class="token-secret" id="new-token">
            {props.newToken}
          </p>
        </Alert>
      )}
      <Table
        v={v}
        caption={v.t('account.tokens')}
        head={[v.t('account.tokens.col.name'), v.t('account.tokens.scopes'), v.t('account.tokens.col.created'), v.t('account.tokens.col.expires'), v.t('account.tokens.col.used'), v.t('account.tokens.col.status')]}
        rows={props.tokens.map((t) => [
          t.name,
          formatList(v.lang, t.scopes.map((s) => scopeLabel(v, s)), 'unit'),
          formatInstant(v.lang, t.created_at),
          t.expires_at ? formatInstant(v.lang, t.expires_at) : '—',
          t.last_used_at ? formatInstant(v.lang, t.last_used_at) : '—',
          t.revoked_at ? (
            v.t('account.tokens.revoked')
          ) : (
            <ActionButton v={v} action={`/account/tokens/${t.id}/revoke`} secondary>
              {v.t('account.tokens.revoke')} <span class="usa-sr-only">{t.name}</span>
            </ActionButton>
          ),
        ])}
      />
      <form method="post" action="/account/tokens" class="usa-form">
        <Csrf v={v} />
        <ErrorSummary v={v} errors={props.tokenErrors ?? []} />
        <TextInput name="name" label={v.t('account.tokens.name')} required value={one(props.tokenInput?.name)} errors={props.tokenErrors} />
        <Checkboxes name="scopes" label={v.t('account.tokens.scopes')} values={chosen} options={props.scopes.map((s) => ({ value: s, label: scopeLabel(v, s) }))} errors={props.tokenErrors} />
        <TextInput name="expires_in_days" label={v.t('account.tokens.expires')} inputmode="numeric" value={one(props.tokenInput?.expires_in_days)} errors={props.tokenErrors} />
        <SubmitButton>{v.t('account.tokens.create')}</SubmitButton>
      </form>
    </div>
  );
}

async function accountPage(req: FastifyRequest, reply: FastifyReply, extra: AccountExtra = {}, status = 200) {
  const actor = req.actor!;
  const user = (await getUser(req.ctx.db, actor.id))!;
  const [sessions, tokens] = await Promise.all([listSessions(req.ctx.db, actor.id), listTokens(req.ctx.db, actor.id)]);
  const v = req.view();
  return reply.page(v.t('account.title'), <AccountPage v={v} user={user} sessions={sessions} tokens={tokens} scopes={[...permissionsOf(actor.role)].sort()} {...extra} />, status);
}

async function mfaSetupPage(req: FastifyRequest, reply: FastifyReply, errors?: FieldError[], opts: { startErrors?: boolean } = {}) {
  // A GET writes nothing: without a pending key, the page offers the step that makes one (POST /account/mfa/start).
  const user = (await getUser(req.ctx.db, req.actor!.id))!;
  const pending = opts.startErrors ? undefined : await pendingMfaSecret(req.ctx, req.actor!.id);
  const shown = pending ? { secret: pending.secret, qrSvg: await QRCode.toString(pending.uri, { type: 'svg', margin: 1, width: 200 }) } : undefined;
  const v = req.view();
  return reply.page(
    v.t(user.mfa_enabled ? 'mfa.replace' : 'mfa.setup.title'),
    <MfaSetupPage v={v} pending={shown} required={Boolean(req.session.mfaSetupRequired)} mfaOn={user.mfa_enabled} errors={errors} />,
    errors ? 400 : 200,
  );
}

export async function accountPages(app: App): Promise<void> {
  const session = { onRequest: sessionOnly };

  app.get('/account', { ...session, config: { access: 'signed-in' }, schema: { ...hidden, querystring: DoneQuery } }, (req, reply) => accountPage(req, reply, { done: req.query.done }));

  app.post('/account/password', { ...session, config: { access: 'signed-in', rateLimit: { max: 20, timeWindow: '1 minute' } }, schema: { ...hidden, body: PasswordForm } }, async (req, reply) => {
    try {
      await changePassword(
        req.ctx,
        req.actor!.id,
        { current: one(req.body.password), password: one(req.body.new_password), confirm: one(req.body.confirm_password) },
        { keepSessionId: req.session.sessionId, lang: req.lang },
      );
    } catch (err) {
      const passwordErrors = proofErrors(req.view(), err, req.ctx.config.loginLockMinutes);
      if (passwordErrors) return accountPage(req, reply, { passwordErrors: localizeFieldErrors(req.lang, passwordErrors, PASSWORD_ES) }, 400);
      throw err;
    }
    return reply.redirect('/account?done=password', 303);
  });

  app.get('/account/mfa', { ...session, config: { access: 'signed-in' }, schema: hidden }, (req, reply) => mfaSetupPage(req, reply));

  app.post('/account/mfa/start', { ...session, config: { access: 'signed-in' }, schema: { ...hidden, body: ProofForm } }, async (req, reply) => {
    // Starting again replaces a pending key that was never confirmed; the key in force stays until a new one is.
    try {
      await beginMfaSetup(req.ctx, req.actor!.id, { password: one(req.body.password), code: one(req.body.code) });
    } catch (err) {
      const errors = proofErrors(req.view(), err, req.ctx.config.loginLockMinutes);
      if (errors) return mfaSetupPage(req, reply, errors, { startErrors: true });
      throw err;
    }
    return reply.redirect('/account/mfa', 303);
  });

  app.post('/account/mfa', { ...session, config: { access: 'signed-in' }, schema: { ...hidden, body: CodeForm } }, async (req, reply) => {
    try {
      await enableMfa(req.ctx, req.actor!.id, one(req.body.code));
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return mfaSetupPage(req, reply, errors);
      throw err;
    }
    req.session.mfaSetupRequired = false;
    return reply.redirect('/account');
  });

  app.post('/account/mfa/disable', { ...session, config: { access: 'signed-in' }, schema: { ...hidden, body: ProofForm } }, async (req, reply) => {
    try {
      await disableMfa(req.ctx, req.actor!.id, { password: one(req.body.password), code: one(req.body.code) });
    } catch (err) {
      const mfaErrors = proofErrors(req.view(), err, req.ctx.config.loginLockMinutes);
      if (mfaErrors) return accountPage(req, reply, { mfaErrors }, 400);
      throw err;
    }
    return reply.redirect('/account');
  });

  app.post('/account/sessions/revoke', { ...session, config: { access: 'signed-in' }, schema: { ...hidden, body: SignOutForm } }, async (req, reply) => {
    // The box is ticked by default; a browser sends nothing for a box that was cleared.
    await revokeSessions(req.ctx, req.actor!.id, { revokeTokens: one(req.body.revoke_tokens) === 'true' });
    return reply.redirect('/login');
  });

  app.post('/account/tokens', { ...session, config: { access: { permission: 'account.self' } }, schema: { ...hidden, body: TokenForm } }, async (req, reply) => {
    try {
      const { token } = await createToken(req.ctx, formBody(req.body), { coerce: true });
      return accountPage(req, reply, { newToken: token }, 201);
    } catch (err) {
      const tokenErrors = formErrors(err);
      if (tokenErrors) return accountPage(req, reply, { tokenErrors, tokenInput: rawValues(req.body) }, 400);
      throw err;
    }
  });

  app.post('/account/tokens/:id/revoke', { ...session, config: { access: { permission: 'account.self' } }, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    await revokeToken(req.ctx, req.params.id);
    return reply.redirect('/account#tokens');
  });
}
