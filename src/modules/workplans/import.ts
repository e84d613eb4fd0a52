import type { Ctx } from '../../platform/context.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { parseCsv, toCsv } from '../../platform/http/csv.ts';
import { loadDirectory, type Directory } from './directory.ts';
import { authorize, principalOf } from '../../platform/policy.ts';
import { checkItemFields } from './checks.ts';
import { mayEditPlan } from './policies.ts';
import { STATUSES, type ItemCreateInput } from './schema.ts';
import { insertItem, kindOfNumber, parentNumber } from './store.ts';
import { workplansDb } from './tables.ts';

/** The columns of the import template, in order; docs/workplans-import.md describes each. */
export const IMPORT_COLUMNS = [
  'number',
  'title',
  'description',
  'lead_agency',
  'supporting_agencies',
  'owner',
  'start_date',
  'due_date',
  'status',
  'weight',
  'milestones',
  'key_results',
] as const;

export function templateCsv(): string {
  return toCsv(
    [...IMPORT_COLUMNS],
    [
      ['1', 'Prevent human trafficking', 'Pillar 1 of the plan', '', '', 'Research and Data', '2026-01-01', '2028-12-31', 'on_track', '1', '', ''],
      ['1.1', 'Improve data on trafficking', '', 'HHS', '', '', '', '', 'not_started', '1', '', ''],
      ['1.1.1', 'Publish a data brief each year', '', 'HHS', 'DOJ; DOL', '', '2026-01-01', '2026-12-31', 'not_started', '2', 'Draft brief|2026-06-30|; Publish brief|2026-12-31|', 'Briefs published|0|1|briefs'],
    ],
  );
}

export interface Refusal {
  row: number;
  column: string;
  reason: string;
}

