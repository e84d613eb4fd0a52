import { test } from 'node:test';
import assert from 'node:assert/strict';
import { suggestThemes, tokens } from './suggest.ts';

const TEXTS = [
  ['a1', 'Landlords refuse tenants without credit history and ask for a co-signer.'],
  ['a2', 'Most landlords run credit checks and survivors have no credit history.'],
  ['a3', 'Property managers and landlords screen out applicants with poor credit.'],
  ['b1', 'Interpreters are hard to find; we need Spanish language interpreters for intake.'],
  ['b2', 'Language access: leases only in English, no Spanish interpreters available.'],
  ['b3', 'We need interpreters and translated documents in Spanish and other languages.'],
  ['c1', 'Rural clients drive two hours to the nearest shelter with no public transit.'],
  ['c2', 'In rural counties there is no transit and the nearest shelter is hours away.'],
  ['d1', 'Our annual budget is approved in the spring.'],
].map(([id, text]) => ({ id, text }));

test('tokens drop stop words and fold plurals', () => {
  assert.deepEqual(tokens('The landlords and their Interpreters'), ['landlord', 'interpreter']);
});

test('suggestions are deterministic and group obviously similar texts', () => {
  const first = suggestThemes(TEXTS);
  const second = suggestThemes([...TEXTS].reverse());
  assert.deepEqual(second, first, 'the same texts in another order give the same suggestions');
  assert.deepEqual(suggestThemes(TEXTS), first, 'and again');
  const groups = first.map((s) => s.member_ids.join(','));
  assert.ok(groups.includes('a1,a2,a3'), `landlord texts together: ${groups.join(' | ')}`);
  assert.ok(groups.includes('b1,b2,b3'), `language texts together: ${groups.join(' | ')}`);
  assert.ok(groups.includes('c1,c2'), `rural texts together: ${groups.join(' | ')}`);
  assert.ok(!groups.some((g) => g.includes('d1')), 'an unrelated text stays out');
  const landlord = first.find((s) => s.member_ids.includes('a1'))!;
  assert.ok(landlord.terms.includes('landlord') || landlord.terms.includes('credit'), landlord.label);
  assert.match(landlord.fingerprint, /^[0-9a-f]{24}$/);
});

test('in blocks (many answers), suggestions stay deterministic and find the same groups', () => {
  const many = Array.from({ length: 6 }, (_, k) => TEXTS.map((d) => ({ id: `${d.id}-${k}`, text: `${d.text} (${k})` }))).flat();
  const exact = suggestThemes(many, { blockSize: 10000 });
  const blocked = suggestThemes(many, { blockSize: 8 });
  assert.deepEqual(suggestThemes([...many].reverse(), { blockSize: 8 }), blocked, 'the same texts in another order give the same suggestions');
  const groups = (s: typeof exact) => s.map((x) => x.member_ids.map((id) => id[0]).sort().join('')).sort();
  assert.deepEqual(groups(blocked), groups(exact), 'the same themes as clustering everything at once');
  for (const g of groups(blocked)) assert.equal(new Set(g).size, 1, `one theme per group: ${g}`);
  assert.ok(groups(blocked).includes('aaaaaaaaaaaaaaaaaa'), groups(blocked).join(' | '));
});

test('the vocabulary is limited to the most widespread terms', () => {
  const s = suggestThemes(TEXTS, { maxVocabulary: 3 });
  for (const x of s) assert.ok(x.terms.length <= 3);
  const terms = new Set(s.flatMap((x) => x.terms));
  assert.ok(terms.size <= 3, [...terms].join(', '));
});
