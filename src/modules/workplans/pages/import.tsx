/** Importing a work plan from CSV, pasted or uploaded as a file (see upload.ts): every row or none. */
import { Type } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import type { FieldError } from '../../../platform/http/errors.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import { Alert, Breadcrumbs, Csrf, ErrorSummary, SubmitButton, Table, TextArea } from '../../../platform/web/components.tsx';
import { ImportRefused, IMPORT_COLUMNS, importPlan, type Refusal } from '../import.ts';
import { PERM } from '../policies.ts';
import { uploadOf } from '../upload.ts';

/** The import form's fields; the file itself is kept beside the request by upload.ts, not in the body. */
const ImportPost = Type.Object({ csv: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])) }, { additionalProperties: true });

function ImportPage({ v, refused, imported, csv, errors }: { v: View; refused?: Refusal[]; imported?: number; csv?: string; errors?: FieldError[] }) {
  const fileError = errors?.find((e) => e.field === 'file')?.message;
  return (
    <div>
      <Breadcrumbs items={[{ href: '/workplans', label: v.t('wp.title') }, { label: v.t('wp.import.title') }]} />
      <h1>{v.t('wp.import.title')}</h1>
      <p>
        {v.t('wp.import.intro', { columns: IMPORT_COLUMNS.join(', ') })} <a href="/api/workplans/import/template.csv">{v.t('wp.import.template')}</a>
      </p>
      {imported !== undefined && (
        <Alert type="success" slim>
          {v.t('wp.import.done', { n: imported })}
        </Alert>
      )}
      {refused && refused.length > 0 && (
        <>
          <Alert type="error" heading={v.t('wp.import.refused')}>
            {v.t('wp.import.nothing')}
          </Alert>
          <Table v={v} caption={v.t('wp.import.refused')} head={[v.t('wp.import.row'), v.t('wp.import.column'), v.t('wp.import.reason')]} rows={refused.map((r) => [String(r.row), r.column, r.reason])} />
        </>
      )}
      <form method="post" action="/workplans/import" enctype="multipart/form-data" class="usa-form usa-form--large">
        <Csrf v={v} />
        <ErrorSummary v={v} errors={errors ?? []} />
        <div class={`usa-form-group${fileError ? ' usa-form-group--error' : ''}`}>
          <label class={`usa-label${fileError ? ' usa-label--error' : ''}`} for="field-file">
            {v.t('wp.import.file')}
          </label>
          <div class="usa-hint" id="field-file-hint">
            {v.t('wp.import.file.hint')}
          </div>
          {fileError && (
            <span class="usa-error-message" id="field-file-error" role="alert">
              {fileError}
            </span>
          )}
          <input class="usa-file-input" id="field-file" name="file" type="file" accept=".csv,text/csv,text/plain" aria-describedby={`field-file-hint${fileError ? ' field-file-error' : ''}`} aria-invalid={fileError ? 'true' : undefined} />
        </div>
        <TextArea name="csv" label={v.t('wp.import.csv')} hint={v.t('wp.import.csv.hint')} value={csv} rows={12} errors={refused?.length ? [{ field: 'csv', message: v.t('wp.import.refused') }] : errors} />
        <SubmitButton>{v.t('wp.import.submit')}</SubmitButton>
      </form>
    </div>
  );
}

export async function importPages(app: App): Promise<void> {
  app.get('/workplans/import', { config: { access: { permission: PERM.edit } }, schema: hidden }, async (req, reply) => {
    const v = req.view();
    return reply.page(v.t('wp.import.title'), <ImportPage v={v} />);
  });

  app.post('/workplans/import', { config: { access: { permission: PERM.edit } }, schema: { ...hidden, body: ImportPost } }, async (req, reply) => {
    // A pasted text (urlencoded or multipart form) or an uploaded file (multipart form, see upload.ts).
    const pasted = typeof req.body.csv === 'string' ? req.body.csv : '';
    const upload = uploadOf(req);
    const v = req.view();
    const again = (errors: FieldError[], status = 400) => reply.page(v.t('wp.import.title'), <ImportPage v={v} csv={pasted} errors={errors} />, status);
    if (upload.error) return again([{ field: 'file', message: upload.error.message }], upload.error.status);
    const file = upload.files.find((f) => f.field === 'file');
    let csv = pasted;
    if (file) {
      try {
        csv = new TextDecoder('utf-8', { fatal: true }).decode(file.data);
      } catch {
        return again([{ field: 'file', message: v.t('wp.import.file.encoding', { name: file.filename }) }]);
      }
      if (csv.includes('\u0000')) return again([{ field: 'file', message: v.t('wp.import.file.binary', { name: file.filename }) }]);
    }
    if (!csv.trim()) return again([{ field: 'file', message: v.t('wp.import.empty') }]);
    try {
      const res = await importPlan(req.ctx, csv);
      return reply.page(v.t('wp.import.title'), <ImportPage v={v} imported={res.imported} />, 201);
    } catch (err) {
      if (!(err instanceof ImportRefused)) throw err;
      return reply.page(v.t('wp.import.title'), <ImportPage v={v} refused={err.refused} csv={pasted} />, 400);
    }
  });
}
