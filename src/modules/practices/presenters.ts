/** Rows to the shapes the API and the pages show; what a viewer sees of reviews is decided by policies.ts. */
import type { Ctx } from '../../platform/context.ts';
import { principalOf } from '../../platform/policy.ts';
import { toCsv } from '../../platform/http/csv.ts';
import { visibleReviews } from './policies.ts';
import { listRuleSets, linksOf, ratingsOf, type Link, type Practice, type Rating, type StoredRuleSet, type Study } from './store.ts';
import { practicesDb } from './tables.ts';
import type { Db } from '../../platform/db/index.ts';

export type RatingView = Rating & { rule_label: string | null };

/** The label of the rule that produced each rating, from the rule set version the rating records. */
export function withRules(ratings: Rating[], sets: Map<number, StoredRuleSet>): RatingView[] {
  return ratings.map((r) => ({ ...r, rule_label: r.rule_index === null ? null : (sets.get(r.rule_version)?.rules.rules[r.rule_index]?.label ?? null) }));
}

export async function ruleSetsByVersion(db: Db): Promise<Map<number, StoredRuleSet>> {
  return new Map((await listRuleSets(db)).map((s) => [s.version, s]));
}

export interface PracticeView extends Practice {
  ratings: RatingView[];
  links: Link[];
  studies: number;
}

export async function practiceFor(ctx: Ctx, p: Practice): Promise<PracticeView> {
  const [ratings, links, sets, count] = await Promise.all([
    ratingsOf(ctx.db, [p.id]),
    linksOf(ctx.db, p.id),
    ruleSetsByVersion(ctx.db),
    practicesDb(ctx.db).selectFrom('practices_study').select((eb) => eb.fn.countAll().as('n')).where('practice_id', '=', p.id).executeTakeFirst(),
  ]);
  return { ...p, ratings: withRules(ratings.get(p.id) ?? [], sets), links: links.filter((l) => l.found), studies: Number(count?.n ?? 0) };
}

/** A study as this viewer may see it: reviews are blind until both reviewers have rated (policies.visibleReviews). */
export function studyFor(ctx: Ctx, s: Study) {
  const { lead_id: _lead, ...reconciliation } = s.reconciliation ?? { lead_id: null };
  return { ...s, reviews: visibleReviews(principalOf(ctx), s.reviews), reconciliation: s.reconciliation ? (reconciliation as Omit<NonNullable<Study['reconciliation']>, 'lead_id'>) : null };
}

export function summaryOf(p: Practice & { ratings: Rating[] }) {
  return { id: p.id, name: p.name, summary: p.summary, setting: p.setting, populations: p.populations, outcome_domains: p.outcome_domains, ratings: p.ratings.map((r) => ({ domain: r.domain, rating: r.rating, evidence: r.evidence })), demo: p.demo, updated_at: p.updated_at };
}

/** The library as CSV: one row per practice and outcome (a practice without ratings has one row). */
export function practicesCsv(items: (Practice & { ratings: Rating[] })[], publicUrl: string): string {
  const rows: unknown[][] = [];
  for (const p of items) {
    const base = [p.id, p.name, p.setting, p.populations.join('; '), p.outcome_domains.join('; '), p.source ?? '', p.demo ? 'yes' : 'no', `${publicUrl}/practices/${p.id}`];
    if (!p.ratings.length) rows.push([...base, '', '', '', '', '']);
    for (const r of p.ratings) rows.push([...base, r.domain, r.rating, r.evidence, r.studies, r.rule_version]);
  }
  return toCsv(['id', 'name', 'setting', 'populations', 'outcome_domains', 'source', 'demo', 'url', 'outcome', 'rating', 'evidence', 'studies', 'rule_version'], rows);
}
