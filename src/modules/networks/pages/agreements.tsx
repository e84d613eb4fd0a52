/** A network's agreements (MOUs): record one, change it, remove it. */
import type { FastifyReply } from 'fastify';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { Ctx } from '../../../platform/context.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { Checkboxes, FormPage, Select, TextArea, TextInput } from '../../../platform/web/components.tsx';
import * as commands from '../commands.ts';
import { AgreementParams, FormPost, type Agreement, type Network } from '../schema.ts';
import { getAgreement } from '../store.ts';
import { EDITORS, LIST_FIELDS, crumbs, editable, localErrors, list, str, type EditTarget } from './shared.tsx';

function AgreementForm({ v, n, values, errors, edit }: { v: View; n: Network; values: FormValues; errors?: FieldError[]; edit?: EditTarget }) {
  const val = (k: string) => str(values[k]);
  return (
    <FormPage v={v} save={v.t('networks.save')} title={edit?.title ?? v.t('networks.agreement.add')} action={edit?.action ?? `/networks/${n.id}/agreements/new`} errors={localErrors(v, errors)} labels={{ title: v.t('networks.field.title'), directory_organization_id: v.t('networks.field.party'), on_file: v.t('networks.field.on_file'), signed_on: v.t('networks.field.signed_on'), expires_on: v.t('networks.field.expires_on'), note: v.t('networks.field.note') }} cancel={`/networks/${n.id}`} crumbs={crumbs(v, [{ href: `/networks/${n.id}`, label: n.name }])}>
      <TextInput name="title" label={v.t('networks.field.title')} hint={v.t('networks.field.title.hint')} required value={val('title')} errors={localErrors(v, errors)} />
      <Select name="directory_organization_id" label={v.t('networks.field.party')} blank={v.t('networks.party.network')} value={val('directory_organization_id')} options={n.members.map((m) => ({ value: m.directory_organization_id, label: m.name }))} errors={localErrors(v, errors)} />
      <Checkboxes name="on_file" label={v.t('networks.field.on_file')} values={list(values.on_file)} options={[{ value: 'true', label: v.t('networks.field.on_file.yes') }]} errors={localErrors(v, errors)} />
      <TextInput name="signed_on" type="date" label={v.t('networks.field.signed_on')} value={val('signed_on')} errors={localErrors(v, errors)} />
      <TextInput name="expires_on" type="date" label={v.t('networks.field.expires_on')} value={val('expires_on')} errors={localErrors(v, errors)} />
      <TextArea name="note" label={v.t('networks.field.note')} value={val('note')} errors={localErrors(v, errors)} />
    </FormPage>
  );
}

async function agreementOf(ctx: Ctx, n: Network, agreementId: string): Promise<Agreement> {
  const a = await getAgreement(ctx.db, n.id, agreementId);
  if (!a) throw notFound();
  return a;
}

export async function agreementPages(app: App): Promise<void> {
  const addPage = (reply: FastifyReply, v: View, n: Network, values: FormValues, errors?: FieldError[]) =>
    reply.page(v.t('networks.agreement.add'), <AgreementForm v={v} n={n} values={values} errors={localErrors(v, errors)} />, errors ? 400 : 200);
  app.get('/networks/:id/agreements/new', { config: EDITORS, schema: { ...hidden, params: IdParams } }, async (req, reply) => addPage(reply, req.view(), await editable(req.ctx, req.params.id), {}));
  app.post('/networks/:id/agreements/new', { config: EDITORS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const n = await editable(req.ctx, req.params.id);
    const form = formBody(req.body);
    return submitForm(
      reply,
      async () => {
        await commands.addAgreement(req.ctx, n.id, { ...form, on_file: list(form.on_file).includes('true') }, { coerce: true });
        return `/networks/${n.id}`;
      },
      (errors) => addPage(reply, req.view(), n, rawValues(req.body), errors),
      { listFields: LIST_FIELDS },
    );
  });

  const editPage = (reply: FastifyReply, v: View, n: Network, a: Agreement, values: FormValues, errors?: FieldError[]) => {
    const title = v.t('networks.agreement.edit', { name: a.title });
    return reply.page(title, <AgreementForm v={v} n={n} values={values} errors={errors} edit={{ action: `/networks/${n.id}/agreements/${a.id}/edit`, title }} />, errors ? 400 : 200);
  };
  app.get('/networks/:id/agreements/:agreementId/edit', { config: EDITORS, schema: { ...hidden, params: AgreementParams } }, async (req, reply) => {
    const n = await editable(req.ctx, req.params.id);
    const a = await agreementOf(req.ctx, n, req.params.agreementId);
    return editPage(reply, req.view(), n, a, { title: a.title, directory_organization_id: a.directory_organization_id ?? '', on_file: a.on_file ? ['true'] : [], signed_on: a.signed_on ?? '', expires_on: a.expires_on ?? '', note: a.note ?? '' });
  });
  app.post('/networks/:id/agreements/:agreementId/edit', { config: EDITORS, schema: { ...hidden, params: AgreementParams, body: FormPost } }, async (req, reply) => {
    const n = await editable(req.ctx, req.params.id);
    const a = await agreementOf(req.ctx, n, req.params.agreementId);
    const form = formBody(req.body);
    const input = { title: form.title, directory_organization_id: form.directory_organization_id ?? null, on_file: list(form.on_file).includes('true'), signed_on: form.signed_on ?? null, expires_on: form.expires_on ?? null, note: form.note ?? null };
    return submitForm(
      reply,
      async () => {
        await commands.updateAgreement(req.ctx, n.id, a.id, input, { coerce: true });
        return `/networks/${n.id}`;
      },
      (errors) => editPage(reply, req.view(), n, a, rawValues(req.body), errors),
      { listFields: LIST_FIELDS },
    );
  });
  app.post('/networks/:id/agreements/:agreementId/remove', { config: EDITORS, schema: { ...hidden, params: AgreementParams } }, async (req, reply) => {
    await commands.removeAgreement(req.ctx, req.params.id, req.params.agreementId);
    return reply.redirect(`/networks/${req.params.id}`, 303);
  });
}
