import type { ComponentChildren, JSX } from 'preact';
import type { FieldError } from '../http/errors.ts';
import type { View } from './view.ts';
import { IDEMPOTENCY_FIELD, newIdempotencyKey } from '../http/idempotency.ts';

export function Csrf({ v }: { v: View }) {
  return <input type="hidden" name="_csrf" value={v.csrf()} />;
}

/** A new key per form shown, so that sending the form twice creates one thing (platform/http/idempotency.ts). */
export function IdempotencyKey() {
  return <input type="hidden" name={IDEMPOTENCY_FIELD} value={newIdempotencyKey()} />;
}

export function Alert({ type, heading, children, slim }: { type: 'info' | 'warning' | 'error' | 'success'; heading?: string; children?: ComponentChildren; slim?: boolean }) {
  return (
    <div class={`usa-alert usa-alert--${type}${slim ? ' usa-alert--slim' : ''}`} role={type === 'error' ? 'alert' : 'status'}>
      <div class="usa-alert__body">
        {heading && <h2 class="usa-alert__heading">{heading}</h2>}
        <div class="usa-alert__text">{children}</div>
      </div>
    </div>
  );
}

/** The list of problems at the top of a form, each linking to its field; `labels` names a field by its label (in the reader's language) instead of its name. */
export function ErrorSummary({ v, errors, labels }: { v: View; errors: FieldError[]; labels?: Record<string, string> }) {
  if (!errors.length) return null;
  return (
    <div class="usa-alert usa-alert--error" role="alert" id="error-summary" tabIndex={-1}>
      <div class="usa-alert__body">
        <h2 class="usa-alert__heading">{v.t('form.errors.title')}</h2>
        <ul class="usa-list">
          {errors.map((e) => (
            <li>
              <a href={`#field-${fieldId(e.field)}`}>
                {labels?.[e.field] ?? e.field}: {e.message}
              </a>
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

export function fieldId(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '-');
}

export function errorFor(errors: FieldError[] | undefined, name: string): string | undefined {
  return errors?.find((e) => e.field === name || e.field.startsWith(name + '.'))?.message;
}

export interface FieldProps {
  name: string;
  label: string;
  hint?: string;
  required?: boolean;
  errors?: FieldError[];
}

export function FieldGroup({ name, label, hint, required, errors, children }: FieldProps & { children: ComponentChildren }) {
  const id = `field-${fieldId(name)}`;
  const error = errorFor(errors, name);
  return (
    <div class={`usa-form-group${error ? ' usa-form-group--error' : ''}`}>
      <label class={`usa-label${error ? ' usa-label--error' : ''}`} for={id}>
        {label}
        {required && (
          <>
            {' '}
            <abbr title="required" class="usa-hint usa-hint--required">
              *
            </abbr>
          </>
        )}
      </label>
      {hint && (
        <div class="usa-hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
      {error && (
        <span class="usa-error-message" id={`${id}-error`} role="alert">
          {error}
        </span>
      )}
      {children}
    </div>
  );
}

export function describedBy(name: string, hint?: string, error?: string): string | undefined {
  const id = `field-${fieldId(name)}`;
  const parts = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}

export function TextInput(
  props: FieldProps & { value?: string | number | null; type?: string; autocomplete?: string; inputmode?: JSX.HTMLAttributes['inputMode']; maxLength?: number },
) {
  const id = `field-${fieldId(props.name)}`;
  const error = errorFor(props.errors, props.name);
  return (
    <FieldGroup {...props}>
      <input
        class={`usa-input${error ? ' usa-input--error' : ''}`}
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value ?? ''}
        required={props.required}
        autocomplete={props.autocomplete}
        inputMode={props.inputmode}
        maxLength={props.maxLength}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
      />
    </FieldGroup>
  );
}

export function TextArea(props: FieldProps & { value?: string | null; rows?: number }) {
  const id = `field-${fieldId(props.name)}`;
  const error = errorFor(props.errors, props.name);
  return (
    <FieldGroup {...props}>
      <textarea
        class={`usa-textarea${error ? ' usa-input--error' : ''}`}
        id={id}
        name={props.name}
        rows={props.rows ?? 4}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
      >
        {props.value ?? ''}
      </textarea>
    </FieldGroup>
  );
}

export function Select(props: FieldProps & { value?: string | null; options: { value: string; label: string }[]; blank?: string }) {
  const id = `field-${fieldId(props.name)}`;
  const error = errorFor(props.errors, props.name);
  return (
    <FieldGroup {...props}>
      <select
        class={`usa-select${error ? ' usa-input--error' : ''}`}
        id={id}
        name={props.name}
        required={props.required}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.hint, error)}
      >
        {props.blank !== undefined && <option value="">{props.blank}</option>}
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === props.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldGroup>
  );
}

/** A group of checkboxes sharing one name; the form sends every checked value. */
/** Checkboxes in a fieldset; `columns` lays a long list (the states, say) out in two columns on a phone, three wider. */
export function Checkboxes(props: FieldProps & { values: string[]; options: { value: string; label: string }[]; columns?: boolean }) {
  const error = errorFor(props.errors, props.name);
  const base = `field-${fieldId(props.name)}`;
  const boxes = props.options.map((o, i) => (
    <div class={props.columns ? 'usa-checkbox grid-col-6 tablet:grid-col-4' : 'usa-checkbox'}>
      <input class="usa-checkbox__input" id={`${base}-${i}`} type="checkbox" name={props.name} value={o.value} checked={props.values.includes(o.value)} />
      <label class="usa-checkbox__label" for={`${base}-${i}`}>
        {o.label}
      </label>
    </div>
  ));
  return (
    <fieldset class={`usa-fieldset usa-form-group${error ? ' usa-form-group--error' : ''}`} id={base} aria-describedby={describedBy(props.name, props.hint, error)}>
      <legend class="usa-legend">{props.label}</legend>
      {props.hint && (
        <div class="usa-hint" id={`${base}-hint`}>
          {props.hint}
        </div>
      )}
      {error && (
        <span class="usa-error-message" id={`${base}-error`} role="alert">
          {error}
        </span>
      )}
      {props.columns ? <div class="grid-row grid-gap-2">{boxes}</div> : boxes}
    </fieldset>
  );
}

export function SubmitButton({ children, secondary, name, value }: { children: ComponentChildren; secondary?: boolean; name?: string; value?: string }) {
  return (
    <button type="submit" class={`usa-button${secondary ? ' usa-button--outline' : ''}`} name={name} value={value}>
      {children}
    </button>
  );
}

/** A one-button form for an action such as revoke or sign out: a POST with the CSRF token. */
export function ActionButton({ v, action, children, secondary }: { v: View; action: string; children: ComponentChildren; secondary?: boolean }) {
  return (
    <form method="post" action={action} class="display-inline-block margin-right-1">
      <Csrf v={v} />
      <button type="submit" class={`usa-button${secondary ? ' usa-button--outline' : ''} usa-button--small`}>
        {children}
      </button>
    </form>
  );
}

/**
 * A data table that fits its container at every width, with no column out of sight (issue 16): it takes the
 * container's width and its cells wrap, breaking long words and addresses where they must (app.css `.table-fit`);
 * below 480 px USWDS stacks each row as label/value pairs; on paper print.css keeps every column. A table of up to
 * nine columns keeps its headings' and cells' words whole on a wide screen (`.table-fit--words`), except in cells
 * holding a word longer than 20 characters; one of eight columns or more has narrower gaps (`.table-fit--many`). No sideways
 * scrolling box, whose columns past its edge a reader would not see. `wrap` is accepted and ignored: every table
 * wraps now.
 */
export function Table({ caption, head, rows, v }: { caption: string; head: string[]; rows: ComponentChildren[][]; v: View; wrap?: boolean }) {
  return (
    <table class={`usa-table usa-table--borderless usa-table--stacked width-full table-fit${head.length <= 9 ? ' table-fit--words' : ''}${head.length >= 8 ? ' table-fit--many' : ''}`}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {head.map((h) => (
            <th scope="col">{h}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colSpan={head.length}>{v.t('table.none')}</td>
          </tr>
        ) : (
          rows.map((r) => (
            <tr>
              {r.map((c, i) => (
                <td data-label={head[i]} class={longestWord(c) > LONG_WORD ? 'table-fit__long' : undefined}>
                  {c}
                </td>
              ))}
            </tr>
          ))
        )}
      </tbody>
    </table>
  );
}

/** A cell holding a word longer than this (an e-mail or web address, an id) may break it anywhere (app.css). */
const LONG_WORD = 20;

/** The length of the longest run of characters without a space or a hyphen in a cell's text, elements included. */
export function longestWord(c: ComponentChildren): number {
  if (c === null || c === undefined || typeof c === 'boolean') return 0;
  if (typeof c === 'string' || typeof c === 'number' || typeof c === 'bigint') {
    let most = 0;
    for (const w of String(c).split(/[\s\u2010-\u2014-]+/)) if (w.length > most) most = w.length;
    return most;
  }
  if (Array.isArray(c)) return c.reduce((most: number, x) => Math.max(most, longestWord(x)), 0);
  if (typeof c === 'object' && 'props' in c) return longestWord((c.props as { children?: ComponentChildren }).children);
  return 0;
}

/** Previous/next links that keep the rest of the query. */
/**
 * Previous / page N of M / next. The links' items are not USWDS's `usa-pagination__arrow`, which USWDS hides below
 * 640 px (it expects page-number links beside them): on a phone there would be no way to the next page.
 */
export function Pager({ v, page, perPage, total, param = 'page' }: { v: View; page: number; perPage: number; total: number; /** The query parameter (a page with two lists pages each on its own). */ param?: string }) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages <= 1) return null;
  const link = (p: number) => {
    const u = new URL(v.url, 'http://x');
    u.searchParams.set(param, String(p));
    return u.pathname + u.search;
  };
  return (
    <nav aria-label={v.t('pager.label')} class="usa-pagination">
      <ul class="usa-pagination__list">
        {page > 1 && (
          <li class="usa-pagination__item">
            <a href={link(page - 1)} class="usa-pagination__link usa-pagination__previous-page">
              <span class="usa-pagination__link-text">{v.t('pager.prev')}</span>
            </a>
          </li>
        )}
        <li class="usa-pagination__item usa-pagination__page-no">
          <span class="usa-pagination__button usa-current" aria-current="page">
            {v.t('pager.page', { n: page })} / {pages}
          </span>
        </li>
        {page < pages && (
          <li class="usa-pagination__item">
            <a href={link(page + 1)} class="usa-pagination__link usa-pagination__next-page">
              <span class="usa-pagination__link-text">{v.t('pager.next')}</span>
            </a>
          </li>
        )}
      </ul>
    </nav>
  );
}

export function Breadcrumbs({ items }: { items: { href?: string; label: string }[] }) {
  return (
    <nav class="usa-breadcrumb" aria-label="Breadcrumbs">
      <ol class="usa-breadcrumb__list">
        {items.map((i) => (
          <li class="usa-breadcrumb__list-item" aria-current={i.href ? undefined : 'page'}>
            {i.href ? (
              <a href={i.href} class="usa-breadcrumb__link">
                <span>{i.label}</span>
              </a>
            ) : (
              <span>{i.label}</span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

/**
 * A page holding one form: breadcrumbs, heading, the error summary, the fields, a save button and a cancel link.
 * Posts to `action` with the CSRF token; works without JavaScript.
 * `labels` names each field in the error summary by its label (in the reader's language) rather than by its name;
 * `saveFirst` is for a form with other submit buttons: a hidden first Save is the form's default button, so Enter in a
 * field still saves.
 */
export function FormPage({ v, title, action, errors, cancel, crumbs, save, enctype, labels, saveFirst, children }: { v: View; title: string; action: string; errors?: FieldError[]; cancel: string; crumbs: { href?: string; label: string }[]; save: string; /** multipart/form-data for a form with a file input. */ enctype?: string; labels?: Record<string, string>; saveFirst?: boolean; children: ComponentChildren }) {
  return (
    <div>
      <Breadcrumbs items={[...crumbs, { label: title }]} />
      <h1>{title}</h1>
      <form method="post" action={action} class="usa-form usa-form--large" enctype={enctype}>
        <Csrf v={v} />
        <IdempotencyKey />
        {saveFirst && (
          <button type="submit" hidden>
            {save}
          </button>
        )}
        <ErrorSummary v={v} errors={errors ?? []} labels={labels} />
        {children}
        <SubmitButton>{save}</SubmitButton>{' '}
        <a href={cancel} class="usa-button usa-button--unstyled">
          {v.t('form.cancel')}
        </a>
      </form>
    </div>
  );
}
