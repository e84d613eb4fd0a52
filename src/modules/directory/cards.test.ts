/**
 * A results page's cards are made from the rows `loadCards` reads (issue 14: a card's twelve tables rather than each
 * service's whole record): every card, for the public and for a vetted caller, is the same as one made from the
 * whole record as `Graph.services` loads it, on the demo providers and a generated directory.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { testApp, type TestApp } from '../../platform/testing.ts';
import { translator } from '../../platform/web/i18n.ts';
import { addDemoProviders } from './demo.ts';
import { generateDirectory } from './generate.ts';
import { Graph } from './hsds.ts';
import { briefCardOf, cardOf, loadCards, loadOrgPhones } from './presenters.ts';
import { directoryDb } from './tables.ts';
import { uuidv5 } from './model.ts';
import { Dataset } from './validate.ts';
import { importDataset } from './import.ts';

/** Services whose cards draw on every table a card reads, at each level a row can hang from. */
function rich(): Dataset {
  const ds = new Dataset();
  const o = { file: 'rich', row: 0 };
  const id = (s: string) => uuidv5(`cards:${s}`);
  ds.add('organization', { id: id('org'), name: 'Rich Records', description: 'Many rows.' }, o);
  ds.add('phone', { id: id('ph:org2'), organization_id: id('org'), number: '(202) 555-0102' }, o);
  ds.add('phone', { id: id('ph:org1'), organization_id: id('org'), number: '(202) 555-0101' }, o);
  ds.add('unit', { id: id('unit'), name: 'rooms' }, o);
  for (const k of ['a', 'b', 'c']) {
    const sid = id(`svc:${k}`);
    const loc = id(`loc:${k}`);
    ds.add('location', { id: loc, location_type: 'physical', organization_id: id('org'), name: `Place ${k}`, latitude: 38.9, longitude: -77.03, confidential: k === 'c' }, o);
    ds.add('address', { id: id(`addr:${k}:mail`), location_id: loc, address_1: `PO Box ${k}`, city: 'Washington', state_province: 'DC', postal_code: '20005', country: 'US', address_type: 'postal' }, o);
    ds.add('address', { id: id(`addr:${k}`), location_id: loc, address_1: `1 ${k} Street NW`, city: 'Washington', state_province: 'DC', postal_code: '20005', country: 'US', address_type: 'physical' }, o);
    ds.add('service', { id: sid, organization_id: id('org'), name: `Rich service ${k}`, description: 'Rows at every level.', status: 'active', fees_description: k === 'a' ? null : 'Ask', assured_date: '2026-01-02' }, o);
    ds.add('service_at_location', { id: id(`sal:${k}`), service_id: sid, location_id: loc }, o);
    ds.add('phone', { id: id(`ph:svc:${k}`), service_id: sid, number: '(202) 555-0110' }, o);
    ds.add('phone', { id: id(`ph:loc:${k}`), location_id: loc, number: '(202) 555-0112' }, o);
    ds.add('schedule', { id: id(`sch:svc:${k}`), service_id: sid, freq: 'WEEKLY', byday: 'MO,TU,WE', opens_at: '08:00', closes_at: '12:00' }, o);
    ds.add('schedule', { id: id(`sch:loc:${k}`), location_id: loc, freq: 'WEEKLY', byday: 'TH,FR', opens_at: '13:00', closes_at: '18:30' }, o);
    ds.add('language', { id: id(`lang:${k}:fr`), service_id: sid, name: 'French', code: 'fr' }, o);
    ds.add('language', { id: id(`lang:${k}:es`), service_id: sid, name: 'Spanish', code: 'es' }, o);
    ds.add('cost_option', { id: id(`cost:${k}`), service_id: sid, option: 'Sliding scale', amount: 20, currency: 'USD', amount_description: 'per visit' }, o);
    ds.add('service_capacity', { id: id(`cap:${k}`), service_id: sid, unit_id: id('unit'), available: 2, maximum: 5, updated: '2026-01-02T10:00:00Z' }, o);
  }
  return ds;
}

/** A card without what a result's brief card leaves out. */
const lessDetails = (c: object) => Object.fromEntries(Object.entries(c).filter(([k]) => !['hours', 'capacity', 'eligibility', 'cost', 'apply', 'url', 'email'].includes(k)));

let t: TestApp;
before(async () => {
  t = await testApp();
  await addDemoProviders(t.ctx);
  await generateDirectory(t.ctx, 300, () => {});
  await importDataset(t.ctx, rich(), 'hsds-3.0-json');
});
after(() => t.close());

test('cards from the rows loadCards reads are the cards from whole records; a brief card is a card less its details', async () => {
  const ids = (await directoryDb(t.ctx.db).selectFrom('directory_service').select('id').orderBy('id').execute()).map((r) => r.id);
  assert.ok(ids.length > 305);
  const now = new Date('2026-03-04T15:30:00Z');
  let compared = 0;
  for (let i = 0; i < ids.length; i += 20) {
    const page = ids.slice(i, i + 20);
    const whole = new Graph(t.ctx.db);
    const full = await whole.services(page, true);
    await loadOrgPhones(whole, full);
    const few = new Graph(t.ctx.db);
    const rows = await loadCards(few, page);
    assert.deepEqual(rows.map((r) => r.id), full.map((r) => r.id));
    for (const lang of ['en', 'es'] as const)
      for (const a of [{ vetted: false }, { vetted: true }]) {
        const v = { lang, t: translator(lang) };
        for (let k = 0; k < rows.length; k++) {
          const card = cardOf(few, rows[k], a, v, undefined, now);
          assert.deepEqual(card, cardOf(whole, full[k], a, v, undefined, now), `${rows[k].id} (${lang}, vetted ${a.vetted})`);
          // A result's brief card is the card less its details, for a hit at a location too.
          assert.deepEqual(briefCardOf(few, rows[k], a, v, undefined, now), lessDetails(card));
          const sal = few.many('service_at_location', 'service_id', rows[k].id).at(-1);
          if (sal) {
            const hit = { serviceId: String(rows[k].id), score: 1, distance: 2.5, locationId: String(sal.location_id) };
            assert.deepEqual(briefCardOf(few, rows[k], a, v, hit, now), lessDetails(cardOf(few, rows[k], a, v, hit, now)));
          }
          compared++;
        }
      }
  }
  assert.ok(compared > 1200);
  // What the comparison covers: services with phones, schedules, languages, capacity and costs.
  const few = new Graph(t.ctx.db);
  const rows = await loadCards(few, ids);
  const cards = rows.map((r) => cardOf(few, r, { vetted: false }, { lang: 'en', t: translator('en') }, undefined, now));
  for (const [what, n] of Object.entries({
    phone: cards.filter((c) => c.phone).length,
    open: cards.filter((c) => c.open).length,
    languages: cards.filter((c) => c.languages.length).length,
    capacity: cards.filter((c) => c.capacity.length).length,
    'cost options': cards.filter((c) => c.cost?.includes('Sliding scale')).length,
    address: cards.filter((c) => c.address).length,
    confidential: cards.filter((c) => c.confidential).length,
  }))
    assert.ok(n > 0, `some cards show ${what}`);
});
