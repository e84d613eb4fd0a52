import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csrfFrom, type TestClient } from '../../platform/testing.ts';
import { app, housingPartnershipId, json, sessionBody } from './testkit.ts';

interface Code {
  id: string;
  name: string;
  parent_id: string | null;
  guid: string;
  description: string | null;
}
interface InputJson {
  id: string;
  participant_name: string | null;
  answers: { id: string; text: string; question_key: string }[];
}

async function setup(t: Awaited<ReturnType<typeof app>>) {
  const lead = await t.signedIn('chair');
  const owner = await housingPartnershipId(t);
  const series = await json<{ id: string }>(lead, 'POST', '/api/listening/series', { title: 'Housing', owner_type: 'partnership', owner_id: owner }, 201);
  const session = await json<{ id: string }>(lead, 'POST', `/api/listening/series/${series.id}/sessions`, sessionBody(), 201);
  const anon = t.client();
  anon.csrf = csrfFrom((await anon.get(`/listening/sessions/${session.id}/input`)).body);
  return { lead, series, session, anon };
}

const count = async (t: Awaited<ReturnType<typeof app>>, table: string) => Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

test('roles: the public submits input but reads none; members cannot code; analysts code but cannot publish', async () => {
  const t = await app();
  try {
    const { lead, series, session, anon } = await setup(t);
    const receipt = await json<{ id: string }>(anon, 'POST', `/api/listening/sessions/${session.id}/inputs`, { organization_type: 'shelter', region: 'west', participant_name: 'Should Not Be Kept', attribution: false, quotable: true, answers: { challenges: 'Not enough beds for the survivors we meet at night.' } }, 201);
    assert.deepEqual(Object.keys(receipt), ['id'], 'the receipt says nothing else');
    assert.equal((await anon.get(`/api/listening/series/${series.id}/inputs`)).statusCode, 401);
    assert.equal((await anon.request('POST', `/api/listening/sessions/${session.id}/inputs`, { json: { kind: 'notes', answers: { challenges: 'x' } } })).statusCode, 403, 'only leads record notes');
    const member = await t.signedIn('member');
    assert.equal((await member.get(`/api/listening/series/${series.id}/inputs`)).statusCode, 403);
    assert.equal((await member.request('POST', `/api/listening/series/${series.id}/codes`, { json: { name: 'Beds' } })).statusCode, 403);
    assert.equal((await member.get(`/listening/series/${series.id}/coding`)).statusCode, 403);
    const analyst = await t.signedIn('analyst');
    const inputs = await json<{ items: InputJson[] }>(analyst, 'GET', `/api/listening/series/${series.id}/inputs`);
    assert.equal(inputs.items[0].participant_name, null, 'no name without agreeing to attribution');
    const code = await json<Code>(analyst, 'POST', `/api/listening/series/${series.id}/codes`, { name: 'Beds' }, 201);
    await json(analyst, 'POST', `/api/listening/series/${series.id}/excerpts`, { answer_id: inputs.items[0].answers[0].id, start_offset: 0, end_offset: 19, code_ids: [code.id] }, 201);
    assert.equal((await analyst.request('POST', `/api/listening/series/${series.id}/publish`, { json: {} })).statusCode, 403);
    assert.equal((await analyst.request('POST', `/api/listening/series/${series.id}/recommendations`, { json: { title: 'x', type: 'policy' } })).statusCode, 403);
    assert.equal((await lead.request('POST', `/api/listening/series/${series.id}/publish`)).statusCode, 200);

    // Bad input: 400 naming the field, nothing changed.
    const before = await count(t, 'listening_excerpts');
    const bad = await analyst.request('POST', `/api/listening/series/${series.id}/excerpts`, { json: { answer_id: inputs.items[0].answers[0].id, start_offset: 10, end_offset: 5000, code_ids: [code.id] } });
    assert.equal(bad.statusCode, 400);
    assert.equal((bad.json() as { errors: { field: string }[] }).errors[0].field, 'end_offset');
    const badQuote = await analyst.request('POST', `/api/listening/series/${series.id}/excerpts`, { json: { answer_id: inputs.items[0].answers[0].id, quote: 'words never written', code_ids: [code.id] } });
    assert.equal((badQuote.json() as { errors: { field: string }[] }).errors[0].field, 'quote');
    const badInput = await anon.request('POST', `/api/listening/sessions/${session.id}/inputs`, { json: { organization_type: 'spaceship', answers: { nonsense: 'x' } } });
    assert.equal(badInput.statusCode, 400);
    assert.ok((badInput.json() as { errors: { field: string }[] }).errors.some((e) => e.field === 'organization_type'));
    assert.equal(await count(t, 'listening_excerpts'), before);
    assert.equal(await count(t, 'listening_inputs'), 1);
  } finally {
    await t.close();
  }
});

