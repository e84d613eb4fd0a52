/**
 * The practices pages over the demo data: each page answers in English and Spanish with no untranslated key, the
 * demo is marked as demo and shows every rating, the search filters and counts, bad input is refused in the reader's
 * language naming the field and changing nothing, and the exports and feed are well formed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { modules } from '../index.ts';
import { seedDemo } from '../../platform/seed.ts';
import { parseCsv } from '../../platform/http/csv.ts';
import { testApp } from '../../platform/testing.ts';
import { assertFacetCounts } from './testkit.ts';

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/\s+/g, ' ');

test('the practices pages over the demo data, in both languages', async () => {
  const t = await testApp();
  try {
    await seedDemo(t.ctx, modules, () => {});
    const api = (await t.client().get('/api/practices?per_page=50')).json() as { items: { id: string; name: string; demo: boolean; ratings: { domain: string; rating: string }[] }[]; total: number; facets: Record<string, { value: string; count: number }[]> };
    assert.equal(api.total, 5);
    assert.ok(api.items.every((p) => p.demo && p.name.endsWith('(demo)')), 'every demo practice is marked as demo');
    const ratings = new Set(api.items.flatMap((p) => p.ratings.map((r) => r.rating)));
    assert.deepEqual([...ratings].sort(), ['effective', 'inconclusive', 'negative_effects', 'no_effects', 'promising']);
    assert.deepEqual(api.facets.rating.map((f) => f.value).sort(), ['effective', 'negative_effects', 'no_effects', 'promising']);

    // Filters: the effective one on employment; a rating on an outcome means that rating on that outcome.
    const effective = (await t.client().get('/api/practices?outcome=employment&rating=effective')).json() as { items: { name: string }[] };
    assert.deepEqual(effective.items.map((p) => p.name), ['Sector job training with trauma-informed coaching (demo)']);
    const words = (await t.client().get('/api/practices?q=housing')).json() as { items: { name: string }[] };
    assert.deepEqual(words.items.map((p) => p.name), ['Rapid re-housing with employment navigation (demo)']);
    assert.equal((await t.client().get('/api/practices?design=implementation')).json().total, 1);

    const sector = api.items.find((p) => p.name.startsWith('Sector'))!;
    const full = (await t.client().get(`/api/practices/${sector.id}`)).json() as { links: { kind: string }[] };
    assert.deepEqual(full.links.map((l) => l.kind).sort(), ['recommendation', 'series', 'service', 'workplan_item'], 'the demo shows each kind of link');
    const studyId = (await t.client().get(`/api/practices/${sector.id}/studies`)).json()[0].id as string;

    const chair = await t.signedIn('chair');
    const pages = ['/practices', `/practices?outcome=employment&rating=effective`, `/practices/${sector.id}`, `/practices/${sector.id}/brief`, `/practices/studies/${studyId}`, '/practices/rules', '/practices/digest', '/practices/digest/confirm?token=x', '/practices/digest/unsubscribe?token=x'];
    const signed = ['/practices/new', `/practices/${sector.id}/edit`, `/practices/${sector.id}/studies/new`, `/practices/${sector.id}/studies/import`, `/practices/studies/${studyId}/edit`, '/practices/review', '/practices/agreement', '/practices/nominate', '/practices/nominations', '/practices/nominations/mine'];
    for (const [client, urls] of [[t.client(), pages], [chair, [...pages, ...signed]]] as const) {
      for (const lang of ['en', 'es']) {
        for (const url of urls) {
          const res = await client.get(url, { 'accept-language': lang });
          assert.equal(res.statusCode, 200, `${lang} ${url}: ${res.statusCode}`);
          assert.doesNotMatch(text(res.body), /\bpr\.[a-z_]+\.[a-z_.]+/, `${lang} ${url}: a message key is shown`);
          assert.match(res.body, new RegExp(`<html lang="${lang}"`));
        }
      }
    }
    const es = text((await t.client().get(`/practices/${sector.id}`, { 'accept-language': 'es' })).body);
    assert.match(es, /Datos de demostración/);
    assert.match(es, /Empleo Eficaz Varios estudios \(2\)/);
    const en = text((await t.client().get(`/practices/${sector.id}`)).body);
    assert.match(en, /Demo data: this practice and its studies are invented/);
    assert.match(en, /Reconciled by a lead/);

    // Bad input: 400, the field named in the reader's language, the input kept, nothing changed.
    const before = (await t.client().get('/api/practices')).json().total;
    const page = await chair.get('/practices/new', { 'accept-language': 'es' });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const bad = await chair.request('POST', '/practices', { form: { _csrf: csrf, name: 'Kept as typed', summary: '', setting: 'moon', contact_email: 'not-an-address' }, headers: { 'accept-language': 'es' } });
    assert.equal(bad.statusCode, 400);
    const said = text(bad.body);
    assert.match(said, /summary: es obligatorio/);
    assert.match(said, /setting: debe ser uno de: community/);
    assert.match(said, /contact_email: debe ser un correo electrónico válido/);
    assert.match(bad.body, /value="Kept as typed"/);
    assert.equal((await t.client().get('/api/practices')).json().total, before);

    // The exports and the feed.
    const csv = parseCsv((await t.client().get('/api/practices/export.csv')).body);
    assert.deepEqual(csv[0].slice(0, 3), ['id', 'name', 'setting']);
    assert.ok(csv.some((r) => r[1] === 'Sector job training with trauma-informed coaching (demo)' && r[8] === 'employment' && r[9] === 'effective'));
    assert.equal((await t.client().get('/api/practices/export.json')).json().items.length, 5);
    const feed = await t.client().get('/api/practices/feed.atom');
    assert.match(String(feed.headers['content-type']), /^application\/atom\+xml/);
    assert.match(feed.body, /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/);
    assert.equal((feed.body.match(/<entry>/g) ?? []).length, (feed.body.match(/<\/entry>/g) ?? []).length);
    await assertFacetCounts(t);

    // Every API route is in the OpenAPI document.
    const paths = Object.keys((await t.client().get('/api/openapi.json')).json().paths as Record<string, unknown>);
    const routes = t.app.routeAccessList().filter((r) => r.url.startsWith('/api/practices')).map((r) => r.url.replace(/:([a-z_]+)/g, '{$1}'));
    assert.ok(routes.length >= 20);
    assert.deepEqual(routes.filter((r) => !paths.includes(r)), []);
  } finally {
    await t.close();
  }
});
