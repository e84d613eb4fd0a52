/** The history of directory imports, for directory managers and administrators: API and pages (issue 12 item 4). */
import { Type } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { hidden, IdParams, Nullable, Paged, PageQuery, pageOf, ProblemRef, secured } from '../../../platform/http/schemas.ts';
import type { View } from '../../../platform/web/view.ts';
import { formatInstant } from '../../../platform/web/i18n.ts';
import { Breadcrumbs, Pager, Table } from '../../../platform/web/components.tsx';
import { PageNumber } from '../schema.ts';
import { MANAGE } from '../permissions.ts';
import { findingsCsvOf, importDetail, listImports, REFUSED_BECAUSE, type ImportEntry } from '../import-history.ts';
import type { FindingGroup } from '../import.ts';
import { foundIn, reasonIn, refusalIn } from '../import-reasons.ts';

const MANAGERS = { access: { permission: MANAGE } } as const;
const Count = Type.Integer({ minimum: 0 });
const Entry = Type.Object({
  id: Type.String({ format: 'uuid' }),
  source: Nullable(Type.String({ description: 'The source the import came from: its --source, or the folder or zip name.' })),
  actor: Type.String({ description: 'Who imported it (a person, or the system job).' }),
  imported_at: Type.String({ format: 'date-time' }),
  format: Type.String(),
  found: Type.String({ description: 'What was found, e.g. "HSDS 1.1 CSV data package, 14 resources".' }),
  partial: Type.Boolean({ description: 'A delta import: nothing was made inactive or removed.' }),
  added: Count,
  changed: Count,
  unchanged: Count,
  removed: Type.Integer({ minimum: 0, description: 'Services the source lists no longer (made inactive) and details it gives no longer.' }),
  quarantined: Type.Integer({ minimum: 0, description: 'Rows quarantined; for a refused import, the rows refused.' }),
  warnings: Count,
  outcome: Type.Union([Type.Literal('imported'), Type.Literal('refused')], { description: 'refused: nothing was imported (the counts of what was written are 0).' }),
  refused: Nullable(Type.Union(REFUSED_BECAUSE.map((b) => Type.Literal(b)), { description: 'Why it was refused: strict (--strict and a row refused), unreadable (the publication could not be read), nothing_valid (every row quarantined).' })),
  reason: Nullable(Type.String({ description: 'The first refusal, as a sentence, with how many more.' })),
});
const Finding = Type.Object({ file: Type.String(), row: Type.Integer(), field: Type.String(), reason: Type.String() });
const Group = Type.Object({ file: Type.String(), field: Type.String(), reason: Type.String(), count: Count, examples: Type.Array(Finding, { maxItems: 3 }) });
const Detail = Type.Intersect([Entry, Type.Object({ quarantine: Type.Array(Group), warning: Type.Array(Group), refusal: Type.Array(Group, { description: 'A refused import: its refused rows, grouped by reason.' }) })]);
const errors = { 400: ProblemRef, 401: ProblemRef, 403: ProblemRef };

