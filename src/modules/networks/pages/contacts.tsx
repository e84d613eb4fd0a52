/** A network's contact people: add one, change one, remove one. */
import type { FastifyReply } from 'fastify';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { Ctx } from '../../../platform/context.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { FormPage, Select, TextInput } from '../../../platform/web/components.tsx';
import * as commands from '../commands.ts';
import { ContactParams, FormPost, type Contact, type Network } from '../schema.ts';
import { getContact } from '../store.ts';
import { EDITORS, LIST_FIELDS, crumbs, editable, localErrors, str, type EditTarget } from './shared.tsx';

function ContactForm({ v, n, values, errors, edit }: { v: View; n: Network; values: FormValues; errors?: FieldError[]; edit?: EditTarget }) {
  const val = (k: string) => str(values[k]);
  return (
    <FormPage v={v} save={v.t('networks.save')} title={edit?.title ?? v.t('networks.contact.add')} action={edit?.action ?? `/networks/${n.id}/contacts/new`} errors={localErrors(v, errors)} labels={{ name: v.t('networks.field.person'), title: v.t('networks.field.person_title'), directory_organization_id: v.t('networks.field.organization'), email: v.t('networks.field.email'), phone: v.t('networks.field.phone') }} cancel={`/networks/${n.id}`} crumbs={crumbs(v, [{ href: `/networks/${n.id}`, label: n.name }])}>
      <TextInput name="name" label={v.t('networks.field.person')} required autocomplete="off" value={val('name')} errors={localErrors(v, errors)} />
      <TextInput name="title" label={v.t('networks.field.person_title')} value={val('title')} errors={localErrors(v, errors)} />
      <Select name="directory_organization_id" label={v.t('networks.field.organization')} blank={v.t('networks.none')} value={val('directory_organization_id')} options={n.members.map((m) => ({ value: m.directory_organization_id, label: m.name }))} errors={localErrors(v, errors)} />
      <TextInput name="email" type="email" label={v.t('networks.field.email')} autocomplete="off" value={val('email')} errors={localErrors(v, errors)} />
      <TextInput name="phone" type="tel" label={v.t('networks.field.phone')} autocomplete="off" value={val('phone')} errors={localErrors(v, errors)} />
    </FormPage>
  );
}

async function contactOf(ctx: Ctx, n: Network, contactId: string): Promise<Contact> {
  const c = await getContact(ctx.db, n.id, contactId);
  if (!c) throw notFound();
  return c;
}

export async function contactPages(app: App): Promise<void> {
  const addPage = (reply: FastifyReply, v: View, n: Network, values: FormValues, errors?: FieldError[]) =>
    reply.page(v.t('networks.contact.add'), <ContactForm v={v} n={n} values={values} errors={localErrors(v, errors)} />, errors ? 400 : 200);
  app.get('/networks/:id/contacts/new', { config: EDITORS, schema: { ...hidden, params: IdParams } }, async (req, reply) => addPage(reply, req.view(), await editable(req.ctx, req.params.id), {}));
  app.post('/networks/:id/contacts/new', { config: EDITORS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const n = await editable(req.ctx, req.params.id);
    return submitForm(
      reply,
      async () => {
        await commands.addContact(req.ctx, n.id, formBody(req.body), { coerce: true });
        return `/networks/${n.id}`;
      },
      (errors) => addPage(reply, req.view(), n, rawValues(req.body), errors),
      { listFields: LIST_FIELDS },
    );
  });

  const editPage = (reply: FastifyReply, v: View, n: Network, c: Contact, values: FormValues, errors?: FieldError[]) => {
    const title = v.t('networks.contact.edit', { name: c.name });
    return reply.page(title, <ContactForm v={v} n={n} values={values} errors={errors} edit={{ action: `/networks/${n.id}/contacts/${c.id}/edit`, title }} />, errors ? 400 : 200);
  };
  app.get('/networks/:id/contacts/:contactId/edit', { config: EDITORS, schema: { ...hidden, params: ContactParams } }, async (req, reply) => {
    const n = await editable(req.ctx, req.params.id);
    const c = await contactOf(req.ctx, n, req.params.contactId);
    return editPage(reply, req.view(), n, c, { name: c.name, title: c.title ?? '', directory_organization_id: c.directory_organization_id ?? '', email: c.email ?? '', phone: c.phone ?? '' });
  });
  app.post('/networks/:id/contacts/:contactId/edit', { config: EDITORS, schema: { ...hidden, params: ContactParams, body: FormPost } }, async (req, reply) => {
    const n = await editable(req.ctx, req.params.id);
    const c = await contactOf(req.ctx, n, req.params.contactId);
    const form = formBody(req.body);
    const input = { name: form.name, title: form.title ?? null, directory_organization_id: form.directory_organization_id ?? null, email: form.email ?? null, phone: form.phone ?? null };
    return submitForm(
      reply,
      async () => {
        await commands.updateContact(req.ctx, n.id, c.id, input, { coerce: true });
        return `/networks/${n.id}`;
      },
      (errors) => editPage(reply, req.view(), n, c, rawValues(req.body), errors),
      { listFields: LIST_FIELDS },
    );
  });
  app.post('/networks/:id/contacts/:contactId/remove', { config: EDITORS, schema: { ...hidden, params: ContactParams } }, async (req, reply) => {
    await commands.removeContact(req.ctx, req.params.id, req.params.contactId);
    return reply.redirect(`/networks/${req.params.id}`, 303);
  });
}
