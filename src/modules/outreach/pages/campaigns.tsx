/**
 * Campaigns and what hangs on them: the outreach home, a campaign's page with its suppressed impact and accepted
 * reportbacks, sponsors' groups and terms, sign-ups, the reportback form with its photo, photos, moderation and
 * the committee's dashboard.
 */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { principalOf } from '../../../platform/policy.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { Alert, Breadcrumbs, Checkboxes, Csrf, ErrorSummary, FormPage, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { registerUploads, uploadOf } from '../../workplans/index.ts';
import * as commands from '../commands.ts';
import { mayActForGroup } from '../policies.ts';
import { PHOTO_MAX_BYTES } from '../photos.ts';
import { CAMPAIGN_STATUSES, FormPost, GRADE_BANDS, GROUP_KINDS, STATE_CODES, TERMS_VERSION, type Campaign, type Group, type Impact, type Reportback } from '../schema.ts';
import * as store from '../store.ts';
import { DemoTag, MANAGERS, MODERATORS, PUBLIC, SPONSORS, crumbs, localErrors, opts, str } from './shared.tsx';
import { stateName } from '../../../platform/geo/us.ts';

const photoUrl = (rb: Reportback) => (rb.photo_id ? `/outreach/photos/${rb.photo_id}` : null);

function CampaignList({ v, items }: { v: View; items: Campaign[] }) {
  if (!items.length) return <p>{v.t('or.none')}</p>;
  return (
    <ul class="usa-card-group">
      {items.map((c) => (
        <li class="usa-card tablet:grid-col-6">
          <div class="usa-card__container">
            <div class="usa-card__header">
              <h3 class="usa-card__heading">
                <a href={`/outreach/campaigns/${c.id}`}>{c.title}</a>
                <DemoTag v={v} demo={c.demo} />
              </h3>
            </div>
            <div class="usa-card__body">
              <p>{c.call_to_action}</p>
              <p class="usa-hint">
                {v.t('or.campaign.dates', { from: formatDate(v.lang, c.starts_on), to: formatDate(v.lang, c.ends_on) })} · {v.t(`or.status.${c.status}`)}
              </p>
            </div>
          </div>
        </li>
      ))}
    </ul>
  );
}

function Home({ v, campaigns }: { v: View; campaigns: Campaign[] }) {
  return (
    <div>
      <h1>{v.t('or.title')}</h1>
      <p class="usa-intro">{v.t('or.intro')}</p>
      <ul class="usa-button-group margin-bottom-2">
        <li class="usa-button-group__item">
          <a class="usa-button usa-button--outline" href="/outreach/toolkit">{v.t('or.toolkit')}</a>
        </li>
        <li class="usa-button-group__item">
          <a class="usa-button usa-button--outline" href="/outreach/materials">{v.t('or.materials')}</a>
        </li>
        <li class="usa-button-group__item">
          <a class="usa-button usa-button--outline" href="/outreach/events">{v.t('or.events')}</a>
        </li>
        {v.can('outreach.sponsor') && (
          <li class="usa-button-group__item">
            <a class="usa-button usa-button--outline" href="/outreach/sponsor">{v.t('or.sponsor.home')}</a>
          </li>
        )}
        {v.can('outreach.manage') && (
          <li class="usa-button-group__item">
            <a class="usa-button usa-button--outline" href="/outreach/dashboard">{v.t('or.dashboard')}</a>
          </li>
        )}
        {v.can('outreach.moderate') && (
          <li class="usa-button-group__item">
            <a class="usa-button usa-button--outline" href="/outreach/moderation">{v.t('or.moderation')}</a>
          </li>
        )}
      </ul>
      <h2>{v.t('or.campaigns')}</h2>
      {v.can('outreach.manage') && (
        <p>
          <a class="usa-button" href="/outreach/campaigns/new">{v.t('or.campaign.new')}</a>
        </p>
      )}
      <CampaignList v={v} items={campaigns} />
    </div>
  );
}

