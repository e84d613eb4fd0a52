import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderToString } from 'preact-render-to-string';
import { h } from 'preact';
import { Table, longestWord } from './components.tsx';
import type { View } from './view.ts';

const v = { t: (key: string) => key } as unknown as View;

test('longestWord finds the longest run without a space or hyphen, inside elements too', () => {
  assert.equal(longestWord('Accepted'), 8);
  assert.equal(longestWord('In progress'), 8);
  assert.equal(longestWord('well-known word'), 5);
  assert.equal(longestWord(h('span', { class: 'usa-tag' }, 'Completed')), 9);
  assert.equal(longestWord(['Demo Administrator <', h('b', null, 'admin@demo.taskforce.example'), '>']), 28);
  assert.equal(longestWord(null), 0);
  assert.equal(longestWord(42), 2);
});

test('a table marks the cells whose words may break anywhere (long addresses and ids), and only those', () => {
  const html = renderToString(
    h(Table, {
      v,
      caption: 'Timeline',
      head: ['Step', 'By'],
      rows: [
        [h('span', { class: 'usa-tag' }, 'Accepted'), 'Demo Administrator <admin@demo.taskforce.example>'],
        ['Sent', h('code', null, '2fe269c2-d5bf-4076-9371-ea156af732be')],
      ],
    }),
  );
  const cells = [...html.matchAll(/<td([^>]*)>/g)].map((m) => m[1].includes('table-fit__long'));
  assert.deepEqual(cells, [false, true, false, false]);
  // The id is split at its hyphens, so no piece is longer than 12 characters: it wraps at them like any word.
  assert.match(html, /table-fit--words"/);
  // Eight columns: whole words still, with narrower gaps between the columns.
  const wide = renderToString(h(Table, { v, caption: 'Users', head: ['1', '2', '3', '4', '5', '6', '7', '8'], rows: [] }));
  assert.match(wide, /table-fit--words table-fit--many"/);
});
