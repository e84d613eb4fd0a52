import type { Db } from '../../platform/db/index.ts';
import { agreement, type CodedUnit } from './kappa.ts';
import { listCodes, listExcerpts } from './store.ts';

export const UNIT_OF_ANALYSIS = 'answer: one participant’s answer to one question, counted when both coders made at least one excerpt in it';

/** Agreement between two coders over the answers both of them coded (see docs/listening.md). */
export async function agreementFor(db: Db, seriesId: string, coderA: string, coderB: string) {
  const [{ items }, codes] = await Promise.all([listExcerpts(db, { seriesId }), listCodes(db, seriesId)]);
  const byAnswer = new Map<string, { a: Set<string>; b: Set<string>; hasA: boolean; hasB: boolean }>();
  for (const e of items) {
    if (e.coder_id !== coderA && e.coder_id !== coderB) continue;
    const u = byAnswer.get(e.answer_id) ?? { a: new Set<string>(), b: new Set<string>(), hasA: false, hasB: false };
    if (e.coder_id === coderA) {
      u.hasA = true;
      for (const c of e.code_ids) u.a.add(c);
    }
    if (e.coder_id === coderB) {
      u.hasB = true;
      for (const c of e.code_ids) u.b.add(c);
    }
    byAnswer.set(e.answer_id, u);
  }
  const units: CodedUnit[] = [...byAnswer].filter(([, u]) => u.hasA && u.hasB).sort((x, y) => x[0].localeCompare(y[0])).map(([unit, u]) => ({ unit, a: u.a, b: u.b }));
  const used = new Set(units.flatMap((u) => [...u.a, ...u.b]));
  const ordered = codes.filter((c) => used.has(c.id));
  const res = agreement(units, ordered.map((c) => c.id));
  const name = new Map(codes.map((c) => [c.id, c.name]));
  return { unit: UNIT_OF_ANALYSIS, units: res.units, overall: res.overall, per_code: res.per_code.map((p) => ({ ...p, code_name: name.get(p.code_id) ?? '' })) };
}
