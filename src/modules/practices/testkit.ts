/** Test support for the practices module: contexts of people of a role, a practice with studies, RIS text. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx } from '../../platform/context.ts';
import { loadActor } from '../../platform/auth/index.ts';
import { makeUser, type TestApp, type TestUser } from '../../platform/testing.ts';
import type { Role } from '../../platform/auth/roles.ts';

/** A person of this role as a command context, with an account of their own. */
export async function personCtx(t: TestApp, role: Role, label: string = role): Promise<Ctx & { user: TestUser }> {
  const u = await makeUser(t.ctx, role, `${label}-${randomUUID()}@test.example`, `Organisation of ${label}`);
  const actor = await loadActor(t.ctx.db, u.id, 'session');
  assert.ok(actor, `${role} loads`);
  return { ...t.ctx, system: undefined, actor, requestId: `test-${label}`, user: u };
}

export const anonymousCtx = (t: TestApp): Ctx => ({ ...t.ctx, system: undefined, actor: null, requestId: 'anonymous' });

export const PRACTICE = {
  name: 'Sector-based job training with trauma-informed coaching',
  summary: 'Occupational training in a growing sector, paired with a coach trained in trauma-informed care.',
  populations: ['population.adults'],
  setting: 'workplace',
  outcome_domains: ['employment', 'earnings'],
};

/** The file of two studies as a reference manager exports them (Zotero's RIS), and its text. */
export const TWO_STUDIES_RIS_FILE = join(import.meta.dirname, 'fixtures', 'two-studies.ris');
export const TWO_STUDIES_RIS = readFileSync(TWO_STUDIES_RIS_FILE, 'utf8');

/** The kept facet counts equal a count of the facet rows (commands keep them as practices change). */
export async function assertFacetCounts(t: TestApp): Promise<void> {
  const counted = await t.ctx.db.selectFrom('practices_facet').select(['facet', 'value', (eb) => eb.fn.countAll().as('n')]).groupBy(['facet', 'value']).execute();
  const kept = await t.ctx.db.selectFrom('practices_facet_count').select(['facet', 'value', 'n']).execute();
  const norm = (rows: { facet: unknown; value: unknown; n: unknown }[]) => rows.map((r) => `${r.facet}=${r.value}:${Number(r.n)}`).sort();
  assert.deepEqual(norm(kept), norm(counted));
}
