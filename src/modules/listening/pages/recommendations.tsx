/** Recommendations of a series: the list, one recommendation with its evidence and timeline, and their changes. */
import { formatDate } from '../../../platform/web/i18n.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import type { FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { hidden, IdParams } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { Breadcrumbs, Checkboxes, Csrf, ErrorSummary, IdempotencyKey, Select, SubmitButton, Table, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { addTimelineEntry, createRecommendation, updateRecommendation } from '../commands.ts';
import { MANAGE } from '../policies.ts';
import { FormPost, REC_STATUSES, REC_TYPES } from '../schema.ts';
import { getSeries, listCodes, listExcerpts, listRecommendations, listTimeline, loadOwners, recommendationOr404, rollup, seriesOr404, themeOf, type Code, type Recommendation, type Series } from '../store.ts';
import { citedExcerpts } from '../presenters.ts';
import { list, localErrors, opt, ownerGroups, SeriesCrumbs, val, withOwnerType, type Input_ } from './shared.tsx';
import { GroupedSelect, type PickerGroup } from '../../../platform/web/pickers.tsx';
import { getWorkplanItem, listWorkplanItems } from '../../workplans/index.ts';
import { isUuid, type Db } from '../../../platform/db/index.ts';

/** The work plan's actions for the picker, grouped under their goals, in plan order. */
async function actionGroups(db: Db): Promise<PickerGroup[]> {
  const items = [...(await listWorkplanItems(db))].sort((a, b) => a.sort_key.localeCompare(b.sort_key));
  const byId = new Map(items.map((i) => [i.id, i]));
  const goalOf = (id: string | null): string | null => {
    let cur = id ? byId.get(id) : undefined;
    while (cur?.parent_id && byId.has(cur.parent_id)) cur = byId.get(cur.parent_id);
    return cur?.id ?? null;
  };
  const groups = new Map<string, PickerGroup>();
  for (const i of items) if (i.kind === 'goal') groups.set(i.id, { label: `${i.number} ${i.title}`, options: [] });
  for (const i of items) {
    if (i.kind === 'action') groups.get(goalOf(i.parent_id) ?? '')?.options.push({ value: i.id, label: `${i.number} ${i.title}` });
  }
  return [...groups.values()];
}

/**
 * A timeline note in the reader's language: the notes the module writes itself (a status change, with the decline
 * reason, and the first entry) are stored in English with status codes; the lead's own words stay as written.
 */
function timelineNote(v: View, note: string): string {
  if (note === 'Recommendation proposed.') return v.t('ls.timeline.proposed');
  const m = /^Status changed from ([a-z_]+) to ([a-z_]+)\.( Reason: )?/.exec(note);
  if (!m) return note;
  const changed = v.t('ls.timeline.changed', { from: v.t(`ls.rstatus.${m[1]}`), to: v.t(`ls.rstatus.${m[2]}`) });
  return `${changed}${m[3] ? ` ${v.t('ls.timeline.reason')} ` : ''}${note.slice(m[0].length)}`;
}

/** The recommendation forms' fields by their labels, for the error summary. */
function recLabels(v: View): Record<string, string> {
  return {
    title: v.t('ls.field.title'),
    description: v.t('ls.field.description'),
    type: v.t('ls.field.type'),
    finding_code_id: v.t('ls.field.finding'),
    owner_id: v.t('ls.owner'),
    weight: v.t('ls.field.weight'),
    workplan_action_id: v.t('ls.field.workplan_action'),
    status: v.t('ls.status'),
    progress: v.t('ls.progress'),
    decline_reason: v.t('ls.field.decline_reason'),
    note: v.t('ls.field.note'),
    timeline_note: v.t('ls.field.note'),
    timeline_date: v.t('ls.field.date'),
  };
}
import { idempotent } from '../../../platform/http/idempotency.ts';


