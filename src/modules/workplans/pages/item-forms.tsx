/**
 * Web forms to create and edit goals, objectives and actions. They call the same commands as the JSON API
 * (createItem, updateItem); bad input re-renders the form with the problems next to their fields and the input kept.
 */
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { badRequest, HttpError, notFound, type FieldError } from '../../../platform/http/errors.ts';
import { formErrors } from '../../../platform/http/forms.ts';
import { hidden, IdParams, Uuid } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import { Breadcrumbs, Checkboxes, Csrf, ErrorSummary, IdempotencyKey, Select, SubmitButton, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { createItem, updateItem } from '../commands.ts';
import type { Directory } from '../directory.ts';
import { loadDirectory } from '../directory.ts';
import { PERM } from '../policies.ts';
import { STATUSES } from '../schema.ts';
import { getItem, kindOfNumber, listItems, type Item } from '../store.ts';
import { FormPost, type PageReq } from './shared.tsx';
import { idempotent } from '../../../platform/http/idempotency.ts';

/** Blank rows offered below the existing ones. */
const BLANK_MILESTONES = 3;
const BLANK_KEY_RESULTS = 2;
/** Form rows read at most (the schema allows 100 milestones and 50 key results). */
const MAX_ROWS = 100;

type Values = Record<string, unknown>;
const newQuery = Type.Object({ parent: Type.Optional(Uuid) }, { additionalProperties: false });
const EDIT = { access: { permission: PERM.edit } } as const;

const MILESTONE_FIELDS = ['id', 'title', 'due_date', 'done_date'] as const;
const KR_FIELDS = ['id', 'name', 'start_value', 'target_value', 'unit'] as const;

const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : typeof x === 'string' ? [x] : []);

/**
 * Numbers typed into the form, as numbers; anything else is passed on as typed, so that validation names the field.
 * (The forms do not use the validator's coercion: it would turn a cleared field, sent as null, into "".)
 */
function numeric(x: unknown): unknown {
  return typeof x === 'string' && /^-?\d+(\.\d+)?$/.test(x) ? Number(x) : x;
}

/** Rows of a repeated group (`milestones.3.title` ...), in form order, with their form row numbers. */
function rowsOf(body: Values, group: string, fields: readonly string[]): { row: number; values: Record<string, string> }[] {
  const found = new Map<number, Record<string, string>>();
  const re = new RegExp(`^${group}\\.(\\d{1,3})\\.(${fields.join('|')})$`);
  for (const [k, v] of Object.entries(body)) {
    const m = re.exec(k);
    const s = str(v);
    if (!m || s === undefined || Number(m[1]) >= MAX_ROWS) continue;
    const row = found.get(Number(m[1])) ?? {};
    row[m[2]] = s;
    found.set(Number(m[1]), row);
  }
  return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([row, values]) => ({ row, values }));
}

/**
 * Turns the flat form into the commands' input. Rows left blank are dropped; `rowOf` maps the index of a kept row
 * back to its row in the form, so that a problem is shown next to the right field.
 */
export function itemInputFromForm(body: Values, mode: 'create' | 'edit') {
  const input: Record<string, unknown> = {};
  const rowOf: Record<'milestones' | 'key_results', number[]> = { milestones: [], key_results: [] };
  if (mode === 'create') input.number = body.number;
  else {
    input.version = numeric(body.version);
    // An emptied title is refused rather than left unchanged.
    input.title = '';
  }
  for (const k of ['title', 'description', 'lead_agency_id', 'owner_id', 'start_date', 'due_date', 'status', 'weight'] as const) {
    if (body[k] !== undefined) input[k] = k === 'weight' ? numeric(body[k]) : body[k];
    // On an edit form an emptied field means "none", not "unchanged".
    else if (mode === 'edit' && ['description', 'lead_agency_id', 'owner_id', 'start_date', 'due_date'].includes(k)) input[k] = null;
  }
  input.supporting_agency_ids = list(body.supporting_agency_ids);
  const milestones: Record<string, unknown>[] = [];
  for (const { row, values } of rowsOf(body, 'milestones', MILESTONE_FIELDS)) {
    if (!values.title && !values.due_date && !values.done_date) continue;
    rowOf.milestones.push(row);
    milestones.push({ ...(values.id ? { id: values.id } : {}), title: values.title ?? '', due_date: values.due_date ?? null, done_date: values.done_date ?? null });
  }
  const keyResults: Record<string, unknown>[] = [];
  for (const { row, values } of rowsOf(body, 'key_results', KR_FIELDS)) {
    if (!values.name && !values.start_value && !values.target_value && !values.unit) continue;
    rowOf.key_results.push(row);
    keyResults.push({
      ...(values.id ? { id: values.id } : {}),
      name: values.name ?? '',
      ...(values.start_value !== undefined ? { start_value: numeric(values.start_value) } : {}),
      ...(values.target_value !== undefined ? { target_value: numeric(values.target_value) } : {}),
      unit: values.unit ?? null,
    });
  }
  input.milestones = milestones;
  input.key_results = keyResults;
  return { input, rowOf };
}

