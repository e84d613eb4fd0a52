/**
 * CSV exports cannot carry a formula into a spreadsheet (issue 15, note): a cell like `x;=1+2;y` was written
 * unquoted, and a spreadsheet that splits on semicolons (the default in many locales) reads `=1+2` as a cell of its
 * own and runs it. Now any cell holding a separator (comma, semicolon, tab) or a formula character anywhere is
 * quoted, and one starting with a formula character is defused with a leading apostrophe.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvField, parseCsv, toCsv } from './http/csv.ts';
import { testApp } from './testing.ts';

/** The cells a spreadsheet sees when it splits an unquoted line on this separator (quotes respected). */
function cellsAs(line: string, sep: string): string[] {
  const out: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === sep && !quoted) {
      out.push(cell);
      cell = '';
    } else cell += c;
  }
  out.push(cell);
  return out;
}

const EVIL = ['x;=1+2;y', 'a\t=cmd|x', 'name;+SUM(A1)', 'ok;@SUM(1)', 'a;-2+3', 'x,=1', ' =1+1', '＝1+1'];

test('a cell holding a separator or a formula character is quoted; no separator lets a formula start a cell', () => {
  for (const evil of EVIL) {
    const line = toCsv(['id', 'value'], [['1', evil]]).split('\r\n')[1];
    for (const sep of [',', ';', '\t']) {
      for (const cell of cellsAs(line, sep)) assert.doesNotMatch(cell, /^\s*[=+\-@＝＋－＠]/, `${JSON.stringify(evil)} split on ${JSON.stringify(sep)}: ${line}`);
    }
    assert.deepEqual(parseCsv(line + '\r\n')[0][1].replace(/^'/, ''), evil, 'the text reads back');
  }
  assert.equal(csvField('x;=1+2;y'), '"x;=1+2;y"');
  assert.equal(csvField('plain text'), 'plain text', 'ordinary text stays as it was');
});

test('the audit log export quotes a name that carries a formula', async () => {
  const t = await testApp();
  try {
    const member = await t.user('member');
    await t.ctx.db.updateTable('users').set({ name: 'x;=1+2;y' }).where('id', '=', member.id).execute();
    const c = await t.signedIn('member');
    const made = await c.request('POST', '/api/tokens', { json: { name: 'report', scopes: ['contacts.read'] } });
    assert.equal(made.statusCode, 201, made.body);
    const admin = await t.signedIn('admin');
    const csv = await admin.get('/admin/audit.csv?action=token.create');
    assert.equal(csv.statusCode, 200);
    const line = csv.body.split('\r\n').find((l) => l.includes('x;=1+2;y'));
    assert.ok(line, csv.body.slice(0, 500));
    assert.match(line, /,"x;=1\+2;y <member-[0-9]+@test\.example>",/, 'the actor cell is quoted');
    for (const cell of cellsAs(line, ';')) assert.doesNotMatch(cell, /^=/, line);
  } finally {
    await t.close();
  }
});
