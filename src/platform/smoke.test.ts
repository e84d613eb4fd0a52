import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testApp } from './testing.ts';
import { ROLES } from './auth/roles.ts';

test('home, health, and sign-in as each role', async () => {
  const t = await testApp();
  try {
    const c = t.client();
    const home = await c.get('/');
    assert.equal(home.statusCode, 200);
    assert.match(home.body, /1-888-373-7888/);
    const h = await c.get('/healthz');
    assert.equal(h.json().status, 'ok');
    for (const role of ROLES) {
      const s = await t.signedIn(role);
      const me = (await s.get('/api/session')).json();
      assert.equal(me.user.role, role);
    }
  } finally {
    await t.close();
  }
});
