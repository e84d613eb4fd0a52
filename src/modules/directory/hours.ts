/**
 * Opening hours as a person reads them: schedule rows merged per day, days with the same hours joined into runs, in
 * weekday order ("Mon–Fri 9 am–5 pm; Sat 10 am–2 pm"). Publishers split one week into a row per day, repeat rows, or
 * list the days out of order; the reader should not have to put them together.
 */
import type { Row } from './model.ts';

const WEEK = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
type Day = (typeof WEEK)[number];

const DAY_NAMES: Record<string, Record<Day, string>> = {
  en: { MO: 'Mon', TU: 'Tue', WE: 'Wed', TH: 'Thu', FR: 'Fri', SA: 'Sat', SU: 'Sun' },
  es: { MO: 'lun', TU: 'mar', WE: 'mié', TH: 'jue', FR: 'vie', SA: 'sáb', SU: 'dom' },
};
const WORDS: Record<string, { closed: string; open24: string }> = {
  en: { closed: 'closed', open24: 'open 24 hours' },
  es: { closed: 'cerrado', open24: 'abierto las 24 horas' },
};

/** "09:00" or "09:00:00" to minutes after midnight; null when not a time. */
function minutes(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const m = /^(\d{1,2}):(\d{2})(?::\d{2})?/.exec(v.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59) return null;
  return h * 60 + min;
}

/** A time of day the reader's way: "9 am", "12:30 pm" in English; "9:00", "17:30" in Spanish. */
export function clock(mins: number, lang: string): string {
  const h = Math.floor(mins / 60) % 24;
  const m = mins % 60;
  if (lang === 'es') return `${h}:${String(m).padStart(2, '0')}`;
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}${m ? `:${String(m).padStart(2, '0')}` : ''} ${h < 12 ? 'am' : 'pm'}`;
}

interface Span {
  opens: number;
  closes: number;
}

const spanText = (s: Span, lang: string) => (s.opens === 0 && (s.closes === 24 * 60 || s.closes === 23 * 60 + 59) ? WORDS[lang]?.open24 ?? WORDS.en.open24 : `${clock(s.opens, lang)}–${clock(s.closes, lang)}`);

/** Days named by a schedule row ("MO,TU" or "1MO" for the first Monday of a month: only plain weekdays count). */
function daysOf(byday: unknown): { days: Day[]; plain: boolean } {
  if (typeof byday !== 'string' || !byday.trim()) return { days: [], plain: true };
  const parts = byday.split(',').map((d) => d.trim().toUpperCase()).filter(Boolean);
  const plain = parts.every((p) => (WEEK as readonly string[]).includes(p));
  return { days: parts.map((p) => p.slice(-2)).filter((d): d is Day => (WEEK as readonly string[]).includes(d)), plain };
}

/** Runs of consecutive days in weekday order: [MO,TU,WE,FR] -> "Mon–Wed, Fri". */
function dayRuns(days: Day[], names: Record<Day, string>): string {
  const idx = [...new Set(days.map((d) => WEEK.indexOf(d)))].sort((a, b) => a - b);
  const runs: string[] = [];
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1] === idx[j] + 1) j++;
    const from = names[WEEK[idx[i]]];
    const to = names[WEEK[idx[j]]];
    runs.push(j === i ? from : j === i + 1 ? `${from}, ${to}` : `${from}–${to}`);
    i = j + 1;
  }
  return runs.join(', ');
}

/**
 * The week's hours, one line per group of days sharing the same hours, groups in order of their first day; then any
 * hours given without days, then schedules only described in words. Duplicated rows count once.
 */
export function openingHours(rows: Row[], lang: string): string[] {
  const names = DAY_NAMES[lang] ?? DAY_NAMES.en;
  const perDay = new Map<Day, Span[]>();
  const undated: Span[] = [];
  const closedDays = new Set<Day>();
  const dayNotes = new Map<Day, string>();
  const texts: string[] = [];
  for (const r of rows) {
    const { days, plain } = daysOf(r.byday);
    const opens = minutes(r.opens_at);
    const closes = minutes(r.closes_at);
    const description = typeof r.description === 'string' ? r.description.trim() : '';
    if (!plain || (r.freq && r.freq !== 'WEEKLY')) {
      // Monthly patterns ("first Monday") are not part of the weekly summary: kept as their own line.
      const label = typeof r.byday === 'string' ? r.byday : '';
      texts.push([label, opens !== null && closes !== null ? spanText({ opens, closes }, lang) : '', description].filter(Boolean).join(' '));
      continue;
    }
    if (opens === null || closes === null) {
      if (days.length && /closed|cerrado/i.test(description)) days.forEach((d) => closedDays.add(d));
      // A day with neither times nor words says nothing; listed alone ("Sat, Sun") it read as open.
      else if (days.length && description) days.forEach((d) => dayNotes.set(d, description));
      else if (description) texts.push(description);
      continue;
    }
    const span = { opens, closes };
    if (!days.length) {
      if (!undated.some((s) => s.opens === opens && s.closes === closes)) undated.push(span);
      continue;
    }
    for (const d of days) {
      const list = perDay.get(d) ?? [];
      if (!list.some((s) => s.opens === opens && s.closes === closes)) list.push(span);
      perDay.set(d, list);
    }
  }
  // Days that share the same hours form one group.
  const groups = new Map<string, { days: Day[]; text: string }>();
  for (const d of WEEK) {
    const spans = perDay.get(d);
    let text: string;
    if (spans) text = [...spans].sort((a, b) => a.opens - b.opens || a.closes - b.closes).map((s) => spanText(s, lang)).join(', ');
    else if (closedDays.has(d)) text = WORDS[lang]?.closed ?? WORDS.en.closed;
    else if (dayNotes.has(d)) text = dayNotes.get(d)!;
    else continue;
    const g = groups.get(text) ?? { days: [], text };
    g.days.push(d);
    groups.set(text, g);
  }
  const lines = [...groups.values()].map((g) => [dayRuns(g.days, names), g.text].filter(Boolean).join(' '));
  for (const s of undated.sort((a, b) => a.opens - b.opens)) lines.push(spanText(s, lang));
  for (const t of texts) if (t && !lines.includes(t)) lines.push(t);
  return lines;
}