function ImpactTables({ v, impact }: { v: View; impact: Impact }) {
  const cell = (n: number | null) => (n === null ? <em>{v.t('or.impact.suppressed')}</em> : String(n));
  return (
    <section aria-labelledby="impact">
      <h2 id="impact">{v.t('or.impact')}</h2>
      <p class="text-bold" data-testid="impact-total">
        {v.t('or.impact.total', { n: impact.total === null ? v.t('or.impact.suppressed') : impact.total, unit: impact.unit })}
      </p>
      <p class="usa-hint">
        {v.t('or.impact.counted')} {v.t('or.impact.hidden', { n: impact.threshold })}
      </p>
      <Table v={v} caption={v.t('or.impact.by_state')} head={[v.t('or.state'), v.t('or.amount')]} rows={impact.by_state.map((s) => [stateName(s.state, v.lang), cell(s.total)])} wrap />
      <Table v={v} caption={v.t('or.impact.by_group')} head={[v.t('or.group'), v.t('or.state'), v.t('or.amount')]} rows={impact.by_group.map((g) => [g.name, stateName(g.state, v.lang), cell(g.total)])} wrap />
    </section>
  );
}

function ReportbackCards({ v, items }: { v: View; items: Reportback[] }) {
  if (!items.length) return <p>{v.t('or.none')}</p>;
  return (
    <ul class="usa-list usa-list--unstyled">
      {items.map((rb) => (
        <li class="border-top border-base-lighter padding-y-2">
          <p class="text-bold margin-0">
            {rb.group_name} ({stateName(rb.group_state, v.lang)}) · {rb.quantity}
          </p>
          <p>{rb.summary}</p>
          {rb.photo_id && <img src={photoUrl(rb)!} alt={rb.photo_alt ?? v.t('or.photo.alt')} class="maxw-full height-auto" width={320} />}
        </li>
      ))}
    </ul>
  );
}

function CampaignPage({ v, c, impact, accepted, myGroups, signedUp, errors }: { v: View; c: Campaign; impact: Impact; accepted: Reportback[]; myGroups: Group[]; signedUp: Set<string>; errors?: FieldError[] }) {
  const open = store.isOpen(c);
  const mine = myGroups.filter((g) => signedUp.has(g.id));
  const free = myGroups.filter((g) => !signedUp.has(g.id));
  return (
    <div>
      <Breadcrumbs items={[...crumbs(v), { label: c.title }]} />
      <h1>
        {c.title}
        <DemoTag v={v} demo={c.demo} />
      </h1>
      <p class="usa-intro">{c.call_to_action}</p>
      {c.description && <p>{c.description}</p>}
      <p>
        {v.t('or.campaign.dates', { from: formatDate(v.lang, c.starts_on), to: formatDate(v.lang, c.ends_on) })} · {v.t('or.campaign.goal', { goal: c.goal, unit: c.unit })} · {v.t(`or.status.${c.status}`)}
      </p>
      {v.can('outreach.manage') && (
        <div>
          {CAMPAIGN_STATUSES.filter((s) => s !== c.status).map((s) => (
            <form method="post" action={`/outreach/campaigns/${c.id}/status`} class="display-inline-block margin-right-1">
              <Csrf v={v} />
              <input type="hidden" name="status" value={s} />
              <button type="submit" class="usa-button usa-button--outline usa-button--small">
                {v.t('or.campaign.status')}: {v.t(`or.status.${s}`)}
              </button>
            </form>
          ))}
        </div>
      )}
      {v.can('outreach.sponsor') && open && (
        <section aria-labelledby="signup">
          <h2 id="signup">{v.t('or.signup')}</h2>
          {mine.length > 0 && <p>{v.t('or.signup.done', { names: mine.map((g) => g.name).join(', ') })}</p>}
          {mine.length > 0 && (
            <p>
              <a class="usa-button" href={`/outreach/campaigns/${c.id}/reportback`}>{v.t('or.reportback.new')}</a>
            </p>
          )}
          {free.length > 0 ? (
            <form method="post" action={`/outreach/campaigns/${c.id}/signup`} class="usa-form">
              <Csrf v={v} />
              <ErrorSummary v={v} errors={localErrors(v, errors) ?? []} />
              <Select name="group_id" label={v.t('or.field.group')} required blank={v.t('or.choose')} options={free.map((g) => ({ value: g.id, label: g.name }))} errors={localErrors(v, errors)} />
              <SubmitButton>{v.t('or.signup.button')}</SubmitButton>
            </form>
          ) : (
            !myGroups.length && (
              <p>
                <a href="/outreach/sponsor">{v.t('or.sponsor.home')}</a>
              </p>
            )
          )}
        </section>
      )}
      <ImpactTables v={v} impact={impact} />
      <h2>{v.t('or.reportbacks')}</h2>
      <ReportbackCards v={v} items={accepted} />
    </div>
  );
}

