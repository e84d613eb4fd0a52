import type { JobSchedule } from '../module.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Refuses a schedule that would never run or run nonsensically, when the job list is built rather than at 3 a.m. */
export function checkSchedule(name: string, s: JobSchedule): void {
  if ('everyMinutes' in s) {
    if (!Number.isInteger(s.everyMinutes) || s.everyMinutes < 1 || s.everyMinutes > 24 * 60) throw new Error(`Job ${name}: everyMinutes must be a whole number from 1 to 1440`);
  } else if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(s.dailyAt)) {
    throw new Error(`Job ${name}: dailyAt must be HH:MM (UTC), not "${s.dailyAt}"`);
  }
}

/**
 * The first slot of the schedule strictly after `after`. Slots are fixed instants (every N minutes from midnight
 * UTC, or HH:MM UTC each day), so every node computes the same ones and a run is named by its slot.
 */
export function nextSlot(s: JobSchedule, after: Date): Date {
  const t = after.getTime();
  if ('everyMinutes' in s) {
    const step = s.everyMinutes * MINUTE;
    const midnight = Math.floor(t / DAY) * DAY;
    const next = midnight + (Math.floor((t - midnight) / step) + 1) * step;
    // A step that does not divide the day restarts at midnight rather than drifting across days.
    return new Date(Math.min(next, midnight + DAY));
  }
  const [h, m] = s.dailyAt.split(':').map(Number);
  const today = Math.floor(t / DAY) * DAY + (h * 60 + m) * MINUTE;
  return new Date(today > t ? today : today + DAY);
}

export function describeSchedule(s: JobSchedule): string {
  if ('everyMinutes' in s) return s.everyMinutes === 1 ? 'every minute' : `every ${s.everyMinutes} minutes`;
  return `daily at ${s.dailyAt} UTC`;
}