export class ImportRefused extends Error {
  constructor(readonly refused: Refusal[]) {
    super(`${refused.length} problem(s); nothing was imported`);
  }
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const NUMBER_RE = /^[1-9]\d{0,2}(\.[1-9]\d{0,2}){0,2}$/;

function validDate(s: string): boolean {
  if (!DATE_RE.test(s)) return false;
  const d = new Date(s + 'T00:00:00Z');
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function num(s: string): number | undefined {
  const t = s.trim();
  if (!/^-?\d+(\.\d+)?$/.test(t)) return undefined;
  return Number(t);
}

interface Parsed {
  row: number;
  input: ItemCreateInput;
}

/** Reads and checks every row; returns the items to create, or throws ImportRefused listing every problem. */
export async function parseImport(ctx: Ctx, text: string, dir: Directory): Promise<Parsed[]> {
  const refused: Refusal[] = [];
  const refuse = (row: number, column: string, reason: string) => refused.push({ row, column, reason });
  let rows: string[][];
  try {
    rows = parseCsv(text);
  } catch (err) {
    throw new ImportRefused([{ row: 0, column: '', reason: (err as Error).message }]);
  }
  rows = rows.filter((r) => r.some((f) => f.trim() !== ''));
  if (!rows.length) throw new ImportRefused([{ row: 1, column: '', reason: 'the file is empty; the first row must name the columns' }]);
  const header = rows[0].map((h) => h.trim().toLowerCase());
  for (const c of ['number', 'title'] as const) if (!header.includes(c)) refuse(1, c, 'column is missing from the header row');
  for (const h of header) if (!(IMPORT_COLUMNS as readonly string[]).includes(h)) refuse(1, h, 'is not a known column');
  if (refused.length) throw new ImportRefused(refused);
  if (rows.length > 2001) throw new ImportRefused([{ row: 1, column: '', reason: 'at most 2000 rows at a time' }]);

  const existing = new Set((await workplansDb(ctx.db).selectFrom('workplans_items').select('number').execute()).map((r) => r.number));
  const seen = new Map<string, number>();
  const out: Parsed[] = [];
  rows.slice(1).forEach((cells, i) => {
    const row = i + 2;
    const get = (c: string) => {
      const at = header.indexOf(c);
      return at < 0 ? '' : (cells[at] ?? '').trim();
    };
    const before = refused.length;
    const number = get('number');
    if (!NUMBER_RE.test(number)) refuse(row, 'number', 'must be like 1, 1.3 or 1.3.2 (goal, objective, action)');
    else if (existing.has(number)) refuse(row, 'number', `${number} already exists in the work plan`);
    else if (seen.has(number)) refuse(row, 'number', `${number} is repeated (first on row ${seen.get(number)})`);
    else {
      const pn = parentNumber(number);
      if (pn && !existing.has(pn) && !seen.has(pn)) refuse(row, 'number', `needs ${pn} on an earlier row or in the work plan`);
      seen.set(number, row);
    }
    const title = get('title');
    if (!title) refuse(row, 'title', 'is required');
    else if (title.length > 500) refuse(row, 'title', 'must be at most 500 characters');
    const agencyId = (text: string, column: string) => {
      const a = dir.agencyByName(text);
      if (!a) refuse(row, column, `"${text}" is not a known agency name or abbreviation`);
      return a?.id;
    };
    const lead = get('lead_agency') ? agencyId(get('lead_agency'), 'lead_agency') : undefined;
    const supporting = get('supporting_agencies')
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => agencyId(s, 'supporting_agencies'))
      .filter((x): x is string => !!x);
    let ownerId: string | undefined;
    if (get('owner')) {
      const o = dir.ownerByName(get('owner'));
      if (!o) refuse(row, 'owner', `"${get('owner')}" is not a known committee or partnership`);
      ownerId = o?.id;
    }
    for (const c of ['start_date', 'due_date']) if (get(c) && !validDate(get(c))) refuse(row, c, 'must be a date, YYYY-MM-DD');
    const typed = get('status') || 'not_started';
    const status = STATUSES.find((s) => s === typed);
    if (!status) refuse(row, 'status', `must be one of: ${STATUSES.join(', ')}`);
    let weight = 1;
    if (get('weight')) {
      const w = num(get('weight'));
      if (w === undefined || w < 0 || w > 1000) refuse(row, 'weight', 'must be a number from 0 to 1000');
      else weight = w;
    }
    const milestones = get('milestones')
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s, k) => {
        const [t = '', due = '', done = ''] = s.split('|').map((x) => x.trim());
        if (!t) refuse(row, 'milestones', `milestone ${k + 1} has no title`);
        if (due && !validDate(due)) refuse(row, 'milestones', `milestone ${k + 1}: due date must be YYYY-MM-DD`);
        if (done && !validDate(done)) refuse(row, 'milestones', `milestone ${k + 1}: done date must be YYYY-MM-DD`);
        return { title: t, due_date: due || null, done_date: done || null };
      });
    const keyResults = get('key_results')
      .split(';')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s, k) => {
        const [name = '', start = '', target = '', unit = ''] = s.split('|').map((x) => x.trim());
        if (!name) refuse(row, 'key_results', `key result ${k + 1} has no name`);
        const sv = num(start);
        const tv = num(target);
        if (sv === undefined) refuse(row, 'key_results', `key result ${k + 1}: start value "${start}" is not a number`);
        if (tv === undefined) refuse(row, 'key_results', `key result ${k + 1}: target "${target}" is not a number`);
        return { name, start_value: sv ?? 0, target_value: tv ?? 0, unit: unit || null };
      });
    if (refused.length > before) return;
    const input: ItemCreateInput = {
      number,
      title,
      description: get('description') || null,
      lead_agency_id: lead ?? null,
      supporting_agency_ids: [...new Set(supporting)],
      owner_id: ownerId ?? null,
      start_date: get('start_date') || null,
      due_date: get('due_date') || null,
      status,
      weight,
      milestones,
      key_results: keyResults,
    };
    checkItemFields({ add: (field, message) => refuse(row, field.split('.')[0].replace('_agency_id', '_agency').replace('owner_id', 'owner'), message) }, input, dir);
    if (kindOfNumber(number) === 'action' && !lead && refused.length === before) refuse(row, 'lead_agency', 'is required for an action');
    if (refused.length === before) out.push({ row, input });
  });
  if (refused.length) throw new ImportRefused(refused);
  return out;
}

/** Imports a work plan from CSV: every row or none. */
export async function importPlan(ctx: Ctx, text: string): Promise<{ imported: number; goals: number; objectives: number; actions: number }> {
  authorize(ctx, mayEditPlan(principalOf(ctx)));
  const dir = await loadDirectory(ctx.db);
  const parsed = await parseImport(ctx, text, dir);
  return runCommand(ctx, async (trx, audit) => {
    const ids = new Map<string, string>();
    for (const r of await workplansDb(trx).selectFrom('workplans_items').select(['id', 'number']).execute()) ids.set(r.number, r.id);
    const counts = { goals: 0, objectives: 0, actions: 0 };
    // Parents first, whatever the order of the rows.
    const ordered = [...parsed].sort((a, b) => a.input.number.split('.').length - b.input.number.split('.').length);
    for (const p of ordered) {
      const pn = parentNumber(p.input.number);
      const id = await insertItem(trx, p.input, pn ? ids.get(pn)! : null, dir);
      ids.set(p.input.number, id);
      counts[`${kindOfNumber(p.input.number)}s` as keyof typeof counts]++;
    }
    await audit({ action: 'workplans.import', entityType: 'workplans_item', summary: { rows: parsed.length, ...counts } });
    return { imported: parsed.length, ...counts };
  });
}