function RecsPage({ v, series, recs, themes, owners, actions, errors, input }: { v: View; series: Series; recs: Recommendation[]; themes: Code[]; owners: { id: string; type: string; name: string }[]; actions: PickerGroup[]; errors?: FieldError[]; input?: Input_ }) {
  const r = rollup(recs);
  const ownerName = new Map(owners.map((o) => [o.id, o.name]));
  return (
    <div>
      <SeriesCrumbs v={v} series={series} here={v.t('ls.recs.title')} />
      <h1>{v.t('ls.recs.title')}</h1>
      <p>{v.t('ls.rollup', { progress: r.progress === null ? '—' : `${r.progress}%`, n: recs.length })}</p>
      <Table
        v={v}
        caption={v.t('ls.recs.title')}
        head={[v.t('ls.rec'), v.t('ls.field.type'), v.t('ls.owner'), v.t('ls.status'), v.t('ls.progress')]}
        rows={recs.map((x) => [<a href={`/listening/recommendations/${x.id}`}>{x.title}</a>, v.t(`ls.rtype.${x.type}`), ownerName.get(x.owner_id ?? '') ?? '—', v.t(`ls.rstatus.${x.status}`), `${x.status === 'done' ? 100 : x.progress}%`])}
      />
      {v.can(MANAGE) && (
        <form method="post" action={`/listening/series/${series.id}/recommendations`} class="usa-form usa-form--large">
          <h2>{v.t('ls.rec.new')}</h2>
          <ErrorSummary v={v} errors={errors ?? []} labels={recLabels(v)} />
          <Csrf v={v} />
          <IdempotencyKey />
          <TextInput name="title" label={v.t('ls.field.title')} required value={val(input, 'title')} errors={errors} />
          <TextArea name="description" label={v.t('ls.field.description')} value={val(input, 'description')} errors={errors} rows={3} />
          <Select name="type" label={v.t('ls.field.type')} required value={val(input, 'type')} options={opt(v, 'ls.rtype', REC_TYPES)} errors={errors} />
          <Select name="finding_code_id" label={v.t('ls.field.finding')} blank={v.t('ls.none')} value={val(input, 'finding_code_id')} options={themes.map((t) => ({ value: t.id, label: t.name }))} errors={errors} />
          <GroupedSelect name="owner_id" label={v.t('ls.owner')} blank={v.t('ls.none')} value={val(input, 'owner_id')} groups={ownerGroups(v, owners, ['agency', 'committee', 'partnership'])} errors={errors} />
          <TextInput name="weight" label={v.t('ls.field.weight')} type="number" value={val(input, 'weight') ?? '1'} errors={errors} />
          <GroupedSelect name="workplan_action_id" label={v.t('ls.field.workplan_action')} hint={v.t('ls.field.workplan_action.hint')} blank={v.t('ls.none')} value={val(input, 'workplan_action_id')} groups={actions} errors={errors} />
          <SubmitButton>{v.t('ls.rec.create')}</SubmitButton>
        </form>
      )}
    </div>
  );
}