function SponsorPage({ v, accepted, groups }: { v: View; accepted: boolean; groups: Group[] }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbs(v), { label: v.t('or.sponsor.home') }]} />
      <h1>{v.t('or.sponsor.home')}</h1>
      <p class="usa-intro">{v.t('or.sponsor.intro')}</p>
      {accepted ? (
        <Alert type="success" slim>
          {v.t('or.terms.accepted')}
        </Alert>
      ) : (
        <Alert type="info" slim>
          {v.t('or.terms.needed')} <a href="/outreach/sponsor/terms">{v.t('or.terms')}</a>
        </Alert>
      )}
      <h2>{v.t('or.groups')}</h2>
      <Table v={v} caption={v.t('or.groups')} head={[v.t('or.field.group_name'), v.t('or.field.kind'), v.t('or.field.state'), v.t('or.field.grade_band')]} rows={groups.map((g) => [g.name, v.t(`or.kind.${g.kind}`), stateName(g.state, v.lang), v.t(`or.grade.${g.grade_band}`)])} wrap />
      {accepted && (
        <p>
          <a class="usa-button" href="/outreach/groups/new">{v.t('or.group.new')}</a>
        </p>
      )}
    </div>
  );
}

function TermsForm({ v, errors }: { v: View; errors?: FieldError[] }) {
  return (
    <FormPage v={v} save={v.t('or.save')} title={v.t('or.terms')} action="/outreach/sponsor/terms" errors={localErrors(v, errors)} cancel="/outreach/sponsor" crumbs={crumbs(v, [{ href: '/outreach/sponsor', label: v.t('or.sponsor.home') }])}>
      <ol>
        <li>{v.t('or.terms.body1')}</li>
        <li>{v.t('or.terms.body2')}</li>
        <li>{v.t('or.terms.body3')}</li>
        <li>{v.t('or.terms.body4')}</li>
      </ol>
      <Checkboxes name="accept" label={v.t('or.terms')} values={[]} options={[{ value: 'true', label: v.t('or.terms.accept') }]} errors={localErrors(v, errors)} />
      <Checkboxes name="adult" label={v.t('or.sponsor')} values={[]} options={[{ value: 'true', label: v.t('or.terms.adult') }]} errors={localErrors(v, errors)} />
    </FormPage>
  );
}

function GroupForm({ v, values, errors }: { v: View; values: FormValues; errors?: FieldError[] }) {
  const e = localErrors(v, errors);
  return (
    <FormPage v={v} save={v.t('or.save')} title={v.t('or.group.new')} action="/outreach/groups/new" errors={localErrors(v, errors)} cancel="/outreach/sponsor" crumbs={crumbs(v, [{ href: '/outreach/sponsor', label: v.t('or.sponsor.home') }])}>
      <TextInput name="name" label={v.t('or.field.group_name')} hint={v.t('or.group.none_personal')} required autocomplete="off" maxLength={120} value={str(values.name)} errors={e} />
      <Select name="kind" label={v.t('or.field.kind')} required blank={v.t('or.choose')} value={str(values.kind)} options={opts(v, 'kind', GROUP_KINDS)} errors={e} />
      <Select name="state" label={v.t('or.field.state')} required blank={v.t('or.choose')} value={str(values.state)} options={STATE_CODES.map((s) => ({ value: s, label: stateName(s, v.lang) })).sort((a, b) => a.label.localeCompare(b.label, v.lang))} errors={e} />
      <Select name="grade_band" label={v.t('or.field.grade_band')} required blank={v.t('or.choose')} value={str(values.grade_band)} options={opts(v, 'grade', GRADE_BANDS)} errors={e} />
    </FormPage>
  );
}

function CampaignForm({ v, values, errors }: { v: View; values: FormValues; errors?: FieldError[] }) {
  const e = localErrors(v, errors);
  return (
    <FormPage v={v} save={v.t('or.save')} title={v.t('or.campaign.new')} action="/outreach/campaigns/new" errors={localErrors(v, errors)} cancel="/outreach" crumbs={crumbs(v)}>
      <TextInput name="title" label={v.t('or.field.title')} required value={str(values.title)} errors={e} />
      <TextArea name="call_to_action" label={v.t('or.field.cta')} required value={str(values.call_to_action)} errors={e} rows={2} />
      <TextArea name="description" label={v.t('or.field.description')} value={str(values.description)} errors={e} />
      <TextInput name="starts_on" label={v.t('or.field.starts_on')} required value={str(values.starts_on)} errors={e} />
      <TextInput name="ends_on" label={v.t('or.field.ends_on')} required value={str(values.ends_on)} errors={e} />
      <TextInput name="goal" label={v.t('or.field.goal')} required inputmode="numeric" value={str(values.goal)} errors={e} />
      <TextInput name="unit" label={v.t('or.field.unit')} required value={str(values.unit)} errors={e} />
      <Select name="status" label={v.t('or.field.status')} value={str(values.status) ?? 'draft'} options={opts(v, 'status', CAMPAIGN_STATUSES)} errors={e} />
    </FormPage>
  );
}

