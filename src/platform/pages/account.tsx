/**
 * My account: second factor, sessions and API tokens. Every route here answers a signed-in session only, never an
 * API token (`sessionOnly`): these are the keys to the account.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { ROLE_LABELS, beginMfaSetup, createToken, disableMfa, enableMfa, getUser, listSessions, listTokens, pendingMfaSecret, permissionsOf, revokeSessions, revokeToken, type SessionRow, type TokenRow, type UserRow } from '../auth/index.ts';
import { sessionOnly } from '../auth/session-only.ts';
import type { FieldError } from '../http/errors.ts';
import { formErrors, rawValues, type FormValues } from '../http/forms.ts';
import { IdParams, hidden } from '../http/schemas.ts';
import { formBody } from '../http/validation.ts';
import type { View } from '../web/view.ts';
import { ActionButton, Alert, Checkboxes, Csrf, ErrorSummary, SubmitButton, Table, TextInput } from '../web/components.tsx';
import type { App } from '../module.ts';
import { FormField, FormPost, one } from './forms.ts';

const CodeForm = FormPost({ code: FormField });
const TokenForm = FormPost({ name: FormField, scopes: FormField, expires_in_days: FormField });

/** Setting up the second factor: first a step that makes the key (no write on a GET), then the key and its code. */
function MfaSetupPage({ v, pending, required, errors }: { v: View; pending?: { secret: string; qrSvg: string }; required: boolean; errors?: FieldError[] }) {
  return (
    <div class="usa-prose">
      <h1>{v.t('mfa.setup.title')}</h1>
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
          <p>{v.t('mfa.start.intro')}</p>
          <form method="post" action="/account/mfa/start" class="usa-form">
            <Csrf v={v} />
            <SubmitButton>{v.t('mfa.start.button')}</SubmitButton>
          </form>
        </>
      )}
    </div>
  );
}

function AccountPage(props: { v: View; user: UserRow; sessions: SessionRow[]; tokens: TokenRow[]; scopes: string[]; newToken?: string; tokenErrors?: FieldError[]; tokenInput?: FormValues }) {
  const { v, user } = props;
  const chosen = [props.tokenInput?.scopes ?? []].flat();
  return (
    <div>
      <h1>{v.t('account.title')}</h1>
      <dl>
        <dt>{v.t('login.email')}</dt>
        <dd>{user.email}</dd>
        <dt>{v.t('account.role')}</dt>
        <dd>{ROLE_LABELS[user.role]}</dd>
        <dt>{v.t('account.org')}</dt>
        <dd>{user.organization_name}</dd>
      </dl>
      <h2>{v.t('mfa.title')}</h2>
      {user.mfa_enabled ? (
        <>
          <p>{v.t('mfa.on')}</p>
          {user.role !== 'admin' && (
            <ActionButton v={v} action="/account/mfa/disable" secondary>
              {v.t('mfa.disable')}
            </ActionButton>
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
        head={['Started', 'Expires', 'IP', 'Browser']}
        rows={props.sessions.map((s) => [s.created_at, s.expires_at, s.ip ?? '', s.user_agent ?? ''])}
      />
      <ActionButton v={v} action="/account/sessions/revoke" secondary>
        {v.t('account.signout.everywhere')}
      </ActionButton>
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
        head={['Name', 'Scopes', 'Created', 'Expires', 'Last used', 'Status']}
        rows={props.tokens.map((t) => [
          t.name,
          t.scopes.join(', '),
          t.created_at,
          t.expires_at ?? '—',
          t.last_used_at ?? '—',
          t.revoked_at ? (
            'revoked'
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
        <Checkboxes name="scopes" label={v.t('account.tokens.scopes')} values={chosen} options={props.scopes.map((s) => ({ value: s, label: s }))} errors={props.tokenErrors} />
        <TextInput name="expires_in_days" label={v.t('account.tokens.expires')} inputmode="numeric" value={one(props.tokenInput?.expires_in_days)} errors={props.tokenErrors} />
        <SubmitButton>{v.t('account.tokens.create')}</SubmitButton>
      </form>
    </div>
  );
}

async function accountPage(req: FastifyRequest, reply: FastifyReply, extra: { newToken?: string; tokenErrors?: FieldError[]; tokenInput?: FormValues } = {}, status = 200) {
  const actor = req.actor!;
  const user = (await getUser(req.ctx.db, actor.id))!;
  const [sessions, tokens] = await Promise.all([listSessions(req.ctx.db, actor.id), listTokens(req.ctx.db, actor.id)]);
  const v = req.view();
  return reply.page(v.t('account.title'), <AccountPage v={v} user={user} sessions={sessions} tokens={tokens} scopes={[...permissionsOf(actor.role)].sort()} {...extra} />, status);
}

async function mfaSetupPage(req: FastifyRequest, reply: FastifyReply, errors?: FieldError[]) {
  // A GET writes nothing: without a pending key, the page offers the step that makes one (POST /account/mfa/start).
  const pending = await pendingMfaSecret(req.ctx, req.actor!.id);
  const shown = pending ? { secret: pending.secret, qrSvg: await QRCode.toString(pending.uri, { type: 'svg', margin: 1, width: 200 }) } : undefined;
  const v = req.view();
  return reply.page(v.t('mfa.setup.title'), <MfaSetupPage v={v} pending={shown} required={Boolean(req.session.mfaSetupRequired)} errors={errors} />, errors ? 400 : 200);
}

export async function accountPages(app: App): Promise<void> {
  const session = { onRequest: sessionOnly };

  app.get('/account', { ...session, config: { access: 'signed-in' }, schema: hidden }, (req, reply) => accountPage(req, reply));

  app.get('/account/mfa', { ...session, config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    const user = await getUser(req.ctx.db, req.actor!.id);
    if (user?.mfa_enabled) return reply.redirect('/account');
    return mfaSetupPage(req, reply);
  });

  app.post('/account/mfa/start', { ...session, config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    const user = await getUser(req.ctx.db, req.actor!.id);
    if (user?.mfa_enabled) return reply.redirect('/account', 303);
    // Starting again replaces a pending key that was never confirmed.
    await beginMfaSetup(req.ctx, req.actor!.id);
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

  app.post('/account/mfa/disable', { ...session, config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    await disableMfa(req.ctx, req.actor!.id);
    return reply.redirect('/account');
  });

  app.post('/account/sessions/revoke', { ...session, config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    await revokeSessions(req.ctx, req.actor!.id);
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
