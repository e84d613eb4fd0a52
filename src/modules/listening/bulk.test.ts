import { test } from 'node:test';
import assert from 'node:assert/strict';
import { app, housingPartnershipId } from './testkit.ts';
import { createSeries, createSession, submitInputs } from './commands.ts';
import { listInputs } from './store.ts';
import { HttpError } from '../../platform/http/errors.ts';

test('submitInputs: checks each input like the form, names the refused one and records nothing, or records all', async () => {
  const t = await app();
  try {
    const owner = await housingPartnershipId(t);
    const series = await createSeries(t.ctx, { title: 'Housing', owner_type: 'partnership', owner_id: owner });
    const session = await createSession(t.ctx, series.id, { title: 'S', date: '2030-03-10', start_time: '13:00', end_time: '14:00', time_zone: 'UTC', format: 'virtual', capacity: 10 });
    const good = (i: number) => ({ organization_type: 'shelter', region: 'west', answers: { challenges: `Answer number ${i} about housing.` }, quotable: i % 2 === 0 });
    await assert.rejects(
      submitInputs(t.ctx, session.id, [good(0), { region: 'west', answers: { challenges: 'x' } }, good(2), { ...good(3), answers: { nope: 'y' } }]),
      (err: unknown) => {
        assert.ok(err instanceof HttpError && err.status === 400);
        assert.deepEqual(err.errors.map((e) => e.field).sort(), ['inputs.1.organization_type', 'inputs.3.answers.nope', 'inputs.3.answers.challenges'].sort());
        return true;
      },
    );
    assert.equal((await listInputs(t.ctx.db, { seriesId: series.id })).total, 0, 'nothing recorded');
    const inputs = Array.from({ length: 450 }, (_, i) => good(i));
    const { ids } = await submitInputs(t.ctx, session.id, inputs);
    assert.equal(ids.length, 450);
    const stored = await listInputs(t.ctx.db, { seriesId: series.id });
    assert.equal(stored.total, 450);
    assert.ok(stored.items.every((i) => i.answers.length === 1 && i.participant_name === null));
    assert.equal(stored.items.filter((i) => i.quotable).length, 225);
  } finally {
    await t.close();
  }
});