function RecPage({ v, series, rec, ownerName, findingName, action, actions, timeline, cited, candidates, errors, input }: { v: View; series: Series; rec: Recommendation; ownerName: string | null; findingName: string | null; action: { id: string; number: string; title: string; status: string } | null; actions: PickerGroup[]; timeline: Awaited<ReturnType<typeof listTimeline>>; cited: { id: string; text: string; quotable: boolean }[]; candidates: { id: string; text: string }[]; errors?: FieldError[]; input?: Input_ }) {
  return (
    <div>
      <Breadcrumbs items={[{ href: '/listening', label: v.t('ls.title') }, { href: `/listening/series/${series.id}`, label: series.title }, { href: `/listening/series/${series.id}/recommendations`, label: v.t('ls.recs.title') }, { label: rec.title }]} />
      <h1>{rec.title}</h1>
      {rec.description && <p class="usa-intro">{rec.description}</p>}
      <dl>
        <dt class="text-bold">{v.t('ls.field.type')}</dt>
        <dd>{v.t(`ls.rtype.${rec.type}`)}</dd>
        <dt class="text-bold">{v.t('ls.status')}</dt>
        <dd>
          {v.t(`ls.rstatus.${rec.status}`)}
          {rec.decline_reason ? ` — ${rec.decline_reason}` : ''}
        </dd>
        <dt class="text-bold">{v.t('ls.progress')}</dt>
        <dd>{rec.status === 'done' ? 100 : rec.progress}%</dd>
        <dt class="text-bold">{v.t('ls.owner')}</dt>
        <dd>{ownerName ?? '—'}</dd>
        <dt class="text-bold">{v.t('ls.field.finding')}</dt>
        <dd>{findingName ?? '—'}</dd>
        {rec.workplan_action_id && (
          <>
            <dt class="text-bold">{v.t('ls.field.workplan_action')}</dt>
            <dd>
              {action ? (
                <>
                  <a href={`/workplans/items/${action.id}`}>
                    {action.number} {action.title}
                  </a>{' '}
                  ({v.t(`wp.status.${action.status}`)})
                </>
              ) : (
                v.t('ls.field.workplan_action.unknown')
              )}
            </dd>
          </>
        )}
      </dl>
      <h2>{v.t('ls.rec.evidence')}</h2>
      {cited.length ? (
        <ul class="usa-list">
          {cited.map((e) => (
            <li>{e.text ? `“${e.text}”` : v.t('ls.notquotable')}</li>
          ))}
        </ul>
      ) : (
        <p>{v.t('table.none')}</p>
      )}
      <h2>{v.t('ls.timeline')}</h2>
      <Table v={v} caption={v.t('ls.timeline')} head={[v.t('ls.field.date'), v.t('ls.field.note'), v.t('ls.by')]} rows={timeline.map((t) => [formatDate(v.lang, t.entry_date), timelineNote(v, t.note), t.author_label])} />
      {v.can(MANAGE) && (
        <>
          <form method="post" action={`/listening/recommendations/${rec.id}`} class="usa-form usa-form--large">
            <h2>{v.t('ls.rec.update')}</h2>
            <ErrorSummary v={v} errors={errors ?? []} labels={recLabels(v)} />
            <Csrf v={v} />
            <input type="hidden" name="version" value={String(rec.version)} />
            <Select name="status" label={v.t('ls.status')} value={val(input, 'status') ?? rec.status} options={opt(v, 'ls.rstatus', REC_STATUSES)} errors={errors} />
            <TextInput name="progress" label={v.t('ls.progress')} type="number" value={val(input, 'progress') ?? String(rec.progress)} errors={errors} />
            <TextArea name="decline_reason" label={v.t('ls.field.decline_reason')} hint={v.t('ls.field.decline_reason.hint')} value={val(input, 'decline_reason') ?? rec.decline_reason} errors={errors} rows={2} />
            <TextArea name="note" label={v.t('ls.field.note')} value={val(input, 'note')} errors={errors} rows={2} />
            <GroupedSelect
              name="workplan_action_id"
              label={v.t('ls.field.workplan_action')}
              hint={v.t('ls.field.workplan_action.hint')}
              blank={v.t('ls.none')}
              value={input ? val(input, 'workplan_action_id') : rec.workplan_action_id}
              groups={actions}
              // Kept only for the link already stored (an action since removed), not for a refused value.
              unknownLabel={!input || val(input, 'workplan_action_id') === rec.workplan_action_id ? v.t('ls.field.workplan_action.unknown') : undefined}
              errors={errors}
            />
            <SubmitButton>{v.t('form.save')}</SubmitButton>
          </form>
          {candidates.length > 0 && (
            <form method="post" action={`/listening/recommendations/${rec.id}/excerpts`} class="usa-form usa-form--large">
              <h2>{v.t('ls.rec.cite')}</h2>
              <Csrf v={v} />
              <input type="hidden" name="version" value={String(rec.version)} />
              <Checkboxes name="excerpt_ids" label={v.t('ls.rec.cite.label')} values={rec.excerpt_ids} options={candidates.map((c) => ({ value: c.id, label: c.text.length > 160 ? c.text.slice(0, 157) + '…' : c.text }))} />
              <SubmitButton>{v.t('form.save')}</SubmitButton>
            </form>
          )}
          <form method="post" action={`/listening/recommendations/${rec.id}/timeline`} class="usa-form usa-form--large">
            <h2>{v.t('ls.timeline.add')}</h2>
            <Csrf v={v} />
            <TextInput name="timeline_date" label={v.t('ls.field.date')} type="date" />
            <TextArea name="timeline_note" label={v.t('ls.field.note')} required rows={2} />
            <SubmitButton>{v.t('ls.timeline.add')}</SubmitButton>
          </form>
        </>
      )}
    </div>
  );
}