test('the public input form is rate-limited', async () => {
  const t = await app();
  try {
    const { session, anon } = await setup(t);
    let last = 0;
    for (let i = 0; i < 21; i++) {
      last = (await anon.request('POST', `/api/listening/sessions/${session.id}/inputs`, { json: { organization_type: 'shelter', region: 'west', answers: { challenges: `Input number ${i}` } } })).statusCode;
    }
    assert.equal(last, 429);
  } finally {
    await t.close();
  }
});

test('.qdc codebook: export and import round trip; malformed XML refused with the reason, nothing changed', async () => {
  const t = await app();
  try {
    const { lead, series } = await setup(t);
    const analyst = await t.signedIn('analyst');
    const top = await json<Code>(analyst, 'POST', `/api/listening/series/${series.id}/codes`, { name: 'Housing & "shelter" <capacity>', description: "Beds, units & vouchers; 'waitlists'" }, 201);
    const child = await json<Code>(analyst, 'POST', `/api/listening/series/${series.id}/codes`, { name: 'Emergency shelter', parent_id: top.id }, 201);
    await json<Code>(analyst, 'POST', `/api/listening/series/${series.id}/codes`, { name: 'Hotel stays', parent_id: child.id }, 201);
    await json<Code>(analyst, 'POST', `/api/listening/series/${series.id}/codes`, { name: 'Language access' }, 201);
    const res = await analyst.get(`/api/listening/series/${series.id}/codebook.qdc`);
    assert.equal(res.statusCode, 200);
    const xml = res.body;
    assert.match(xml, /^<\?xml version="1.0" encoding="utf-8"\?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="Taskforce Hub">/);
    assert.ok(xml.includes('name="Housing &amp; &quot;shelter&quot; &lt;capacity&gt;"'));
    assert.ok(xml.includes('<Description>Beds, units &amp; vouchers; &apos;waitlists&apos;</Description>'));

    const other = await json<{ id: string }>(lead, 'POST', '/api/listening/series', { title: 'Other', owner_type: 'partnership', owner_id: await housingPartnershipId(t) }, 201);
    const post = (id: string, body: string) =>
      t.app.inject({ method: 'POST', url: `/api/listening/series/${id}/codebook.qdc`, payload: body, headers: { 'content-type': 'application/xml', cookie: [...analyst.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': analyst.csrf } });
    const ok = await post(other.id, xml);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { added: 4, existing: 0 });
    const strip = (codes: Code[]) => codes.map((c) => ({ name: c.name, guid: c.guid, description: c.description, parent: codes.find((p) => p.id === c.parent_id)?.guid ?? null }));
    const a = strip((await json<{ items: Code[] }>(analyst, 'GET', `/api/listening/series/${series.id}/codes`)).items);
    const b = strip((await json<{ items: Code[] }>(analyst, 'GET', `/api/listening/series/${other.id}/codes`)).items);
    assert.deepEqual(b, a, 'the same tree, names, descriptions and guids');
    assert.equal((await analyst.get(`/api/listening/series/${other.id}/codebook.qdc`)).body, xml, 'exporting again gives the same file');
    assert.deepEqual((await post(other.id, xml)).json(), { added: 0, existing: 4 }, 'importing twice adds nothing');

    const before = await count(t, 'listening_codes');
    const cases: [string, RegExp][] = [
      ['<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1" name="a" isCodable="true"></Codes></CodeBook>', /<\/Codes> does not match <Code>/],
      ['<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1" name="a & b"/></Codes></CodeBook>', /bare "&"/],
      ['<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1" name="a"/>', /never closed/],
      ['<Project xmlns="urn:QDA-XML:project:1.0"/>', /root element must be <CodeBook>/],
      ['<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="a"/></Codes></CodeBook>', /no guid/],
      ['not xml at all', /expected an element/],
      ['', /empty/],
      ['<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1" name="a"/><Code guid="new" name="b"/><Code guid="1" name="c"/></Codes></CodeBook>', /used twice/],
    ];
    for (const [bad, reason] of cases) {
      const r = await post(other.id, bad);
      assert.equal(r.statusCode, 400, bad);
      const p = r.json() as { errors: { field: string; message: string }[] };
      assert.equal(p.errors[0].field, 'codebook');
      assert.match(p.errors[0].message, reason);
    }
    assert.equal(await count(t, 'listening_codes'), before, 'nothing imported from a refused file');
  } finally {
    await t.close();
  }
});

async function codeAll(c: TestClient, seriesId: string, inputs: InputJson[], codeId: string) {
  for (const i of inputs) await json(c, 'POST', `/api/listening/series/${seriesId}/excerpts`, { answer_id: i.answers[0].id, code_ids: [codeId] }, 201);
}

test('findings: suppression in public views (a cell of 3 neither shown nor derivable), quotes only when agreed, de-identified CSV', async () => {
  const t = await app();
  try {
    const { lead, series, session } = await setup(t);
    const submit = (region: string, i: number, extra: Record<string, unknown> = {}) =>
      json(lead, 'POST', `/api/listening/sessions/${session.id}/inputs`, { organization_type: 'housing_provider', region, quotable: false, answers: { challenges: `Rural landlords will not rent to survivors, number ${i}, and transit is scarce.` }, ...extra }, 201);
    for (let i = 0; i < 12; i++) await submit('northeast', i);
    for (let i = 0; i < 2; i++) await submit('midwest', 100 + i);
    await submit('midwest', 200, { quotable: true, attribution: true, participant_name: 'Ana Quotable', answers: { challenges: 'In our rural county landlords simply will not rent to survivors without a credit history.' } });
    await submit('west', 300, { quotable: false, answers: { challenges: 'A private story about landlords that must never be published anywhere.' } });
    await json(lead, 'POST', `/api/listening/sessions/${session.id}/registrations`, { name: 'Reg Person', email: 'reg.person@provider.example', organization: 'Org', organization_type: 'shelter', region: 'west' }, 201);
    const analyst = await t.signedIn('analyst');
    const rural = await json<Code>(analyst, 'POST', `/api/listening/series/${series.id}/codes`, { name: 'Rural gaps' }, 201);
    const inputs = (await json<{ items: InputJson[] }>(analyst, 'GET', `/api/listening/series/${series.id}/inputs?per_page=100`)).items;
    assert.equal(inputs.length, 16);
    // Every input but the private one from the west. Inputs sent in the same millisecond have no order between
    // them, so the private one is picked by its text, not by its place in the list.
    const coded = inputs.filter((i) => !i.answers.some((a) => a.text.startsWith('A private story')));
    assert.equal(coded.length, 15);
    await codeAll(analyst, series.id, coded, rural.id);

    // The working view shows the real counts to coders.
    const draft = await json<{ by_region: { columns: string[]; rows: { cells: { value: number | null }[]; total: { value: number } }[] } }>(analyst, 'GET', `/api/listening/series/${series.id}/findings`);
    const col = (name: string) => draft.by_region.columns.indexOf(name);
    assert.equal(draft.by_region.rows[0].cells[col('midwest')].value, 3);
    assert.equal(draft.by_region.rows[0].total.value, 15);

    const anon = t.client();
    assert.equal((await anon.get(`/api/listening/series/${series.id}/report`)).statusCode, 404, 'nothing public before publication');
    assert.equal((await anon.get(`/api/listening/series/${series.id}/findings`)).statusCode, 401);
    await json(lead, 'POST', `/api/listening/series/${series.id}/publish`);
    const pub = await json<{ inputs: { value: number | null }; by_region: { columns: string[]; rows: { cells: { value: number | null; suppressed: boolean }[]; total: { value: number | null; suppressed: boolean } }[] }; by_provider_type: { rows: { cells: { value: number | null; suppressed: boolean }[]; total: { value: number | null } }[] }; themes: { quotes: { text: string; name: string | null }[] }[] }>(anon, 'GET', `/api/listening/series/${series.id}/report`);
    const row = pub.by_region.rows[0];
    assert.equal(row.total.value, 15);
    assert.deepEqual(row.cells[col('midwest')], { value: null, suppressed: true, why: 'small' }, 'the cell of 3 is hidden');
    assert.deepEqual(row.cells[col('northeast')], { value: null, suppressed: true, why: 'complementary' }, 'and 12, which with the total would reveal it');
    for (const r of [...pub.by_region.rows, ...pub.by_provider_type.rows]) {
      const hidden = r.cells.filter((c) => c.suppressed).length;
      if (r.total.value !== null) assert.notEqual(hidden, 1, 'no row shows its total with exactly one hidden cell');
      for (const c of r.cells) if (c.value !== null) assert.ok(c.value === 0 || c.value > 10, `a small count ${c.value} is shown`);
    }
    const html = (await anon.get(`/listening/series/${series.id}/report`)).body;
    assert.match(html, /fewer than 11/);
    assert.match(html, /<svg role="img"/);
    assert.equal(html.match(/<h1/g)?.length, 1);
    assert.ok(!html.includes('A private story'), 'no quote from an input that may not be quoted');
    assert.ok(html.includes('Ana Quotable'), 'named only because she agreed');
    assert.deepEqual(pub.themes[0].quotes.map((q) => q.name), ['Ana Quotable']);

    const csv = (await anon.get(`/api/listening/series/${series.id}/report.csv`)).body;
    assert.match(csv.split('\r\n')[0], /^excerpt_id,session_date,question,themes,codes,organization_type,region,quotable,text$/);
    assert.equal(csv.trim().split('\r\n').length, 16);
    assert.ok(!csv.includes('Ana Quotable') && !csv.includes('@') && !/Test (analyst|chair)/i.test(csv), 'no names, e-mails or coders');
    const es = await anon.get(`/listening/series/${series.id}/report`, { cookie: 'lang=es' });
    assert.match(es.body, /menos de 11/);
  } finally {
    await t.close();
  }
});

test('suggestions through the API: deterministic, accepted into a code with tags, rejected ones hidden', async () => {
  const t = await app();
  try {
    const { lead, series, session } = await setup(t);
    const texts = [
      'Landlords refuse tenants without credit history and ask for a co-signer.',
      'Most landlords run credit checks and survivors have no credit history.',
      'Property managers and landlords screen out applicants with poor credit.',
      'Interpreters are hard to find; we need Spanish language interpreters.',
      'Language access is poor: no Spanish interpreters for housing appointments.',
    ];
    for (const text of texts) await json(lead, 'POST', `/api/listening/sessions/${session.id}/inputs`, { organization_type: 'shelter', region: 'west', answers: { challenges: text } }, 201);
    const analyst = await t.signedIn('analyst');
    type S = { fingerprint: string; label: string; member_ids: string[] };
    const first = await json<S[]>(analyst, 'GET', `/api/listening/series/${series.id}/suggestions`);
    const second = await json<S[]>(analyst, 'GET', `/api/listening/series/${series.id}/suggestions`);
    assert.deepEqual(second, first);
    assert.equal(first.length, 2, first.map((s) => s.label).join(' | '));
    const landlord = first.find((s) => s.member_ids.length === 3)!;
    const accepted = await json<{ code_id: string; excerpts: number }>(analyst, 'POST', `/api/listening/series/${series.id}/suggestions/accept`, { fingerprint: landlord.fingerprint, name: 'Landlord screening' });
    assert.equal(accepted.excerpts, 3);
    const codes = (await json<{ items: { id: string; name: string; excerpts: number }[] }>(analyst, 'GET', `/api/listening/series/${series.id}/codes`)).items;
    assert.deepEqual(codes.map((c) => [c.name, c.excerpts]), [['Landlord screening', 3]]);
    const other = first.find((s) => s !== landlord)!;
    await json(analyst, 'POST', `/api/listening/series/${series.id}/suggestions/reject`, { fingerprint: other.fingerprint });
    assert.deepEqual(await json<S[]>(analyst, 'GET', `/api/listening/series/${series.id}/suggestions`), []);
    assert.equal((await analyst.request('POST', `/api/listening/series/${series.id}/suggestions/accept`, { json: { fingerprint: other.fingerprint } })).statusCode, 404);
    assert.equal((await (await t.signedIn('member')).get(`/api/listening/series/${series.id}/suggestions`)).statusCode, 403);
  } finally {
    await t.close();
  }
});
