/**
 * Reporting periods are calendar quarters of the task force's time zone, America/New_York: a quarter begins at
 * local midnight on 1 January, 1 April, 1 July or 1 October, whatever the UTC offset is that day. So
 * 2026-04-01T03:30Z (still 31 March, 23:30 in New York) belongs to 2026-Q1.
 */
export const TASK_FORCE_TIME_ZONE = 'America/New_York';

export const PERIOD_RE = /^(\d{4})-Q([1-4])$/;

export interface Period {
  /** For example "2026-Q3". */
  key: string;
  year: number;
  quarter: 1 | 2 | 3 | 4;
  /** First and last calendar day of the quarter. */
  startDate: string;
  endDate: string;
  /** Instants (ISO-8601 UTC): the local midnight that opens the quarter, and the one that closes it (exclusive). */
  start: string;
  end: string;
}

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: TASK_FORCE_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: TASK_FORCE_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/** The calendar date in New York at an instant, YYYY-MM-DD. */
export function localDate(at: Date): string {
  return dayFormat.format(at);
}

/** Milliseconds to add to UTC to get New York wall-clock time at an instant. */
function offsetAt(ms: number): number {
  const p = Object.fromEntries(partsFormat.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return wall - Math.floor(ms / 1000) * 1000;
}

/** The instant of local midnight at the start of a New York calendar day. */
export function localMidnight(date: string): Date {
  const [y, m, d] = date.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d);
  let guess = wall - offsetAt(wall);
  // A second pass settles days on which the offset changes between the guess and the answer.
  guess = wall - offsetAt(guess);
  return new Date(guess);
}

const pad = (n: number) => String(n).padStart(2, '0');

export function parsePeriod(key: string): Period | undefined {
  const m = PERIOD_RE.exec(key);
  if (!m) return undefined;
  const year = Number(m[1]);
  const quarter = Number(m[2]) as Period['quarter'];
  const firstMonth = (quarter - 1) * 3 + 1;
  const startDate = `${year}-${pad(firstMonth)}-01`;
  const nextStart = quarter === 4 ? `${year + 1}-01-01` : `${year}-${pad(firstMonth + 3)}-01`;
  const last = new Date(Date.parse(nextStart + 'T00:00:00Z') - 86_400_000).toISOString().slice(0, 10);
  return { key, year, quarter, startDate, endDate: last, start: localMidnight(startDate).toISOString(), end: localMidnight(nextStart).toISOString() };
}

export function periodOf(at: Date): Period {
  const day = localDate(at);
  const year = Number(day.slice(0, 4));
  const quarter = Math.floor((Number(day.slice(5, 7)) - 1) / 3) + 1;
  return parsePeriod(`${year}-Q${quarter}`)!;
}

export function periodOfDate(date: string): Period {
  const quarter = Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1;
  return parsePeriod(`${date.slice(0, 4)}-Q${quarter}`)!;
}

export function shiftPeriod(p: Period, by: number): Period {
  const index = p.year * 4 + (p.quarter - 1) + by;
  return parsePeriod(`${Math.floor(index / 4)}-Q${(index % 4) + 1}`)!;
}

/** Every period from the first to the last, inclusive. */
export function periodsBetween(first: Period, last: Period): Period[] {
  const out: Period[] = [];
  for (let p = first; p.key <= last.key && out.length < 400; p = shiftPeriod(p, 1)) out.push(p);
  return out;
}

export function periodsOfYear(year: number): Period[] {
  return [1, 2, 3, 4].map((q) => parsePeriod(`${year}-Q${q}`)!);
}
