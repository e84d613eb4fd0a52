import type { FieldError } from '../http/errors.ts';
import type { View } from './view.ts';

export function ErrorPage({ v, status, detail, errors }: { v: View; status: number; detail?: string; errors?: FieldError[] }) {
  const key = `error.${status}`;
  const message = v.t(key) === key ? v.t(status >= 500 ? 'error.500' : 'error.400') : v.t(key);
  return (
    <div class="usa-prose padding-y-4">
      <h1>{v.t('error.code', { code: status })}</h1>
      <p class="usa-intro">{message}</p>
      {detail && status !== 404 && <p>{detail}</p>}
      {errors && errors.length > 0 && (
        <ul>
          {errors.map((e) => (
            <li>
              {e.field}: {e.message}
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