export function importRoutes(app: App): void {
  app.get(
    '/api/directory/imports',
    { config: MANAGERS, schema: { tags: ['Directory'], summary: 'Directory imports, newest first', security: secured, querystring: Type.Object({ ...PageQuery }, { additionalProperties: false }), response: { 200: Paged(Entry), ...errors } } },
    async (req) => {
      const { page, perPage, offset } = pageOf(req.query);
      const { items, total } = await listImports(req.ctx.db, perPage, offset);
      return { items, total, page, per_page: perPage };
    },
  );
  app.get(
    '/api/directory/imports/:id',
    { config: MANAGERS, schema: { tags: ['Directory'], summary: 'One directory import, its quarantined rows and warnings grouped by reason', security: secured, params: IdParams, response: { 200: Detail, ...errors, 404: ProblemRef } } },
    async (req) => {
      const d = await importDetail(req.ctx.db, req.params.id);
      if (!d) throw notFound('No such import.');
      return d;
    },
  );
  app.get(
    '/api/directory/imports/:id/quarantine.csv',
    { config: MANAGERS, schema: { tags: ['Directory'], summary: "Every row an import quarantined and every warning, as CSV (kind, file, row, field, reason; the reasons in the reader's language)", security: secured, params: IdParams, produces: ['text/csv'], response: { 200: Type.String(), ...errors, 404: ProblemRef } } },
    async (req, reply) => {
      const csv = await findingsCsvOf(req.ctx.db, req.params.id, req.lang);
      if (csv === null) throw notFound('No such import.');
      reply.header('content-disposition', `attachment; filename="import-${req.params.id}-quarantine.csv"`);
      return reply.type('text/csv; charset=utf-8').send(csv);
    },
  );

  app.get('/directory/imports', { config: MANAGERS, schema: { ...hidden, querystring: Type.Object({ page: PageNumber }) } }, async (req, reply) => {
    const page = req.query.page ?? 1;
    const { items, total } = await listImports(req.ctx.db, 50, (page - 1) * 50);
    const v = req.view();
    const title = v.t('directory.imports.title');
    return reply.page(
      title,
      <>
        <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { label: title }]} />
        <h1>{title}</h1>
        <p>{v.t('directory.imports.intro', { n: total })}</p>
        <Table
          v={v}
          wrap
          caption={title}
          head={[v.t('directory.imports.when'), v.t('directory.imports.source'), v.t('directory.imports.found'), v.t('directory.imports.counts'), v.t('directory.imports.who')]}
          rows={items.map((i) => [<a href={`/directory/imports/${i.id}`}>{when(v, i.imported_at)}</a>, sourceText(v, i), foundText(v, i), counts(v, i), i.actor])}
        />
        <Pager v={v} page={page} perPage={50} total={total} />
      </>,
    );
  });

  app.get('/directory/imports/:id', { config: MANAGERS, schema: { ...hidden, params: IdParams } }, async (req, reply) => {
    const d = await importDetail(req.ctx.db, req.params.id);
    if (!d) throw notFound('No such import.');
    const v = req.view();
    const title = v.t('directory.imports.one', { when: when(v, d.imported_at) });
    return reply.page(
      title,
      <>
        <Breadcrumbs items={[{ href: '/directory', label: v.t('directory.breadcrumb') }, { href: '/directory/imports', label: v.t('directory.imports.title') }, { label: title }]} />
        <h1>{title}</h1>
        <dl>
          <dt>{v.t('directory.imports.source')}</dt>
          <dd>{sourceText(v, d)}</dd>
          <dt>{v.t('directory.imports.found')}</dt>
          <dd>{foundText(v, d)}</dd>
          <dt>{v.t('directory.imports.who')}</dt>
          <dd>{d.actor}</dd>
          <dt>{v.t('directory.imports.counts')}</dt>
          <dd>{counts(v, d)}</dd>
          {d.partial && <dd>{v.t('directory.imports.partial')}</dd>}
        </dl>
        {d.refused ? (
          <>
            <div class="usa-alert usa-alert--error usa-alert--slim">
              <div class="usa-alert__body">
                <p class="usa-alert__text">
                  {v.t('directory.imports.refused_intro')} {v.t(`directory.imports.refused.${d.refused}`, { reason: refusalIn(v.lang, d.reason ?? '') })}
                </p>
              </div>
            </div>
            <Groups v={v} title={v.t('directory.imports.refusals')} none="" groups={d.refusal} />
          </>
        ) : (
          <>
            <Groups v={v} title={v.t('directory.imports.quarantine')} none={v.t('directory.imports.no_quarantine')} groups={d.quarantine} />
            <Groups v={v} title={v.t('directory.imports.warnings')} none={v.t('directory.imports.no_warnings')} groups={d.warning} />
          </>
        )}
        {d.quarantined + d.warnings > 0 && (
          <p>
            <a class="usa-button usa-button--outline" href={`/api/directory/imports/${d.id}/quarantine.csv`} download>
              {v.t(d.refused ? 'directory.imports.download_refused' : 'directory.imports.download')}
            </a>
          </p>
        )}
      </>,
    );
  });
}

/** Where an import came from; one made by a program (the demo data, the generator) names none. */
function sourceText(v: View, i: ImportEntry): string {
  return i.source ?? v.t('directory.imports.source.none');
}

/** What an import found; one made by a program records only its format's key ("hsds-3.0-json"), named in words. */
function foundText(v: View, i: ImportEntry): string {
  const key = `directory.imports.format.${i.found}`;
  return i.found === i.format && v.t(key) !== key ? v.t(key) : foundIn(v.lang, i.found);
}

/** An instant on the task force's clock, as every other page shows one. */
function when(v: View, iso: string): string {
  return formatInstant(v.lang, iso);
}

function counts(v: View, i: ImportEntry): string {
  if (i.refused) return v.t(`directory.imports.refused.${i.refused}`, { reason: refusalIn(v.lang, i.reason ?? '') });
  // Each count as the reader writes numbers ("7,695"), its noun agreeing with it ("1 warning", "1 advertencia").
  const n = (key: string, count: number) => v.t(`directory.imports.n.${key}`, { n: count, count: count.toLocaleString(`${v.lang}-US`) });
  return [n('added', i.added), n('changed', i.changed), n('unchanged', i.unchanged), n('removed', i.removed), n('quarantined', i.quarantined), n('warnings', i.warnings)].join(', ');
}

function Groups({ v, title, none, groups }: { v: View; title: string; none: string; groups: FindingGroup[] }) {
  return (
    <>
      <h2>{title}</h2>
      {groups.length === 0 ? (
        <p>{none}</p>
      ) : (
        <Table
          v={v}
          wrap
          caption={title}
          head={[v.t('directory.imports.reason'), v.t('directory.imports.count'), v.t('directory.imports.examples')]}
          rows={groups.map((g) => [
            `${g.file} · ${g.field}: ${reasonIn(v.lang, g.reason)}`,
            String(g.count),
            // Row 0 stands for the whole file or publication (an unreadable package): no row to show.
            g.examples.some((e) => e.row > 0) ? (
              <ul class="usa-list usa-list--unstyled">
                {g.examples
                  .filter((e) => e.row > 0)
                  .map((e) => (
                    <li>{v.t('directory.imports.example', { row: e.row, reason: reasonIn(v.lang, e.reason) })}</li>
                  ))}
              </ul>
            ) : (
              ''
            ),
          ])}
        />
      )}
    </>
  );
}
