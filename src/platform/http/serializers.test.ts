import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import fastJsonStringify from 'fast-json-stringify';
import { cachedSerializerCompiler } from './serializers.ts';
import { ProblemSchema } from './pagination.ts';
import { testApp } from '../testing.ts';

const shared = { Problem: ProblemSchema };

test('response serializers: one per schema text, writing what a fresh compile writes', () => {
  const compile = cachedSerializerCompiler(shared);
  const item = () => Type.Object({ id: Type.String(), n: Type.Integer(), note: Type.Optional(Type.String()) });
  const a = compile({ schema: item() });
  assert.equal(compile({ schema: item() }), a, 'an equal schema built again gets the compiled serializer');
  const other = compile({ schema: Type.Object({ id: Type.String() }) });
  assert.notEqual(other, a, 'a different schema gets its own');
  const data = { id: 'x', n: 3, note: 'kept', secret: 'dropped' };
  assert.equal(a(data), fastJsonStringify(item() as never, { schema: shared as never })(data));
  assert.equal(a(data), '{"id":"x","n":3,"note":"kept"}');
  assert.equal(other(data), '{"id":"x"}');
  // A schema that refers to a shared one, and the shared one itself.
  const withRef = compile({ schema: Type.Object({ problem: Type.Ref('Problem') }) });
  assert.match(withRef({ problem: { type: 'about:blank', title: 'Not found', status: 404, extra: 1 } }), /^\{"problem":\{"type":"about:blank","title":"Not found","status":404\}\}$/);
  assert.equal(compile({ schema: ProblemSchema })({ type: 't', title: 'T', status: 400 }), '{"type":"t","title":"T","status":400}');
});

test('a second app in one process answers with the same serialized bodies as the first', async () => {
  const bodies: string[][] = [];
  for (let i = 0; i < 2; i++) {
    const t = await testApp();
    try {
      const c = await t.signedIn('admin');
      const res = await Promise.all(['/api/session', '/api/no-such-route', '/healthz'].map((u) => c.get(u)));
      bodies.push(res.map((r) => `${r.statusCode} ${r.body.replace(/"(request_id|csrf_token|id|email|name|time|organization_id)":"[^"]*"/g, '"$1":"…"')}`));
    } finally {
      await t.close();
    }
  }
  assert.deepEqual(bodies[1], bodies[0]);
  assert.match(bodies[0][1], /^404 \{"type":/);
});