/** The reportback form posts multipart/form-data for its photo. */
function ReportbackForm({ v, c, groups, values, errors }: { v: View; c: Campaign; groups: Group[]; values: FormValues; errors?: FieldError[] }) {
  const e = localErrors(v, errors);
  const title = v.t('or.reportback.new');
  return (
    <FormPage v={v} save={v.t('or.save')} title={title} action={`/outreach/campaigns/${c.id}/reportback`} enctype="multipart/form-data" errors={e} cancel={`/outreach/campaigns/${c.id}`} crumbs={crumbs(v, [{ href: `/outreach/campaigns/${c.id}`, label: c.title }])}>
      <Select name="group_id" label={v.t('or.field.group')} required blank={groups.length === 1 ? undefined : v.t('or.choose')} value={str(values.group_id)} options={groups.map((g) => ({ value: g.id, label: g.name }))} errors={e} />
      <TextArea name="summary" label={v.t('or.field.summary')} hint={v.t('or.field.summary.hint')} required value={str(values.summary)} errors={e} />
      <TextInput name="quantity" label={`${v.t('or.field.quantity')}: ${c.unit}`} required inputmode="numeric" value={str(values.quantity)} errors={e} />
      <div class={`usa-form-group${e?.some((x) => x.field === 'photo') ? ' usa-form-group--error' : ''}`}>
        <label class="usa-label" for="field-photo">
          {v.t('or.field.photo')}
        </label>
        <div class="usa-hint" id="field-photo-hint">
          {v.t('or.field.photo.hint')}
        </div>
        {e?.find((x) => x.field === 'photo') && (
          <span class="usa-error-message" id="field-photo-error" role="alert">
            {e.find((x) => x.field === 'photo')!.message}
          </span>
        )}
        <input class="usa-file-input" id="field-photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp,image/heic,image/avif" aria-describedby={`field-photo-hint${e?.some((x) => x.field === 'photo') ? ' field-photo-error' : ''}`} />
      </div>
      <TextInput name="photo_alt" label={v.t('or.field.photo_alt')} value={str(values.photo_alt)} errors={e} />
      <Checkboxes name="photo_shows_no_people" label={v.t('or.field.photo')} values={values.photo_shows_no_people ? ['true'] : []} options={[{ value: 'true', label: v.t('or.field.no_people') }]} errors={e} />
    </FormPage>
  );
}

function ModerationPage({ v, items, campaigns }: { v: View; items: Reportback[]; campaigns: Map<string, string> }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbs(v), { label: v.t('or.moderation') }]} />
      <h1>{v.t('or.moderation')}</h1>
      <p>{v.t('or.moderation.intro')}</p>
      {!items.length && <p>{v.t('or.none')}</p>}
      {items.map((rb) => (
        <section class="border-top border-base-lighter padding-y-2" aria-label={`${rb.group_name}: ${campaigns.get(rb.campaign_id) ?? ''}`}>
          <h2 class="font-heading-md">
            {campaigns.get(rb.campaign_id)} · {rb.group_name} ({stateName(rb.group_state, v.lang)})
          </h2>
          <p>
            {rb.quantity} · {rb.summary}
          </p>
          {rb.photo_id && <img src={photoUrl(rb)!} alt={rb.photo_alt ?? v.t('or.photo.alt')} width={320} class="maxw-full height-auto" />}
          <form method="post" action={`/outreach/reportbacks/${rb.id}/review`} class="usa-form">
            <Csrf v={v} />
            <TextInput name="note" label={v.t('or.field.note')} />
            <SubmitButton name="decision" value="accepted">
              {v.t('or.accept')}
            </SubmitButton>{' '}
            <SubmitButton name="decision" value="rejected" secondary>
              {v.t('or.reject')}
            </SubmitButton>
          </form>
        </section>
      ))}
    </div>
  );
}

