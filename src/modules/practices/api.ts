/** The practices module's JSON routes under /api/practices, each with its schema (validation, types, OpenAPI). */
import { Type } from '@sinclair/typebox';
import type { Ctx } from '../../platform/context.ts';
import type { App } from '../../platform/module.ts';
import { notFound } from '../../platform/http/errors.ts';
import { IdParams, ProblemRef, readErrors, secured as security, writeErrors, pageOf } from '../../platform/http/schemas.ts';

import { cohensKappa } from '../listening/index.ts';
import * as commands from './commands.ts';
import { atomFeed } from './feed.ts';
import { LEAD, MANAGE, NOMINATE, REVIEW } from './permissions.ts';
import { practiceFor, practicesCsv, studyFor, summaryOf } from './presenters.ts';
import {
  AgreementOut,
  ImportOut,
  LINK_KINDS,
  LinkInput,
  NominationCreate,
  NominationDecision,
  NominationOut,
  PracticeCreate,
  PracticeOut,
  PracticePatch,
  ReconcileInput,
  ReviewInput,
  RuleSetInput,
  RuleSetOut,
  SearchOut,
  SearchQuery,
  StudyCreate,
  StudyImport,
  StudyOut,
  StudyPatch,
  SubscribeInput,
  TokenInput,
} from './schema.ts';
import * as store from './store.ts';
import { searchFilters } from './search.ts';
import { CITATION_FILE_MAX_BYTES, asFileProblems, citationTextOf } from './upload.ts';

const TAGS = ['Practices'];
const PUBLIC = { access: 'public', publicCache: true } as const;
const ANYONE = { access: 'public' } as const;
const MANAGERS = { access: { permission: MANAGE } } as const;
const REVIEWERS = { access: { permission: REVIEW } } as const;
const LEADS = { access: { permission: LEAD } } as const;
const NOMINATORS = { access: { permission: NOMINATE } } as const;
const signedInErrors = { ...readErrors, 401: ProblemRef, 403: ProblemRef };
const Accepted = Type.Object({ status: Type.String() });

async function practiceOr404(ctx: Ctx, id: string): Promise<store.Practice> {
  const p = await store.getPractice(ctx.db, id);
  if (!p) throw notFound('No such practice.');
  return p;
}

async function studyOr404(ctx: Ctx, id: string): Promise<store.Study> {
  const s = await store.getStudy(ctx.db, id);
  if (!s) throw notFound('No such study.');
  return s;
}

