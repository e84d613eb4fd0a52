/**
 * Places at a sitting (a listening session, an outreach event): a capacity, of which some may be held back for
 * invited registrants; the other places go first come, first served, and once they are gone a registration waits.
 * A registration takes `size` places: one for a person, a head count for a group. Pure arithmetic: the caller counts
 * the places and applies the answer in one transaction holding the sitting's row (FOR UPDATE on PostgreSQL; SQLite
 * has one writer), so that concurrent registrations can never overbook.
 */

export interface Places {
  capacity: number;
  /** Places held back for invited registrants (0 when none). */
  heldBack: number;
  /** Places taken by confirmed registrations, held-back ones included. */
  confirmed: number;
  /** Of those, the places taken in the held-back pool. */
  confirmedHeldBack: number;
}

export interface Placement {
  status: 'confirmed' | 'waitlisted';
  /** Confirmed into a held-back place. */
  heldBackPlace: boolean;
}

/** General places still free: the capacity less the held-back places and the general places taken. */
export function generalFree(p: Places): number {
  return Math.max(0, p.capacity - p.heldBack - (p.confirmed - p.confirmedHeldBack));
}

/** Where a new registration of `size` places goes: a held-back place (invited), a general place, or the waiting list. */
export function place(p: Places, size: number, invited = false): Placement {
  if (invited && p.heldBack - p.confirmedHeldBack >= size) return { status: 'confirmed', heldBackPlace: true };
  if (generalFree(p) >= size) return { status: 'confirmed', heldBackPlace: false };
  return { status: 'waitlisted', heldBackPlace: false };
}

/**
 * The waiting registrations (given oldest first) that move up into the free general places: in order, stopping at
 * the first that does not fit, so that nobody is overtaken by a smaller registration behind them.
 */
export function promote<T extends { size: number }>(p: Places, waiting: readonly T[]): T[] {
  let free = generalFree(p);
  const out: T[] = [];
  for (const w of waiting) {
    if (w.size > free) break;
    out.push(w);
    free -= w.size;
  }
  return out;
}
