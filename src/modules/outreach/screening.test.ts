/** The screening of free text about students' work: contact details in many written forms are caught, work is not. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findContactDetails, screenProblem } from './screening.ts';

const EMAILS = [
  'ana.perez@school.org',
  'Write to ANA_P+club@Example.COM today',
  'ana at school dot org',
  'ana [at] school [dot] org',
  'ana(at)school(dot)org',
  'ana {at} school {dot} k12 {dot} us',
  'ana arroba escuela punto org',
  'contact: a.b-c@sub.school.edu.',
  'ana @ school.org',
];
const PHONES = [
  '(202) 555-0143',
  '202-555-0143',
  '202.555.0143',
  '202 555 0143',
  '2025550143',
  '+1 202 555 0143',
  '+1-202-555-0143',
  '1 (202) 555 0143',
  'call 555-0143 after school',
  'text +52 55 1234 5678',
  'two zero two five five five zero one four three',
  'dos cero dos cinco cinco cinco cero uno cuatro tres',
];
const CLEAN = [
  'We put up 150 posters in 4 hallways.',
  'Between 2026-09-01 and 2026-09-30 we reached 1200 people.',
  'Posters at 3 bus stops, 12 shops and the library (2 floors).',
  'Lincoln High Advocacy Club',
  'Grades 9-12, room 204',
  'We used lesson 2 on 10/14.',
  'Our goal was 1,000 flyers; we handed out 1,250.',
  'The club met at 3:30 pm on Tuesday.',
  'One, two, three posters per wall.',
];

test('e-mail addresses in many written forms are found', () => {
  for (const text of EMAILS) assert.equal(findContactDetails(text), 'email', text);
});

test('telephone numbers in many written forms are found', () => {
  for (const text of PHONES) assert.equal(findContactDetails(text), 'phone', text);
});

test('descriptions of work with quantities, dates and rooms pass', () => {
  for (const text of CLEAN) assert.equal(findContactDetails(text), null, text);
});

test('the problem names what was found, for the field it is attached to', () => {
  assert.match(screenProblem('ana@school.org')!, /e-mail address/);
  assert.match(screenProblem('202-555-0143')!, /telephone number/);
  assert.equal(screenProblem('150 posters'), undefined);
  assert.equal(screenProblem(null), undefined);
});
