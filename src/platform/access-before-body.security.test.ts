/**
 * Who may call a route is decided before its body is read (issue 15, finding 3): an anonymous upload to a route
 * for signed-in people is answered 401 while its body is still arriving, so that nobody can make the server hold
 * large bodies it would refuse anyway.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { testApp } from './testing.ts';

/** A body that sends 256 KiB and then never ends: only a server that does not read it can answer. */
function endlessBody(): PassThrough {
  const s = new PassThrough();
  s.write(Buffer.alloc(256 * 1024, 'a'));
  return s;
}

async function answerWithin(ms: number, p: Promise<{ statusCode: number }>): Promise<number | 'no answer'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'no answer'>((ok) => (timer = setTimeout(() => ok('no answer'), ms)));
  try {
    const r = await Promise.race([p, timeout]);
    return r === 'no answer' ? r : r.statusCode;
  } finally {
    clearTimeout(timer);
  }
}

test('an anonymous upload is refused before its body is read; a public form still reads its body', async () => {
  const t = await testApp();
  const open: PassThrough[] = [];
  try {
    for (const url of ['/api/workplans/import', '/workplans/import']) {
      const body = endlessBody();
      open.push(body);
      const status = await answerWithin(
        5000,
        t.app.inject({ method: 'POST', url, headers: { 'content-type': 'multipart/form-data; boundary=x', accept: url.startsWith('/api') ? 'application/json' : 'text/html' }, payload: body }),
      );
      assert.equal(status, 401, `${url}: ${status}`);
    }
    // A signed-in member without the permission is refused before the body too.
    const member = await t.signedIn('member');
    const body = endlessBody();
    open.push(body);
    const headers: Record<string, string> = { 'content-type': 'multipart/form-data; boundary=x', cookie: [...member.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'x-csrf-token': member.csrf };
    const status = await answerWithin(5000, t.app.inject({ method: 'POST', url: '/api/workplans/import', headers, payload: body }));
    assert.equal(status, 403);
    // The check is not a blanket refusal: the public sign-in form is read and answered as before.
    const login = await t.client().request('POST', '/login', { form: { email: 'nobody@test.example', password: 'x' }, csrf: false });
    assert.equal(login.statusCode, 403, 'the sign-in form without its CSRF token');
  } finally {
    for (const s of open) s.destroy();
    await t.close();
  }
});
