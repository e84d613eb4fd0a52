import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineMessages, translator } from './i18n.ts';

test('a count picks its plural form by the language rules, and falls back to the plain key', () => {
  defineMessages({
    en: { 'test.found': '{n} services found', 'test.found#one': '{n} service found', 'test.plain': '{n} items' },
    es: { 'test.found': '{n} servicios encontrados', 'test.found#one': '{n} servicio encontrado', 'test.plain': '{n} elementos' },
  });
  const en = translator('en');
  const es = translator('es');
  assert.equal(en('test.found', { n: 1 }), '1 service found');
  assert.equal(en('test.found', { n: 0 }), '0 services found');
  assert.equal(en('test.found', { n: 2 }), '2 services found');
  assert.equal(es('test.found', { n: 1 }), '1 servicio encontrado');
  assert.equal(es('test.found', { n: 5 }), '5 servicios encontrados');
  assert.equal(en('test.found', { n: '1' }), '1 services found', 'a count given as text is not a number to the rules');
  assert.equal(en('test.plain', { n: 1 }), '1 items');
});

test('the directory result counts read in the singular for one, in both languages', async () => {
  const { messages } = await import('../../modules/directory/messages.ts');
  defineMessages(messages);
  assert.equal(translator('en')('directory.results', { n: 1 }), '1 service found');
  assert.equal(translator('es')('directory.results', { n: 1 }), '1 servicio encontrado');
  assert.equal(translator('en')('directory.results.near', { n: 1, r: 10, place: '20001' }), '1 service within 10 miles of 20001');
  assert.equal(translator('en')('directory.miles', { n: 1 }), '1 mile');
});

test('counts across modules read in the singular for one', async () => {
  for (const m of ['practices', 'listening', 'outreach', 'workplans']) defineMessages((await import(`../../modules/${m}/messages.ts`)).messages);
  const en = translator('en');
  const es = translator('es');
  assert.equal(en('pr.search.results', { n: 1 }), '1 practice');
  assert.equal(es('pr.search.results', { n: 1 }), '1 práctica');
  assert.equal(en('pr.search.results', { n: 3 }), '3 practices');
  assert.equal(en('ls.minutes', { n: 1 }), '1 minute');
  assert.equal(es('or.minutes', { n: 1 }), '1 minuto');
  assert.equal(en('wp.import.done', { n: 1 }), '1 item imported.');
});
