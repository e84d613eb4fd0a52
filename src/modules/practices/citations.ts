/**
 * Studies' citations from the files reference managers export: RIS (.ris) and BibTeX (.bib). Citation.js
 * (@citation-js/core with its RIS and BibTeX plugins; docs/decisions/0008) turns records into CSL-JSON. RIS readers
 * skip lines they do not understand, so the file's structure is checked here first, line by line, and a bad file
 * is refused naming the line and the field; nothing of it is kept (all or nothing).
 */
import { plugins } from '@citation-js/core';
import '@citation-js/plugin-ris';
import '@citation-js/plugin-bibtex';
import type { FieldError } from '../../platform/http/errors.ts';

/** A study's citation fields, as read from one record of the file. */
export interface CitationFields {
  /** Line of the file where the record starts, for messages. */
  line: number;
  title: string;
  authors: string;
  year: number | null;
  journal: string | null;
  doi: string | null;
  url: string | null;
}

export class CitationFileError extends Error {
  constructor(public readonly errors: FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

export type CitationFormat = 'ris' | 'bibtex';

/** RIS or BibTeX, from the first meaningful line. */
export function detectFormat(text: string): CitationFormat | null {
  const first = text.replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim() !== '');
  if (!first) return null;
  if (/^\s*@/.test(first) || /^\s*%/.test(first)) return 'bibtex';
  if (/^TY {1,2}-/.test(first)) return 'ris';
  return null;
}

const RIS_LINE = /^([A-Z][A-Z0-9]) {1,2}-(?: (.*))?$/;
const TITLE_TAGS = ['TI', 'T1', 'CT', 'BT'];
const YEAR_TAGS = ['PY', 'Y1', 'DA'];

interface RisRecord {
  line: number;
  lines: string[];
  tags: Map<string, { value: string; line: number }[]>;
}

/** The records of an RIS file, or the problems of its structure, each naming its line. */
function risRecords(text: string): RisRecord[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const errors: FieldError[] = [];
  const out: RisRecord[] = [];
  let current: RisRecord | null = null;
  lines.forEach((raw, i) => {
    const n = i + 1;
    const line = raw.replace(/\s+$/, '');
    if (line === '') return;
    const m = RIS_LINE.exec(line);
    if (!m) {
      // A long abstract may wrap onto lines of its own inside a record: keep them with the field before.
      if (current && current.lines.length) {
        current.lines[current.lines.length - 1] += ' ' + line.trim();
        return;
      }
      errors.push({ field: `line ${n}`, message: `"${line.slice(0, 40)}" is not an RIS line (a two-letter tag, two spaces, a hyphen and a space, such as "TI  - Title")` });
      return;
    }
    const [, tag, value = ''] = m;
    if (tag === 'TY') {
      if (current) errors.push({ field: `line ${current.line}`, message: 'the record that starts here has no end (ER  - ) before the next TY' });
      current = { line: n, lines: [line.replace(RIS_LINE, `${tag}  - ${value}`)], tags: new Map() };
      current.tags.set(tag, [{ value: value.trim(), line: n }]);
      return;
    }
    if (!current) {
      errors.push({ field: `line ${n}`, message: `${tag} comes before any record: each record starts with TY` });
      return;
    }
    if (tag === 'ER') {
      current.lines.push('ER  - ');
      out.push(current);
      current = null;
      return;
    }
    current.lines.push(`${tag}  - ${value}`);
    current.tags.set(tag, [...(current.tags.get(tag) ?? []), { value: value.trim(), line: n }]);
  });
  if (current) errors.push({ field: `line ${(current as RisRecord).line}`, message: 'the record that starts here has no end (ER  - )' });
  if (!out.length && !errors.length) errors.push({ field: 'file', message: 'holds no RIS record (TY  - ... ER  - )' });
  if (errors.length) throw new CitationFileError(errors);
  return out;
}

interface Csl {
  title?: string;
  author?: { family?: string; given?: string; literal?: string }[];
  editor?: { family?: string; given?: string; literal?: string }[];
  issued?: { 'date-parts'?: (number | string)[][]; literal?: string };
  'container-title'?: string;
  publisher?: string;
  DOI?: string;
  URL?: string;
}

const names = (list: Csl['author']) => (list ?? []).map((a) => a.literal ?? [a.family, a.given].filter(Boolean).join(', ')).filter(Boolean).join('; ');

function fieldsOf(c: Csl, line: number, where: string, problems: FieldError[]): CitationFields | null {
  const title = (c.title ?? '').replace(/\s+/g, ' ').trim();
  if (!title) problems.push({ field: `${where}: title`, message: 'is missing' });
  const rawYear = c.issued?.['date-parts']?.[0]?.[0];
  let year: number | null = null;
  if (rawYear !== undefined && rawYear !== null && String(rawYear) !== '') {
    year = Number(rawYear);
    if (!Number.isInteger(year) || year < 1900 || year > 2100) {
      problems.push({ field: `${where}: year`, message: `"${rawYear}" is not a year between 1900 and 2100` });
      year = null;
    }
  }
  const doi = c.DOI ? c.DOI.trim().replace(/^https?:\/\/(dx\.)?doi\.org\//i, '') : null;
  if (doi && !/^10\.\S+\/\S+$/.test(doi)) problems.push({ field: `${where}: doi`, message: `"${doi.slice(0, 60)}" is not a DOI such as 10.1234/abc` });
  const url = c.URL?.trim() || null;
  if (url && !/^https?:\/\/\S+$/.test(url)) problems.push({ field: `${where}: url`, message: 'must be an http or https address' });
  if (!title) return null;
  return { line, title: title.slice(0, 1000), authors: (names(c.author) || names(c.editor) || 'Unknown').slice(0, 2000), year, journal: (c['container-title'] ?? c.publisher ?? '').trim().slice(0, 500) || null, doi, url };
}

async function parseRis(text: string): Promise<CitationFields[]> {
  const records = risRecords(text);
  const problems: FieldError[] = [];
  const out: CitationFields[] = [];
  for (const r of records) {
    const where = `record at line ${r.line}`;
    if (!TITLE_TAGS.some((t) => r.tags.get(t)?.some((x) => x.value))) {
      problems.push({ field: `${where}: title`, message: 'is missing (TI or T1)' });
      continue;
    }
    for (const t of YEAR_TAGS) {
      for (const y of r.tags.get(t) ?? []) {
        if (y.value && !/^\d{4}/.test(y.value)) problems.push({ field: `line ${y.line}: ${t}`, message: `"${y.value.slice(0, 40)}" does not start with a four-digit year` });
      }
    }
    for (const x of r.tags.get('DO') ?? []) {
      const doi = x.value.replace(/^https?:\/\/(dx\.)?doi\.org\//i, '');
      if (doi && !/^10\.\S+\/\S+$/.test(doi)) problems.push({ field: `line ${x.line}: DO`, message: `"${doi.slice(0, 60)}" is not a DOI such as 10.1234/abc` });
    }
    for (const x of [...(r.tags.get('UR') ?? []), ...(r.tags.get('L2') ?? [])]) {
      if (x.value && !/^https?:\/\/\S+$/.test(x.value)) problems.push({ field: `line ${x.line}: UR`, message: 'must be an http or https address' });
    }
    let csl: Csl[];
    try {
      csl = (await plugins.input.chainAsync(r.lines.join('\n') + '\n', { forceType: '@ris/file', generateGraph: false })) as Csl[];
    } catch (err) {
      problems.push({ field: where, message: `could not be read: ${(err as Error).message.split('\n')[0]}` });
      continue;
    }
    if (csl.length !== 1) {
      problems.push({ field: where, message: 'could not be read as one reference' });
      continue;
    }
    const f = fieldsOf(csl[0], r.line, where, problems);
    if (f) out.push(f);
  }
  if (problems.length) throw new CitationFileError(problems);
  return out;
}

/** Line of each entry's key in a BibTeX file, for messages about an entry. */
function bibtexKeyLines(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = /@(\w+)\s*[{(]\s*([^,\s]+)\s*,/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!out.has(m[2])) out.set(m[2], text.slice(0, m.index).split('\n').length);
  }
  return out;
}

async function parseBibtex(text: string): Promise<CitationFields[]> {
  let csl: (Csl & { id?: string; 'citation-key'?: string })[];
  try {
    csl = (await plugins.input.chainAsync(text, { forceType: '@biblatex/text', generateGraph: false })) as typeof csl;
  } catch (err) {
    const msg = (err as Error).message;
    const at = /at line (\d+) col (\d+)/.exec(msg);
    const first = msg.split('\n')[0].replace(/ at line \d+ col \d+:?$/, '');
    throw new CitationFileError([{ field: at ? `line ${at[1]}` : 'file', message: `is not valid BibTeX${at ? ` (column ${at[2]})` : ''}: ${first}` }]);
  }
  if (!csl.length) throw new CitationFileError([{ field: 'file', message: 'holds no BibTeX entry (such as @article{key, title = {...}})' }]);
  const lines = bibtexKeyLines(text);
  const problems: FieldError[] = [];
  const out: CitationFields[] = [];
  for (const c of csl) {
    const key = c['citation-key'] ?? c.id ?? '';
    const line = lines.get(key) ?? 0;
    const f = fieldsOf(c, line, `entry ${key || '(no key)'}${line ? ` at line ${line}` : ''}`, problems);
    if (f) out.push(f);
  }
  if (problems.length) throw new CitationFileError(problems);
  return out;
}

/** Every record of the file, or a CitationFileError listing every problem found. */
export async function parseCitations(text: string): Promise<{ format: CitationFormat; records: CitationFields[] }> {
  const format = detectFormat(text);
  if (!format) throw new CitationFileError([{ field: 'file', message: 'is neither RIS (first line "TY  - ...") nor BibTeX (entries such as "@article{...}")' }]);
  return { format, records: format === 'ris' ? await parseRis(text) : await parseBibtex(text) };
}
