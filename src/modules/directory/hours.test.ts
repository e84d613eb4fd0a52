import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openingHours, clock } from './hours.ts';

const row = (byday: string | null, opens: string | null, closes: string | null, description?: string) => ({ byday, opens_at: opens, closes_at: closes, description: description ?? null, freq: 'WEEKLY' });

test('a row per weekday, out of order and repeated, reads as one run of days in weekday order', () => {
  const rows = [row('FR', '09:00', '17:00'), row('MO', '09:00', '17:00'), row('SA', '10:00', '14:00'), row('TU', '09:00', '17:00'), row('WE', '09:00', '17:00'), row('TH', '09:00', '17:00'), row('MO', '09:00', '17:00')];
  assert.deepEqual(openingHours(rows, 'en'), ['Mon–Fri 9 am–5 pm', 'Sat 10 am–2 pm']);
  assert.deepEqual(openingHours(rows, 'es'), ['lun–vie 9:00–17:00', 'sáb 10:00–14:00']);
});

test('split days, two spans in a day, days apart, midday and round-the-clock hours', () => {
  const rows = [row('MO,WE', '09:00', '12:00'), row('MO,WE', '13:00', '17:30'), row('FR', '12:00', '12:30'), row('SU', '00:00', '23:59')];
  assert.deepEqual(openingHours(rows, 'en'), ['Mon, Wed 9 am–12 pm, 1 pm–5:30 pm', 'Fri 12 pm–12:30 pm', 'Sun open 24 hours']);
  assert.deepEqual(openingHours(rows, 'es'), ['lun, mié 9:00–12:00, 13:00–17:30', 'vie 12:00–12:30', 'dom abierto las 24 horas']);
});

test('hours without days, days without hours, words only and monthly patterns are kept', () => {
  const rows = [row(null, '08:00', '16:00'), row('SA', null, null, 'By appointment'), row('1MO', '18:00', '20:00'), row(null, null, null, 'Call first'), row('SU', null, null, 'Closed')];
  assert.deepEqual(openingHours(rows, 'en'), ['Sat By appointment', 'Sun closed', '8 am–4 pm', '1MO 6 pm–8 pm', 'Call first']);
  assert.deepEqual(openingHours(rows, 'es')[0], 'sáb By appointment');
  assert.deepEqual(openingHours([], 'en'), []);
  // A day with neither times nor words says nothing: not listed alone, where it read as open ("Mon–Fri 9 am–5 pm; Sat, Sun").
  const bare = [row('MO,TU,WE,TH,FR', '09:00', '17:00'), row('SA', null, null), row('SU', '', '')];
  assert.deepEqual(openingHours(bare, 'en'), ['Mon–Fri 9 am–5 pm']);
  assert.deepEqual(openingHours(bare, 'es'), ['lun–vie 9:00–17:00']);
  assert.equal(clock(0, 'en'), '12 am');
  assert.equal(clock(23 * 60 + 5, 'es'), '23:05');
});

test('cost is said once: a zero amount is not printed, a part another part says is left out', async () => {
  const { costText } = await import('./presenters.ts');
  assert.equal(costText('Free of charge', [{ option: 'Free', amount: 0, currency: 'USD' }]), 'Free of charge');
  assert.equal(costText(null, [{ option: 'Sliding scale', amount: 25, currency: 'USD' }, { option: 'Sliding scale', amount: 25, currency: 'USD' }]), 'Sliding scale — 25 USD');
  assert.equal(costText('Fees vary', [{ option: 'Intake', amount: 10, currency: 'USD', amount_description: 'per visit' }]), 'Fees vary; Intake — 10 USD — per visit');
  assert.equal(costText(null, []), '');
});