async function sponsorGroups(req: { ctx: import('../../../platform/context.ts').Ctx }): Promise<Group[]> {
  const actor = req.ctx.actor;
  return actor && actor.permissions.has('outreach.sponsor') ? store.groupsOfSponsor(req.ctx.db, actor.id) : [];
}

async function campaignOr404(ctx: import('../../../platform/context.ts').Ctx, id: string, drafts: boolean): Promise<Campaign> {
  const c = await store.getCampaign(ctx.db, id);
  if (!c || (c.status === 'draft' && !drafts)) throw notFound('No such campaign.');
  return c;
}

const PhotoParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export async function campaignPages(app: App): Promise<void> {
  await registerUploads(app, PHOTO_MAX_BYTES);

  app.get('/outreach', { config: PUBLIC, schema: hidden }, async (req, reply) => {
    const v = req.view();
    const campaigns = await store.listCampaigns(req.ctx.db, { includeDrafts: v.can('outreach.manage') });
    return reply.page(v.t('or.title'), <Home v={v} campaigns={campaigns} />);
  });

  const showCampaign = async (req: { ctx: import('../../../platform/context.ts').Ctx; view(): View }, reply: FastifyReply, id: string, errors?: FieldError[]) => {
    const v = req.view();
    const c = await campaignOr404(req.ctx, id, v.can('outreach.manage'));
    const impact = await store.campaignImpact(req.ctx.db, c, req.ctx.config.suppressionThreshold);
    const accepted = await store.listReportbacks(req.ctx.db, { campaignId: c.id, status: 'accepted' }, 100);
    const groups = await sponsorGroups(req);
    const signedUp = new Set(await store.signedUpGroups(req.ctx.db, c.id));
    return reply.page(c.title, <CampaignPage v={v} c={c} impact={impact} accepted={accepted} myGroups={groups} signedUp={signedUp} errors={errors} />, errors ? 400 : 200);
  };
  app.get('/outreach/campaigns/:id', { config: PUBLIC, schema: { ...hidden, params: IdParams } }, async (req, reply) => showCampaign(req, reply, req.params.id));

  const campaignForm = (reply: FastifyReply, v: View, values: FormValues, errors?: FieldError[]) => reply.page(v.t('or.campaign.new'), <CampaignForm v={v} values={values} errors={errors} />, errors ? 400 : 200);
  app.get('/outreach/campaigns/new', { config: MANAGERS, schema: hidden }, async (req, reply) => campaignForm(reply, req.view(), {}));
  app.post('/outreach/campaigns/new', { config: MANAGERS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => `/outreach/campaigns/${(await commands.createCampaign(req.ctx, formBody(req.body), { coerce: true })).id}`,
      (errors) => campaignForm(reply, req.view(), rawValues(req.body), errors),
    ),
  );
  app.post('/outreach/campaigns/:id/status', { config: MANAGERS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => `/outreach/campaigns/${(await commands.setCampaignStatus(req.ctx, req.params.id, formBody(req.body), { coerce: true })).id}`,
      (errors) => showCampaign(req, reply, req.params.id, errors),
    ),
  );

  app.post('/outreach/campaigns/:id/signup', { config: SPONSORS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.signUp(req.ctx, req.params.id, formBody(req.body), { coerce: true });
        return `/outreach/campaigns/${req.params.id}`;
      },
      (errors) => showCampaign(req, reply, req.params.id, errors),
    ),
  );

  const reportbackForm = async (req: { ctx: import('../../../platform/context.ts').Ctx; view(): View }, reply: FastifyReply, id: string, values: FormValues, errors?: FieldError[]) => {
    const c = await campaignOr404(req.ctx, id, false);
    const signed = new Set(await store.signedUpGroups(req.ctx.db, c.id));
    const groups = (await sponsorGroups(req)).filter((g) => signed.has(g.id));
    const v = req.view();
    return reply.page(v.t('or.reportback.new'), <ReportbackForm v={v} c={c} groups={groups} values={values} errors={errors} />, errors ? 400 : 200);
  };
  app.get('/outreach/campaigns/:id/reportback', { config: SPONSORS, schema: { ...hidden, params: IdParams } }, async (req, reply) => reportbackForm(req, reply, req.params.id, {}));
  app.post('/outreach/campaigns/:id/reportback', { config: SPONSORS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const upload = uploadOf(req);
    if (upload.error) return reportbackForm(req, reply, req.params.id, rawValues(req.body), [{ field: 'photo', message: upload.error.message }]);
    const photo = upload.files.find((f) => f.field === 'photo')?.data;
    return submitForm(
      reply,
      async () => {
        await commands.submitReportback(req.ctx, req.params.id, formBody(req.body), photo, { coerce: true });
        return `/outreach/campaigns/${req.params.id}`;
      },
      (errors) => reportbackForm(req, reply, req.params.id, rawValues(req.body), errors),
    );
  });

  // A photo is public once its reportback is accepted; before, only its group's sponsor and moderators see it.
  app.get('/outreach/photos/:id', { config: PUBLIC, schema: { ...hidden, params: PhotoParams } }, async (req, reply) => {
    const p = await store.getPhoto(req.ctx.db, req.params.id);
    const principal = principalOf(req.ctx);
    if (!p || !(p.status === 'accepted' || req.view().can('outreach.moderate') || mayActForGroup(principal, p))) throw notFound();
    const data = Buffer.from(p.data, 'base64');
    return reply
      .type(p.mime)
      .header('cache-control', p.status === 'accepted' ? 'public, max-age=3600' : 'private, no-store')
      .header('x-content-type-options', 'nosniff')
      .send(data);
  });

  app.get('/outreach/sponsor', { config: SPONSORS, schema: hidden }, async (req, reply) => {
    const v = req.view();
    const accepted = (await store.acceptedTermsVersion(req.ctx.db, req.ctx.actor!.id)) === TERMS_VERSION;
    return reply.page(v.t('or.sponsor.home'), <SponsorPage v={v} accepted={accepted} groups={await sponsorGroups(req)} />);
  });
  const termsForm = (reply: FastifyReply, v: View, errors?: FieldError[]) => reply.page(v.t('or.terms'), <TermsForm v={v} errors={errors} />, errors ? 400 : 200);
  app.get('/outreach/sponsor/terms', { config: SPONSORS, schema: hidden }, async (req, reply) => termsForm(reply, req.view()));
  app.post('/outreach/sponsor/terms', { config: SPONSORS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.acceptTerms(req.ctx, formBody(req.body), { coerce: true });
        return '/outreach/sponsor';
      },
      (errors) => termsForm(reply, req.view(), errors),
    ),
  );

  const groupForm = (reply: FastifyReply, v: View, values: FormValues, errors?: FieldError[]) => reply.page(v.t('or.group.new'), <GroupForm v={v} values={values} errors={errors} />, errors ? 400 : 200);
  app.get('/outreach/groups/new', { config: SPONSORS, schema: hidden }, async (req, reply) => groupForm(reply, req.view(), {}));
  app.post('/outreach/groups/new', { config: SPONSORS, schema: { ...hidden, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.createGroup(req.ctx, formBody(req.body), { coerce: true });
        return '/outreach/sponsor';
      },
      (errors) => groupForm(reply, req.view(), rawValues(req.body), errors),
    ),
  );

  const moderation = async (req: { ctx: import('../../../platform/context.ts').Ctx; view(): View }, reply: FastifyReply, errors?: FieldError[]) => {
    const v = req.view();
    const items = await store.listReportbacks(req.ctx.db, { status: 'pending' }, 100);
    const campaigns = new Map((await store.listCampaigns(req.ctx.db, { includeDrafts: true })).map((c) => [c.id, c.title]));
    return reply.page(v.t('or.moderation'), <ModerationPage v={v} items={items} campaigns={campaigns} />, errors ? 400 : 200);
  };
  app.get('/outreach/moderation', { config: MODERATORS, schema: hidden }, async (req, reply) => moderation(req, reply));
  app.post('/outreach/reportbacks/:id/review', { config: MODERATORS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) =>
    submitForm(
      reply,
      async () => {
        await commands.reviewReportback(req.ctx, req.params.id, formBody(req.body), { coerce: true });
        return '/outreach/moderation';
      },
      async (errors) => {
        const v = req.view();
        return reply.page(v.t('or.moderation'), <div><Breadcrumbs items={[...crumbs(v), { href: '/outreach/moderation', label: v.t('or.moderation') }, { label: v.t('or.review') }]} /><h1>{v.t('or.review')}</h1><ErrorSummary v={v} errors={localErrors(v, errors) ?? []} /><p><a href="/outreach/moderation">{v.t('or.back')}</a></p></div>, 400);
      },
    ),
  );
}
