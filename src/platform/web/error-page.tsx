import type { FieldError } from '../http/errors.ts';
import type { View } from './view.ts';
import { localizeFieldErrors } from './field-errors.ts';

/**
 * The page a person gets for an error. Field problems (a bad address or query) are listed once, in the reader's
 * language, each by its field as the address names it ("id", not the validator's "path.id"); the detail is left out
 * then, since it is those same problems in English.
 */
export function ErrorPage({ v, status, detail, errors }: { v: View; status: number; detail?: string; errors?: FieldError[] }) {
  const key = `error.${status}`;
  const message = v.t(key) === key ? v.t(status >= 500 ? 'error.500' : 'error.400') : v.t(key);
  const problems = localizeFieldErrors(v.lang, errors) ?? [];
  return (
    <div class="usa-prose padding-y-4">
      <h1>{v.t('error.code', { code: status })}</h1>
      <p class="usa-intro">{message}</p>
      {detail && status !== 404 && problems.length === 0 && <p>{detail}</p>}
      {problems.length > 0 && (
        <ul>
          {problems.map((e) => (
            <li>
              {e.field.replace(/^path\./, '')}: {e.message}
            </li>
          ))}
        </ul>
      )}
      <p>
        <a class="usa-button" href="/">
          {v.t('error.home')}
        </a>
      </p>
    </div>
  );
}
