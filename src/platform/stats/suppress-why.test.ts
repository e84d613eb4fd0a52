/**
 * Issue 16 item 5: a count hidden only to protect another cell is not a small count, and must not be labelled as one
 * ("fewer than 11" twice beside a total of 31 cannot be true). Suppressed cells say why they are hidden.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suppressRow } from './suppress.ts';
import { cellText } from '../../modules/listening/chart.tsx';
import { defineMessages, translator } from '../web/i18n.ts';
import { messages } from '../../modules/listening/messages.ts';
import type { View } from '../web/view.ts';

test('a cell hidden to protect another says so; a small one says it is small', () => {
  const row = suppressRow([20, 4, 12], 36, 10);
  assert.deepEqual(row.cells.map((c) => (c.suppressed ? c.why : c.value)), [20, 'small', 'complementary']);
  assert.deepEqual(row.total, { value: 36, suppressed: false });
  const alone = suppressRow([0, 4], 4, 10);
  assert.equal(alone.total.suppressed && alone.total.why, 'small');
});

test('listening labels the protecting cell as hidden, not as fewer than the threshold, in both languages', () => {
  defineMessages(messages);
  const view = (lang: 'en' | 'es') => ({ t: translator(lang), lang }) as unknown as View;
  const row = suppressRow([20, 4, 12], 36, 10);
  assert.deepEqual(row.cells.map((c) => cellText(view('en'), c, 10)), ['20', 'fewer than 11', 'hidden to protect another count']);
  assert.deepEqual(row.cells.map((c) => cellText(view('es'), c, 10)), ['20', 'menos de 11', 'oculto para proteger otro recuento']);
  assert.doesNotMatch(translator('en')('ls.suppression.note', { n: 11 }), /minus one/);
});