export async function recommendationPages(app: App): Promise<void> {
  const recsPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input_ } = {}, status = 200) => {
    const series = await seriesOr404(req.ctx.db, id);
    const v = req.view();
    const [{ items }, codes, owners, actions] = await Promise.all([listRecommendations(req.ctx.db, { seriesId: series.id }), listCodes(req.ctx.db, series.id), loadOwners(req.ctx.db), v.can(MANAGE) ? actionGroups(req.ctx.db) : []]);
    return reply.page(v.t('ls.recs.title'), <RecsPage v={v} series={series} recs={items} themes={codes.filter((c) => !c.parent_id)} owners={owners.all} actions={actions} {...extra} errors={localErrors(v, extra.errors)} />, status);
  };
  app.get('/listening/series/:id/recommendations', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, (req, reply) => recsPage(req, reply, req.params.id));
  app.post('/listening/series/:id/recommendations', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      const { location } = await idempotent(req, async () => `/listening/recommendations/${(await createRecommendation(req.ctx, id, await withOwnerType(req, input), { coerce: true })).id}`);
      return reply.redirect(location);
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return recsPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
  });

  const recPage = async (req: FastifyRequest, reply: FastifyReply, id: string, extra: { errors?: FieldError[]; input?: Input_ } = {}, status = 200) => {
    const rec = await recommendationOr404(req.ctx.db, id);
    const series = (await getSeries(req.ctx.db, rec.series_id))!;
    const v = req.view();
    const [owners, codes, timeline, cited, item, actions] = await Promise.all([
      loadOwners(req.ctx.db),
      listCodes(req.ctx.db, series.id),
      listTimeline(req.ctx.db, rec.id),
      citedExcerpts(req.ctx, rec),
      rec.workplan_action_id && isUuid(rec.workplan_action_id) ? getWorkplanItem(req.ctx.db, rec.workplan_action_id) : undefined,
      v.can(MANAGE) ? actionGroups(req.ctx.db) : [],
    ]);
    let candidates: { id: string; text: string }[] = [];
    if (v.can(MANAGE) && rec.finding_code_id) {
      const theme = themeOf(codes);
      const { items } = await listExcerpts(req.ctx.db, { seriesId: series.id });
      candidates = items.filter((e) => e.code_ids.some((c) => theme.get(c) === rec.finding_code_id)).slice(0, 100);
    }
    return reply.page(
      rec.title,
      <RecPage v={v} series={series} rec={rec} ownerName={owners.get(rec.owner_id)?.name ?? null} findingName={codes.find((c) => c.id === rec.finding_code_id)?.name ?? null} action={item ?? null} actions={actions} timeline={timeline} cited={cited} candidates={candidates} {...extra} errors={localErrors(v, extra.errors)} />,
      status,
    );
  };
  app.get('/listening/recommendations/:id', { config: { access: 'public' }, schema: { ...hidden, params: IdParams } }, (req, reply) => recPage(req, reply, req.params.id));
  app.post('/listening/recommendations/:id', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      // The action picker is always on the form: nothing chosen unlinks the action.
      await updateRecommendation(req.ctx, id, { ...input, workplan_action_id: input.workplan_action_id ?? '' }, { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return recPage(req, reply, id, { errors, input }, 400);
      throw err;
    }
    return reply.redirect(`/listening/recommendations/${id}`);
  });
  app.post('/listening/recommendations/:id/excerpts', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    const input = formBody(req.body);
    try {
      await updateRecommendation(req.ctx, id, { version: input.version, excerpt_ids: list(input.excerpt_ids) }, { coerce: true });
    } catch (err) {
      const errors = formErrors(err);
      if (errors) return recPage(req, reply, id, { errors }, 400);
      throw err;
    }
    return reply.redirect(`/listening/recommendations/${id}`);
  });
  app.post('/listening/recommendations/:id/timeline', { config: { access: { permission: MANAGE } }, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const id = req.params.id;
    try {
      const input = formBody(req.body);
      await addTimelineEntry(req.ctx, id, { entry_date: input.timeline_date, note: input.timeline_note }, { coerce: true });
    } catch (err) {
      const errors = formErrors(err)?.map((e) => ({ ...e, field: e.field === 'note' ? 'timeline_note' : e.field === 'entry_date' ? 'timeline_date' : e.field }));
      if (errors) return recPage(req, reply, id, { errors }, 400);
      throw err;
    }
    return reply.redirect(`/listening/recommendations/${id}`);
  });
}