/** Renames `milestones.0.title` to the form row it came from. */
function remapErrors(errors: FieldError[], rowOf: Record<'milestones' | 'key_results', number[]>): FieldError[] {
  const seen = new Set<string>();
  return errors.map((e) => {
    // The checkboxes are one field on the form.
    if (e.field.startsWith('supporting_agency_ids.')) return { ...e, field: 'supporting_agency_ids' };
    const m = /^(milestones|key_results)\.(\d+)(\..*)?$/.exec(e.field);
    if (!m) return e;
    const row = rowOf[m[1] as 'milestones' | 'key_results'][Number(m[2])];
    return row === undefined ? e : { ...e, field: `${m[1]}.${row}${m[3] ?? ''}` };
  }).filter((e) => !seen.has(e.field) && !!seen.add(e.field));
}

/** The form's values for an existing item. */
function valuesOf(item: Item): Values {
  const v: Values = {
    version: String(item.version),
    title: item.title,
    description: item.description ?? '',
    lead_agency_id: item.lead_agency_id ?? '',
    supporting_agency_ids: item.supporting_agency_ids,
    owner_id: item.owner_id ?? '',
    start_date: item.start_date ?? '',
    due_date: item.due_date ?? '',
    status: item.status,
    weight: String(item.weight),
  };
  item.milestones.forEach((m, i) => {
    v[`milestones.${i}.id`] = m.id;
    v[`milestones.${i}.title`] = m.title;
    v[`milestones.${i}.due_date`] = m.due_date ?? '';
    v[`milestones.${i}.done_date`] = m.done_date ?? '';
  });
  item.key_results.forEach((k, i) => {
    v[`key_results.${i}.id`] = k.id;
    v[`key_results.${i}.name`] = k.name;
    v[`key_results.${i}.start_value`] = String(k.start_value);
    v[`key_results.${i}.target_value`] = String(k.target_value);
    v[`key_results.${i}.unit`] = k.unit ?? '';
  });
  return v;
}

