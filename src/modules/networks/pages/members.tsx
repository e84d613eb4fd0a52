/** The member organisations of a network: add one, change its role, remove it. */
import type { FastifyReply } from 'fastify';
import { notFound, type FieldError } from '../../../platform/http/errors.ts';
import { rawValues, submitForm, type FormValues } from '../../../platform/http/forms.ts';
import { IdParams, hidden } from '../../../platform/http/schemas.ts';
import { formBody } from '../../../platform/http/validation.ts';
import type { App } from '../../../platform/module.ts';
import type { View } from '../../../platform/web/view.ts';
import { FormPage, Select, TextArea, TextInput } from '../../../platform/web/components.tsx';
import { organizationChoices } from '../../directory/index.ts';
import * as commands from '../commands.ts';
import { FormPost, MEMBER_ROLES, MemberParams, type Member, type Network } from '../schema.ts';
import { EDITORS, LIST_FIELDS, crumbs, editable, localErrors, roleLabel, str, type EditTarget } from './shared.tsx';

function MemberForm({ v, n, values, errors, orgs, edit }: { v: View; n: Network; values: FormValues; errors?: FieldError[]; orgs: { id: string; name: string }[]; edit?: EditTarget & { member: string } }) {
  const taken = new Set(n.members.map((m) => m.directory_organization_id));
  const val = (k: string) => str(values[k]);
  return (
    <FormPage v={v} save={v.t('networks.save')} title={edit?.title ?? v.t('networks.member.add')} action={edit?.action ?? `/networks/${n.id}/members/new`} errors={localErrors(v, errors)} labels={{ directory_organization_id: v.t('networks.field.organization'), role: v.t('networks.field.role'), joined_on: v.t('networks.field.joined_on'), note: v.t('networks.field.note') }} cancel={`/networks/${n.id}`} crumbs={crumbs(v, [{ href: `/networks/${n.id}`, label: n.name }])}>
      {edit ? (
        <p>
          {v.t('networks.field.organization')}: <strong>{edit.member}</strong>
        </p>
      ) : (
        <Select name="directory_organization_id" label={v.t('networks.field.organization')} required blank={v.t('networks.choose')} value={val('directory_organization_id')} options={orgs.filter((o) => !taken.has(o.id)).map((o) => ({ value: o.id, label: o.name }))} errors={localErrors(v, errors)} />
      )}
      <Select name="role" label={v.t('networks.field.role')} required blank={v.t('networks.choose')} value={val('role')} options={MEMBER_ROLES.map((r) => ({ value: r, label: roleLabel(v, r) }))} errors={localErrors(v, errors)} />
      <TextInput name="joined_on" type="date" label={v.t('networks.field.joined_on')} value={val('joined_on')} errors={localErrors(v, errors)} />
      <TextArea name="note" label={v.t('networks.field.note')} value={val('note')} errors={localErrors(v, errors)} />
    </FormPage>
  );
}

function memberOf(n: Network, organizationId: string): Member {
  const m = n.members.find((x) => x.directory_organization_id === organizationId);
  if (!m) throw notFound();
  return m;
}

export async function memberPages(app: App): Promise<void> {
  const addPage = async (reply: FastifyReply, v: View, n: Network, values: FormValues, errors?: FieldError[]) => {
    const orgs = await organizationChoices(reply.request.ctx.db);
    return reply.page(v.t('networks.member.add'), <MemberForm v={v} n={n} values={values} errors={errors} orgs={orgs} />, errors ? 400 : 200);
  };
  app.get('/networks/:id/members/new', { config: EDITORS, schema: { ...hidden, params: IdParams } }, async (req, reply) => addPage(reply, req.view(), await editable(req.ctx, req.params.id), {}));
  app.post('/networks/:id/members/new', { config: EDITORS, schema: { ...hidden, params: IdParams, body: FormPost } }, async (req, reply) => {
    const n = await editable(req.ctx, req.params.id);
    return submitForm(
      reply,
      async () => {
        await commands.addMember(req.ctx, n.id, formBody(req.body), { coerce: true });
        return `/networks/${n.id}`;
      },
      (errors) => addPage(reply, req.view(), n, rawValues(req.body), errors),
      { listFields: LIST_FIELDS },
    );
  });

  const editPage = (reply: FastifyReply, v: View, n: Network, m: Member, values: FormValues, errors?: FieldError[]) => {
    const title = v.t('networks.member.edit', { name: m.name });
    const edit = { action: `/networks/${n.id}/members/${m.directory_organization_id}/edit`, title, member: m.name };
    return reply.page(title, <MemberForm v={v} n={n} values={values} errors={errors} orgs={[]} edit={edit} />, errors ? 400 : 200);
  };
  app.get('/networks/:id/members/:organizationId/edit', { config: EDITORS, schema: { ...hidden, params: MemberParams } }, async (req, reply) => {
    const n = await editable(req.ctx, req.params.id);
    const m = memberOf(n, req.params.organizationId);
    return editPage(reply, req.view(), n, m, { role: m.role, joined_on: m.joined_on ?? '', note: m.note ?? '' });
  });
  app.post('/networks/:id/members/:organizationId/edit', { config: EDITORS, schema: { ...hidden, params: MemberParams, body: FormPost } }, async (req, reply) => {
    const n = await editable(req.ctx, req.params.id);
    const m = memberOf(n, req.params.organizationId);
    const form = formBody(req.body);
    return submitForm(
      reply,
      async () => {
        await commands.updateMember(req.ctx, n.id, m.directory_organization_id, { role: form.role, joined_on: form.joined_on ?? null, note: form.note ?? null }, { coerce: true });
        return `/networks/${n.id}`;
      },
      (errors) => editPage(reply, req.view(), n, m, rawValues(req.body), errors),
      { listFields: LIST_FIELDS },
    );
  });
  app.post('/networks/:id/members/:organizationId/remove', { config: EDITORS, schema: { ...hidden, params: MemberParams } }, async (req, reply) => {
    await commands.removeMember(req.ctx, req.params.id, req.params.organizationId);
    return reply.redirect(`/networks/${req.params.id}`, 303);
  });
}
