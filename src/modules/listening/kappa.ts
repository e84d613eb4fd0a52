/**
 * Cohen's kappa between two raters who each put every unit into one category:
 * κ = (Po − Pe) / (1 − Pe), Po the observed share of agreement, Pe the agreement expected by chance from each
 * rater's own category shares. Undefined (null) when Pe = 1: both raters used one and the same category for all.
 */
export function cohensKappa<T>(pairs: [T, T][]): { kappa: number | null; observed: number; expected: number; n: number } {
  const n = pairs.length;
  if (n === 0) return { kappa: null, observed: 0, expected: 0, n };
  const a = new Map<T, number>();
  const b = new Map<T, number>();
  let agree = 0;
  for (const [x, y] of pairs) {
    a.set(x, (a.get(x) ?? 0) + 1);
    b.set(y, (b.get(y) ?? 0) + 1);
    if (x === y) agree++;
  }
  const po = agree / n;
  let pe = 0;
  for (const [cat, na] of a) pe += (na / n) * ((b.get(cat) ?? 0) / n);
  const kappa = pe >= 1 ? null : (po - pe) / (1 - pe);
  return { kappa: kappa === null ? null : round4(kappa), observed: round4(po), expected: round4(pe), n };
}

export function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/** A unit: an answer both coders worked on; for each coder the set of codes they applied anywhere in it. */
export interface CodedUnit {
  unit: string;
  a: Set<string>;
  b: Set<string>;
}

export interface AgreementResult {
  units: number;
  overall: { kappa: number | null; observed: number; expected: number; n: number };
  per_code: { code_id: string; kappa: number | null; observed: number; expected: number; n: number; both: number; only_a: number; only_b: number; neither: number }[];
}

/**
 * Per code: one yes/no decision per unit and coder (was the code applied in this answer?), kappa over the units.
 * Overall: the same decisions pooled over every (unit, code) pair.
 */
export function agreement(units: CodedUnit[], codeIds: string[]): AgreementResult {
  const pooled: [boolean, boolean][] = [];
  const per_code = codeIds.map((code) => {
    const pairs: [boolean, boolean][] = units.map((u) => [u.a.has(code), u.b.has(code)]);
    pooled.push(...pairs);
    const k = cohensKappa(pairs);
    return {
      code_id: code,
      ...k,
      both: pairs.filter(([x, y]) => x && y).length,
      only_a: pairs.filter(([x, y]) => x && !y).length,
      only_b: pairs.filter(([x, y]) => !x && y).length,
      neither: pairs.filter(([x, y]) => !x && !y).length,
    };
  });
  return { units: units.length, overall: cohensKappa(pooled), per_code };
}
