/**
 * Every `next` parameter goes through one safe-redirect helper (issue 15, finding 5): only paths of this site are
 * followed, a value a browser would read as another site (tabs and line breaks are dropped by browsers, so
 * `/\t/evil.example/` becomes `//evil.example/`) sends the person home instead, and no value answers 500.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeRedirectPath } from './http/redirect.ts';
import { csrfFrom, testApp } from './testing.ts';

/** Where a browser would go from a Location header on http://site.test/lang/en (WHATWG URL parsing, as Chromium). */
function browserTarget(location: string): URL {
  return new URL(location, 'http://site.test/lang/en');
}

const HOSTILE = [
  '/%09/evil.example/',
  '/%0A/evil.example/',
  '/%0D/evil.example/',
  '/%0D%0ASet-Cookie:%20x=1',
  '//evil.example/',
  '/\\evil.example/',
  '/%5Cevil.example/',
  '%2F%2Fevil.example',
  'https://evil.example/',
  'javascript:alert(1)',
  '/%00/evil.example',
  '/%E2%80%AE/evil.example',
  '/%7F/evil.example',
  ' //evil.example',
];

test('the language switch follows only paths of this site and never answers 500', async () => {
  const t = await testApp();
  try {
    const c = t.client();
    for (const next of HOSTILE) {
      const res = await c.get(`/lang/es?next=${next}`);
      // A NUL byte is refused by the platform's input check (400) before any route runs.
      if (next.includes('%00')) {
        assert.equal(res.statusCode, 400, `${next}: ${res.statusCode}`);
        continue;
      }
      assert.equal(res.statusCode, 302, `${next}: ${res.statusCode}`);
      const to = browserTarget(String(res.headers.location));
      assert.equal(to.host, 'site.test', `${next} led to ${to.href}`);
      assert.doesNotMatch(String(res.headers.location), /[\u0000-\u001f\u007f]/, `${next}: control characters in Location`);
    }
    // A path of the site keeps its query, and non-Latin-1 text is carried percent-encoded instead of failing.
    const kept = await c.get(`/lang/es?next=${encodeURIComponent('/directory?q=niños&page=2')}`);
    assert.equal(kept.statusCode, 302);
    assert.equal(kept.headers.location, '/directory?q=ni%C3%B1os&page=2');
    const chinese = await c.get(`/lang/en?next=${encodeURIComponent('/directory?q=住房')}`);
    assert.equal(chinese.statusCode, 302);
    assert.equal(browserTarget(String(chinese.headers.location)).searchParams.get('q'), '住房');
  } finally {
    await t.close();
  }
});

test('sign-in carries next through the same helper', async () => {
  const t = await testApp();
  try {
    const c = t.client();
    for (const next of ['/%09/evil.example/', '/%0A/x', '/%E4%BD%8F']) {
      const page = await c.get(`/login?next=${next}`);
      assert.equal(page.statusCode, 200, `${next}: ${page.statusCode}`);
      const mfa = await c.get(`/login/mfa?next=${next}`);
      assert.ok(mfa.statusCode < 500, `${next}: ${mfa.statusCode}`);
    }
    // A completed sign-in redirects to next: the hostile forms lead home, the non-Latin-1 path is encoded.
    const u = await t.user('member');
    for (const [next, expected] of [['/\t/evil.example/', '/'], ['/\r\n/x', '/'], ['/住', '/%E4%BD%8F']] as const) {
      const s = t.client();
      s.csrf = csrfFrom((await s.get('/login')).body);
      const res = await s.request('POST', '/login', { form: { email: u.email, password: u.password, next } });
      assert.equal(res.statusCode, 302, `${next}: ${res.statusCode}`);
      assert.equal(res.headers.location, expected, next);
    }
  } finally {
    await t.close();
  }
});

test('safeRedirectPath keeps same-site paths and refuses the rest', () => {
  assert.equal(safeRedirectPath('/workplans/plans?status=open#top'), '/workplans/plans?status=open#top');
  assert.equal(safeRedirectPath('/a b'), '/a%20b');
  for (const bad of ['', 'x', '//a', '/\\a', '/\t/a', '/\n', 'http://a/', '\\\\a', '/..//a', undefined, 7, ['/x']]) {
    const got = safeRedirectPath(bad);
    assert.ok(got === '/' || !got.startsWith('//'), `${JSON.stringify(bad)} → ${got}`);
    assert.equal(browserTarget(got).host, 'site.test', `${JSON.stringify(bad)} → ${got}`);
  }
  assert.equal(safeRedirectPath('/\t/evil.example/'), '/');
  assert.equal(safeRedirectPath('//evil.example'), '/');
});
