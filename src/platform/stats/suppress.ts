/**
 * Small-cell suppression for published counts. Cells from 1 to the threshold are hidden; so is the row total when
 * it is that small. When a row shows its total, a row with exactly one hidden cell would let a reader subtract the
 * visible cells from the total, so the smallest other non-zero visible cell is hidden too (complementary
 * suppression). Zero is shown: it reveals nobody.
 */

export type Cell = { value: number; suppressed: false } | { value: null; suppressed: true };

export interface SuppressedRow {
  cells: Cell[];
  total: Cell;
}

const hidden: Cell = { value: null, suppressed: true };
const shown = (value: number): Cell => ({ value, suppressed: false });

export function isSmall(n: number, threshold: number): boolean {
  return n >= 1 && n <= threshold;
}

export function suppressRow(values: number[], total: number, threshold: number): SuppressedRow {
  const hide = values.map((v) => isSmall(v, threshold));
  const totalHidden = isSmall(total, threshold);
  if (!totalHidden) {
    // The total is visible: a single hidden cell could be derived from it, so hide a second one.
    const hiddenNonZero = hide.filter(Boolean).length;
    if (hiddenNonZero === 1) {
      let pick = -1;
      for (let i = 0; i < values.length; i++) {
        if (hide[i] || values[i] === 0) continue;
        if (pick < 0 || values[i] < values[pick]) pick = i;
      }
      if (pick >= 0) hide[pick] = true;
      // No other non-zero cell: the hidden one equals the total minus zeros, so the total must go too.
      else return { cells: values.map((v, i) => (hide[i] ? hidden : shown(v))), total: hidden };
    }
  }
  return { cells: values.map((v, i) => (hide[i] ? hidden : shown(v))), total: totalHidden ? hidden : shown(total) };
}

/** One published count on its own: hidden when small. */
export function suppressCount(n: number, threshold: number): Cell {
  return isSmall(n, threshold) ? hidden : shown(n);
}