export async function practicesApi(app: App): Promise<void> {
  app.get(
    '/api/practices',
    {
      config: PUBLIC,
      schema: {
        tags: TAGS,
        summary: 'Search practices, with facets',
        description: 'Words in `q` match name, summary and components (prefixes count). Filters: `population` (a directory population term), `outcome` (an outcome domain), `rating` (with `outcome`: that rating on that outcome), `setting`, `design` (of any of its studies). `facets` counts every value over the whole match.',
        querystring: SearchQuery,
        response: { 200: SearchOut, ...readErrors },
      },
    },
    async (req) => {
      const { page, perPage, offset } = pageOf(req.query);
      const f = searchFilters(req.query);
      const res = await store.searchPractices(req.ctx.db, req.ctx.dbKind, { ...f, limit: perPage, offset });
      return { items: res.items.map(summaryOf), total: res.total, page, per_page: perPage, facets: res.facets };
    },
  );

  app.get(
    '/api/practices/export.csv',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'Every practice with its ratings, as CSV', description: 'One row per practice and outcome: id, name, setting, populations, outcome_domains, source, demo, url, outcome, rating, evidence, studies, rule_version.', produces: ['text/csv'], response: { 200: Type.String() } } },
    async (req, reply) => reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="practices.csv"').send(practicesCsv(await store.allPractices(req.ctx.db), req.ctx.config.publicUrl)),
  );

  app.get(
    '/api/practices/export.json',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'Every practice with its ratings, as JSON', response: { 200: Type.Object({ items: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), summary: Type.String(), setting: Type.String(), populations: Type.Array(Type.String()), outcome_domains: Type.Array(Type.String()), ratings: Type.Array(Type.Object({ domain: Type.String(), rating: Type.String(), evidence: Type.String() })), demo: Type.Boolean(), updated_at: Type.String() })) }) } } },
    async (req, reply) => reply.header('content-disposition', 'attachment; filename="practices.json"').send({ items: (await store.allPractices(req.ctx.db)).map(summaryOf) }),
  );

  app.get(
    '/api/practices/feed.atom',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'Atom feed of new and re-rated practices', description: 'The 50 latest events, newest first.', produces: ['application/atom+xml'], response: { 200: Type.String() } } },
    async (req, reply) => reply.type('application/atom+xml; charset=utf-8').send(atomFeed(await store.listEvents(req.ctx.db, { limit: 50 }), req.ctx.config.publicUrl)),
  );

  app.get(
    '/api/practices/rules',
    { config: PUBLIC, schema: { tags: TAGS, summary: 'Every version of the rating rules, newest first', description: 'Rules are tried in order; the first that holds gives the rating of an outcome; none: inconclusive.', response: { 200: Type.Array(RuleSetOut) } } },
    async (req) => store.listRuleSets(req.ctx.db),
  );
  app.post(
    '/api/practices/rules',
    { config: MANAGERS, schema: { tags: TAGS, summary: 'Save a new version of the rating rules and re-rate every practice', security, body: RuleSetInput, response: { 201: Type.Object({ version: Type.Integer(), rerated: Type.Integer() }), ...writeErrors } } },
    async (req, reply) => reply.code(201).send(await commands.saveRuleSet(req.ctx, req.body)),
  );

  app.get('/api/practices/agreement', { config: REVIEWERS, schema: { tags: TAGS, summary: "Reviewers' agreement (Cohen's kappa over studies rated twice)", security, response: { 200: AgreementOut, ...signedInErrors } } }, async (req) => agreementOf(req.ctx));

  // ---------- nominations and digest (static paths before /:id) ----------

  app.post('/api/practices/nominations', { config: NOMINATORS, schema: { tags: TAGS, summary: 'Nominate a practice with its materials', security, body: NominationCreate, response: { 201: NominationOut, ...writeErrors } } }, async (req, reply) => reply.code(201).send(nominationOut(await commands.nominate(req.ctx, req.body))));
  app.get('/api/practices/nominations', { config: MANAGERS, schema: { tags: TAGS, summary: 'The moderation queue (pending nominations, oldest first) or nominations by status', security, querystring: Type.Object({ status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('declined')])) }), response: { 200: Type.Array(NominationOut), ...signedInErrors } } }, async (req) =>
    (await store.listNominations(req.ctx.db, { status: req.query.status ?? 'pending' })).map(nominationOut),
  );
  app.get('/api/practices/nominations/mine', { config: NOMINATORS, schema: { tags: TAGS, summary: "One's own nominations and their outcome", security, response: { 200: Type.Array(NominationOut), ...signedInErrors } } }, async (req) => (await store.listNominations(req.ctx.db, { nominatorId: req.ctx.actor!.id })).map(nominationOut));
  app.post('/api/practices/nominations/:id/decision', { config: MANAGERS, schema: { tags: TAGS, summary: 'Accept (a practice is made from it) or decline (with a reason) a nomination; the nominator is e-mailed', security, params: IdParams, body: NominationDecision, response: { 200: NominationOut, ...writeErrors } } }, async (req) =>
    nominationOut(await commands.decideNomination(req.ctx, req.params.id, req.body)),
  );

  app.post('/api/practices/digest/subscribe', { config: ANYONE, schema: { tags: TAGS, summary: 'Ask for the e-mail digest; a confirmation link is e-mailed (double opt-in)', body: SubscribeInput, response: { 202: Accepted, ...writeErrors } } }, async (req, reply) => {
    await commands.subscribe(req.ctx, req.body);
    return reply.code(202).send({ status: 'confirmation sent' });
  });
  app.post('/api/practices/digest/confirm', { config: ANYONE, schema: { tags: TAGS, summary: 'Confirm a digest subscription with the e-mailed token', body: TokenInput, response: { 200: Accepted, ...writeErrors } } }, async (req) => {
    await commands.confirmSubscription(req.ctx, req.body);
    return { status: 'subscribed' };
  });
  app.post('/api/practices/digest/unsubscribe', { config: ANYONE, schema: { tags: TAGS, summary: "Unsubscribe with the token of a digest's link", body: TokenInput, response: { 200: Accepted, ...writeErrors } } }, async (req) => {
    await commands.unsubscribe(req.ctx, req.body);
    return { status: 'unsubscribed' };
  });

  // ---------- studies ----------

  app.get('/api/practices/studies/:id', { config: ANYONE, schema: { tags: TAGS, summary: 'One study; reviews are shown to their reviewers (blind until both rated), leads and the committee', params: IdParams, response: { 200: StudyOut, ...readErrors } } }, async (req) => studyFor(req.ctx, await studyOr404(req.ctx, req.params.id)));
  app.patch('/api/practices/studies/:id', { config: MANAGERS, schema: { tags: TAGS, summary: "Change a study (citation, design, sample, outcomes); send the version you read. The practice's ratings are recomputed", security, params: IdParams, body: StudyPatch, response: { 200: StudyOut, ...writeErrors } } }, async (req) =>
    studyFor(req.ctx, await commands.updateStudy(req.ctx, req.params.id, req.body)),
  );
  app.post('/api/practices/studies/:id/reviews', { config: REVIEWERS, schema: { tags: TAGS, summary: "Rate a study against the causal-evidence rubric (one of its two independent reviewers)", security, params: IdParams, body: ReviewInput, response: { 200: StudyOut, ...writeErrors } } }, async (req) =>
    studyFor(req.ctx, await commands.reviewStudy(req.ctx, req.params.id, req.body)),
  );
  app.post('/api/practices/studies/:id/reconciliation', { config: LEADS, schema: { tags: TAGS, summary: "Settle two reviewers' disagreement with a reason (a lead who did not rate it)", security, params: IdParams, body: ReconcileInput, response: { 200: StudyOut, ...writeErrors } } }, async (req) =>
    studyFor(req.ctx, await commands.reconcileStudy(req.ctx, req.params.id, req.body)),
  );

  // ---------- practices ----------

  app.post('/api/practices', { config: MANAGERS, schema: { tags: TAGS, summary: 'Add a practice', security, body: PracticeCreate, response: { 201: PracticeOut, ...writeErrors } } }, async (req, reply) => reply.code(201).send(await practiceFor(req.ctx, await commands.createPractice(req.ctx, req.body))));
  app.get('/api/practices/:id', { config: PUBLIC, schema: { tags: TAGS, summary: 'One practice with its ratings per outcome (and the rule that produced each) and its links', params: IdParams, response: { 200: PracticeOut, ...readErrors } } }, async (req) => practiceFor(req.ctx, await practiceOr404(req.ctx, req.params.id)));
  app.patch('/api/practices/:id', { config: MANAGERS, schema: { tags: TAGS, summary: 'Change a practice; send the version you read', security, params: IdParams, body: PracticePatch, response: { 200: PracticeOut, ...writeErrors } } }, async (req) =>
    practiceFor(req.ctx, await commands.updatePractice(req.ctx, req.params.id, req.body)),
  );
  app.get('/api/practices/:id/studies', { config: ANYONE, schema: { tags: TAGS, summary: "A practice's studies", params: IdParams, response: { 200: Type.Array(StudyOut), ...readErrors } } }, async (req) => {
    const p = await practiceOr404(req.ctx, req.params.id);
    return (await store.listStudies(req.ctx.db, p.id)).map((s) => studyFor(req.ctx, s));
  });
  app.post('/api/practices/:id/studies', { config: MANAGERS, schema: { tags: TAGS, summary: 'Add a study by hand', security, params: IdParams, body: StudyCreate, response: { 201: StudyOut, ...writeErrors } } }, async (req, reply) =>
    reply.code(201).send(studyFor(req.ctx, await commands.createStudy(req.ctx, req.params.id, req.body))),
  );
  app.post(
    '/api/practices/:id/studies/import',
    {
      config: MANAGERS,
      schema: {
        tags: TAGS,
        summary: 'Add studies from an RIS or BibTeX file (all or nothing)',
        description: 'JSON with the file\'s text in `text`, or multipart/form-data with the file itself in the field `file` (or its text in `text`) and `design`. A file with any bad record is refused with each problem naming its record (by line) and field, under `file` for an uploaded file or `text`; nothing is added.',
        security,
        params: IdParams,
        body: {
          content: {
            'application/json': { schema: StudyImport },
            'multipart/form-data': {
              schema: Type.Object({
                file: Type.Optional(Type.String({ format: 'binary', description: `The .ris or .bib file (at most ${CITATION_FILE_MAX_BYTES / 1024 / 1024} MB).` })),
                text: Type.Optional(Type.String({ maxLength: CITATION_FILE_MAX_BYTES, description: "The file's text, when no file is sent." })),
                design: StudyImport.properties.design,
              }),
            },
          },
        },
        response: { 201: ImportOut, ...writeErrors },
      },
    },
    async (req, reply) => {
      let input: unknown = req.body;
      let fromFile = false;
      if (req.isMultipart()) {
        // The multipart schema above has checked the fields; narrowed here, not cast.
        const body: unknown = req.body;
        const fields = typeof body === 'object' && body !== null ? body : {};
        const got = citationTextOf(req, 'text' in fields && typeof fields.text === 'string' ? fields.text : undefined);
        input = { text: got.text, design: 'design' in fields ? fields.design : undefined };
        fromFile = got.fromFile;
      }
      const imported = await asFileProblems(fromFile, () => commands.importStudies(req.ctx, req.params.id, input));
      return reply.code(201).send({ imported: imported.map((s) => studyFor(req.ctx, s)) });
    },
  );
  app.post('/api/practices/:id/links', { config: MANAGERS, schema: { tags: TAGS, summary: `Link a practice to a directory service, listening recommendation or series (findings), or work-plan item (${LINK_KINDS.join(', ')})`, security, params: IdParams, body: LinkInput, response: { 200: PracticeOut, ...writeErrors } } }, async (req) => {
    await commands.addLink(req.ctx, req.params.id, req.body);
    return practiceFor(req.ctx, await practiceOr404(req.ctx, req.params.id));
  });
  app.post('/api/practices/:id/links/remove', { config: MANAGERS, schema: { tags: TAGS, summary: 'Remove a link', security, params: IdParams, body: LinkInput, response: { 200: PracticeOut, ...writeErrors } } }, async (req) => {
    await commands.removeLink(req.ctx, req.params.id, req.body);
    return practiceFor(req.ctx, await practiceOr404(req.ctx, req.params.id));
  });
}

export async function agreementOf(ctx: Ctx) {
  const pairs = await store.reviewPairs(ctx.db);
  const k = cohensKappa(pairs);
  return { studies: k.n, agreed: pairs.filter(([a, b]) => a === b).length, kappa: k.kappa, observed: k.observed, expected: k.expected };
}

function nominationOut(n: store.Nomination) {
  const { nominator_id: _id, nominator_email: _email, ...rest } = n;
  return rest;
}


