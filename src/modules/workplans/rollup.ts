/**
 * Progress arithmetic, kept free of the database so that it can be tested on its own.
 *
 * - A key result's progress is clamp((value - start) / (target - start), 0, 1). When target equals start, it is 1
 *   once the value reaches the target and 0 before.
 * - An action's progress, as of a period:
 *     dropped                      -> not counted at all (neither in the numerator nor in the weights);
 *     done                         -> 1;
 *     has key results with values  -> the mean of its key results' progress, each key result taking its last
 *                                     known value (the newest approved value in or before the period); a key
 *                                     result never reported counts 0;
 *     otherwise                    -> 0 (nothing known yet).
 *   So an action whose update for this period carries no values keeps its last known progress.
 * - An objective's or goal's progress is the weight-normalised mean of its counted children:
 *   sum(weight * progress) / sum(weight). Children that are dropped, weigh 0, or have no progress themselves
 *   (an objective with nothing counted under it) are left out. With nothing counted the progress is null.
 */

export const STATUSES = ['not_started', 'on_track', 'at_risk', 'off_track', 'done', 'dropped'] as const;
export type Status = (typeof STATUSES)[number];

export interface KeyResultDef {
  id: string;
  start: number;
  target: number;
}

export interface RollupNode {
  id: string;
  status: Status;
  weight: number;
  keyResults?: KeyResultDef[];
  /** Known key-result values, by key-result id: the last known value as of the period being computed. */
  values?: Record<string, number>;
  children?: RollupNode[];
}

export function clamp01(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.min(1, Math.max(0, x));
}

export function keyResultProgress(kr: KeyResultDef, value: number): number {
  if (kr.target === kr.start) return value >= kr.target ? 1 : 0;
  return clamp01((value - kr.start) / (kr.target - kr.start));
}

/** An action's own progress, or null when it does not count (dropped). */
export function actionProgress(node: RollupNode): number | null {
  if (node.status === 'dropped') return null;
  if (node.status === 'done') return 1;
  const krs = node.keyResults ?? [];
  const values = node.values ?? {};
  if (krs.length && krs.some((k) => typeof values[k.id] === 'number')) {
    let sum = 0;
    for (const k of krs) sum += typeof values[k.id] === 'number' ? keyResultProgress(k, values[k.id]) : 0;
    return sum / krs.length;
  }
  return 0;
}

// The one rule for a parent's status (issue 16): the worst live status among the actions under it. Off track is worse
// than at risk, at risk worse than on track; not started counts only when nothing under it has started; dropped
// actions do not count; when every counted action is done, so is the parent. Null when nothing counts.
const SEVERITY: Status[] = ['off_track', 'at_risk', 'on_track'];
export function derivedStatus(statuses: Status[]): Status | null {
  const live: Status[] = statuses.filter((s) => s !== 'dropped');
  if (!live.length) return null;
  if (live.every((s) => s === 'done')) return 'done';
  for (const s of SEVERITY) if (live.includes(s)) return s;
  return live.some((s) => s === 'done') ? 'on_track' : 'not_started';
}

/** Weighted mean of children's progress; null when nothing counts. */
export function weightedMean(children: { progress: number | null; weight: number; status: Status }[]): number | null {
  let num = 0;
  let den = 0;
  for (const c of children) {
    if (c.status === 'dropped' || c.progress === null || !(c.weight > 0)) continue;
    num += c.weight * c.progress;
    den += c.weight;
  }
  return den > 0 ? num / den : null;
}

/** Progress of any node: actions by their key results and status, parents by their children. */
export function nodeProgress(node: RollupNode): number | null {
  if (node.status === 'dropped') return null;
  if (!node.children || node.children.length === 0) return actionProgress(node);
  return weightedMean(node.children.map((c) => ({ progress: nodeProgress(c), weight: c.weight, status: c.status })));
}

/** Progress as a whole percentage for display; a dash when nothing counts. */
export function percent(p: number | null): string {
  return p === null ? '—' : `${Math.round(p * 100)}%`;
}