function rowCount(values: Values, group: string, existing: number, blanks: number): number {
  let max = -1;
  for (const k of Object.keys(values)) {
    const m = new RegExp(`^${group}\\.(\\d{1,3})\\.`).exec(k);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return Math.min(MAX_ROWS, Math.max(max + 1, existing + blanks));
}

/** The next free number under a parent (or the next goal number). */
function suggestNumber(items: Item[], parent?: Item): string {
  const siblings = items.filter((i) => (parent ? i.parent_id === parent.id : i.parent_id === null));
  const last = Math.max(0, ...siblings.map((s) => Number(s.number.split('.').at(-1))));
  const next = Math.min(999, last + 1);
  return parent ? `${parent.number}.${next}` : String(next);
}

interface FormProps {
  v: View;
  dir: Directory;
  values: Values;
  errors?: FieldError[];
  /** Set when editing. */
  item?: Item;
  heading: string;
  crumbs: { href?: string; label: string }[];
  action: string;
  cancel: string;
}

function ItemForm({ v, dir, values, errors, item, heading, crumbs, action, cancel }: FormProps) {
  const val = (k: string) => str(values[k]) ?? '';
  const milestoneRows = rowCount(values, 'milestones', item?.milestones.length ?? 0, BLANK_MILESTONES);
  const krRows = rowCount(values, 'key_results', item?.key_results.length ?? 0, BLANK_KEY_RESULTS);
  const agencyOptions = dir.agencies.map((a) => ({ value: a.id, label: a.abbreviation ? `${a.name} (${a.abbreviation})` : a.name }));
  const ownerOptions = dir.owners.map((o) => ({ value: o.id, label: `${o.name} (${v.t(`wp.owner.${o.type}`)})` }));
  return (
    <div>
      <Breadcrumbs items={[...crumbs, { label: heading }]} />
      <h1>{heading}</h1>
      <form method="post" action={action} class="usa-form usa-form--large">
        <Csrf v={v} />
        <IdempotencyKey />
        <ErrorSummary v={v} errors={errors ?? []} />
        {item ? (
          <>
            <input type="hidden" name="version" value={val('version')} />
            <p>
              {v.t('wp.form.number')}: <strong>{item.number}</strong> ({v.t(`wp.kind.${item.kind}`)})
            </p>
          </>
        ) : (
          <TextInput name="number" label={v.t('wp.form.number')} hint={v.t('wp.form.number.hint')} required value={val('number')} errors={errors} maxLength={11} />
        )}
        <TextInput name="title" label={v.t('wp.form.title')} required value={val('title')} errors={errors} maxLength={500} />
        <TextArea name="description" label={v.t('wp.form.description')} value={val('description')} errors={errors} rows={3} />
        <Select name="lead_agency_id" label={v.t('wp.lead')} hint={v.t('wp.form.lead.hint')} value={val('lead_agency_id')} blank={v.t('wp.form.none')} options={agencyOptions} errors={errors} />
        <Checkboxes name="supporting_agency_ids" label={v.t('wp.supporting')} values={list(values.supporting_agency_ids)} options={agencyOptions} errors={errors} />
        <Select name="owner_id" label={v.t('wp.owner')} hint={v.t('wp.form.owner.hint')} value={val('owner_id')} blank={v.t('wp.form.none')} options={ownerOptions} errors={errors} />
        <TextInput name="start_date" type="date" label={v.t('wp.form.start')} hint={v.t('wp.form.date.hint')} value={val('start_date')} errors={errors} />
        <TextInput name="due_date" type="date" label={v.t('wp.form.due')} hint={v.t('wp.form.date.hint')} value={val('due_date')} errors={errors} />
        <Select name="status" label={v.t('wp.status')} required value={val('status') || 'not_started'} options={STATUSES.map((s) => ({ value: s, label: v.t(`wp.status.${s}`) }))} errors={errors} />
        <TextInput name="weight" label={v.t('wp.weight')} hint={v.t('wp.form.weight.hint')} inputmode="decimal" value={val('weight') || (item ? '' : '1')} errors={errors} />

        <h2>{v.t('wp.milestones')}</h2>
        <p class="usa-hint">{v.t('wp.form.rows.hint')}</p>
        {Array.from({ length: milestoneRows }, (_, i) => (
          <fieldset class="usa-fieldset margin-top-2">
            <legend class="usa-legend usa-legend--large">{v.t('wp.form.milestone.n', { n: i + 1 })}</legend>
            {val(`milestones.${i}.id`) && <input type="hidden" name={`milestones.${i}.id`} value={val(`milestones.${i}.id`)} />}
            <TextInput name={`milestones.${i}.title`} label={v.t('wp.milestone')} value={val(`milestones.${i}.title`)} errors={errors} maxLength={500} />
            <TextInput name={`milestones.${i}.due_date`} type="date" label={v.t('wp.due')} value={val(`milestones.${i}.due_date`)} errors={errors} />
            <TextInput name={`milestones.${i}.done_date`} type="date" label={v.t('wp.done')} value={val(`milestones.${i}.done_date`)} errors={errors} />
          </fieldset>
        ))}

        <h2>{v.t('wp.krs')}</h2>
        <p class="usa-hint">{v.t('wp.form.rows.hint')}</p>
        {Array.from({ length: krRows }, (_, i) => (
          <fieldset class="usa-fieldset margin-top-2">
            <legend class="usa-legend usa-legend--large">{v.t('wp.form.kr.n', { n: i + 1 })}</legend>
            {val(`key_results.${i}.id`) && <input type="hidden" name={`key_results.${i}.id`} value={val(`key_results.${i}.id`)} />}
            <TextInput name={`key_results.${i}.name`} label={v.t('wp.kr')} value={val(`key_results.${i}.name`)} errors={errors} maxLength={500} />
            <TextInput name={`key_results.${i}.start_value`} label={v.t('wp.kr.start')} inputmode="decimal" value={val(`key_results.${i}.start_value`)} errors={errors} />
            <TextInput name={`key_results.${i}.target_value`} label={v.t('wp.kr.target')} inputmode="decimal" value={val(`key_results.${i}.target_value`)} errors={errors} />
            <TextInput name={`key_results.${i}.unit`} label={v.t('wp.form.unit')} value={val(`key_results.${i}.unit`)} errors={errors} maxLength={50} />
          </fieldset>
        ))}

        <div class="margin-top-3">
          <SubmitButton>{v.t('form.save')}</SubmitButton>{' '}
          <a href={cancel} class="usa-button usa-button--unstyled">
            {v.t('form.cancel')}
          </a>
        </div>
      </form>
    </div>
  );
}

function newHeading(v: View, number: string | undefined, parent?: Item): string {
  if (parent) return v.t(parent.kind === 'goal' ? 'wp.form.new.objective' : 'wp.form.new.action', { number: parent.number });
  if (number && /^[1-9]\d{0,2}(\.[1-9]\d{0,2}){0,2}$/.test(number)) return v.t(`wp.form.new.${kindOfNumber(number)}.plain`);
  return v.t('wp.form.new.goal.plain');
}

/** A stale version is said beside the form's version, so that the person reloads before saving again. */
function itemFormErrors(err: unknown): FieldError[] | undefined {
  if (err instanceof HttpError && err.status === 409) return [{ field: 'version', message: err.detail ?? 'changed since you opened this form' }];
  return formErrors(err);
}

export async function itemFormPages(app: App): Promise<void> {
  const crumbsFor = (v: View, item?: Item) => [{ href: '/workplans', label: v.t('wp.title') }, ...(item ? [{ href: `/workplans/items/${item.id}`, label: item.number }] : [])];

  const newPage = async (req: PageReq, reply: FastifyReply, parentId: string | undefined, values: Values, errors?: FieldError[], status = 200) => {
    const db = req.ctx.db;
    const parent = parentId ? await getItem(db, parentId) : undefined;
    if (parentId && !parent) throw notFound('No such work plan item.');
    if (parent?.kind === 'action') throw notFound('Actions have no parts.');
    const v = req.view();
    const heading = newHeading(v, str(values.number), parent);
    const action = parent ? `/workplans/items?parent=${parent.id}` : '/workplans/items';
    const cancel = parent ? `/workplans/items/${parent.id}` : '/workplans';
    return reply.page(heading, <ItemForm v={v} dir={await loadDirectory(db)} values={values} errors={errors} heading={heading} crumbs={crumbsFor(v, parent)} action={action} cancel={cancel} />, status);
  };

  const editPage = async (req: PageReq, reply: FastifyReply, item: Item, values: Values, errors?: FieldError[], status = 200) => {
    const v = req.view();
    const heading = v.t('wp.form.edit', { number: item.number });
    return reply.page(
      heading,
      <ItemForm v={v} dir={await loadDirectory(req.ctx.db)} values={values} errors={errors} item={item} heading={heading} crumbs={crumbsFor(v, item)} action={`/workplans/items/${item.id}`} cancel={`/workplans/items/${item.id}`} />,
      status,
    );
  };

  app.get('/workplans/items/new', { config: EDIT, schema: { ...hidden, querystring: newQuery } }, async (req, reply) => {
    const parentId = req.query.parent;
    const items = await listItems(req.ctx.db);
    const parent = parentId ? items.find((i) => i.id === parentId) : undefined;
    const values: Values = { number: suggestNumber(items, parent), status: 'not_started', weight: '1' };
    if (parent) values.lead_agency_id = parent.lead_agency_id ?? '';
    return newPage(req, reply, parentId, values);
  });

  app.post('/workplans/items', { config: EDIT, schema: { ...hidden, querystring: newQuery, body: FormPost } }, async (req, reply) => {
    const body = formBody(req.body);
    const { input, rowOf } = itemInputFromForm(body, 'create');
    try {
      const { location } = await idempotent(req, async () => `/workplans/items/${(await createItem(req.ctx, input)).id}`);
      return reply.redirect(location);
    } catch (err) {
      const errors = itemFormErrors(err);
      if (!errors) throw err;
      return newPage(req, reply, req.query.parent, body, remapErrors(errors, rowOf), 400);
    }
  });

  app.get('/workplans/items/:id/edit', { config: EDIT, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const item = await getItem(req.ctx.db, req.params.id);
    if (!item) throw notFound('No such work plan item.');
    return editPage(req, reply, item, valuesOf(item));
  });

  app.post('/workplans/items/:id', { config: EDIT, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const item = await getItem(req.ctx.db, req.params.id);
    if (!item) throw notFound('No such work plan item.');
    const body = formBody(req.body);
    const { input, rowOf } = itemInputFromForm(body, 'edit');
    try {
      // Left empty, a number would be read as 0: say it is needed instead.
      if (body.weight === undefined) throw badRequest([{ field: 'weight', message: 'is required' }]);
      await updateItem(req.ctx, item.id, input);
      return reply.redirect(`/workplans/items/${item.id}`);
    } catch (err) {
      const errors = itemFormErrors(err);
      if (!errors) throw err;
      const status = err instanceof HttpError && err.status === 409 ? 409 : 400;
      return editPage(req, reply, item, body, remapErrors(errors, rowOf), status);
    }
  });
}
