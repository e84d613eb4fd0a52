/**
 * The Grants.gov XML extract, read as a stream (decision 0009): the zip (or the bare XML) is never held whole in
 * memory. saxes checks well-formedness and resolves namespaces; yauzl reads the zip's entry as a stream and checks
 * its CRC and sizes. This file only parses: records come out one by one, as plain rows or as quarantined records
 * with their reason; what to keep and how to store it is the import's business (commands.ts).
 */
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import yauzl from 'yauzl';

export const EXTRACT_NS = 'http://apply.grants.gov/system/OpportunityDetail-V1.0';
const SYNOPSIS = 'OpportunitySynopsisDetail_1_0';
const FORECAST = 'OpportunityForecastDetail_1_0';
/** Longest text kept of one field: Description may hold 18,000 characters; more is cut, never buffered. */
const FIELD_MAX = 20_000;
const REPEATED = new Set(['FundingInstrumentType', 'CategoryOfFundingActivity', 'CFDANumbers', 'EligibleApplicants']);

/** The extract as a whole cannot be read: malformed XML, another namespace, a damaged zip. Nothing is imported. */
export class ExtractRefused extends Error {}

export interface OpportunityRow {
  opportunity_id: string;
  kind: 'posted' | 'forecast';
  number: string | null;
  title: string;
  agency_code: string | null;
  agency_name: string | null;
  listings: string[];
  eligible: string[];
  instruments: string[];
  category: string | null;
  post_date: string | null;
  close_date: string | null;
  archive_date: string | null;
  last_updated: string;
  award_ceiling: number | null;
  award_floor: number | null;
  estimated_total: number | null;
  expected_awards: number | null;
  fiscal_year: number | null;
  description: string | null;
  url: string | null;
}

export interface Quarantined {
  /** Position of the record in the file, from 1. */
  record: number;
  opportunity_id: string | null;
  reason: string;
}

export type ExtractItem = { row: OpportunityRow; index: number } | { quarantined: Quarantined };

export interface ExtractProgress {
  records: number;
  bytesRead: number;
  bytesTotal: number | null;
}

/** MMDDYYYY (the extract's dates) as YYYY-MM-DD, or undefined when it is not a real date. */
export function extractDate(s: string): string | undefined {
  const m = /^(\d{2})(\d{2})(\d{4})$/.exec(s.trim());
  if (!m) return undefined;
  const iso = `${m[3]}-${m[1]}-${m[2]}`;
  const d = new Date(iso + 'T00:00:00Z');
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso || Number(m[3]) < 1000 ? undefined : iso;
}

function money(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim().replace(/[$,]/g, '');
  if (!/^\d+(\.\d+)?$/.test(t)) return null; // "none" and blanks
  const n = Number(t);
  return Number.isFinite(n) && n <= 1e13 ? n : null;
}

/** One record's fields as text, into a row, or the reason it cannot be one. */
export function toRow(kind: 'posted' | 'forecast', f: Map<string, string[]>): OpportunityRow | string {
  const one = (k: string) => {
    const v = f.get(k)?.[0]?.trim();
    return v ? v : undefined;
  };
  const id = one('OpportunityID');
  if (!id) return 'OpportunityID is missing';
  if (!/^\d{1,20}$/.test(id)) return `OpportunityID "${id.slice(0, 40)}" is not up to 20 digits`;
  const lu = one('LastUpdatedDate');
  if (!lu) return 'LastUpdatedDate is missing';
  const last_updated = extractDate(lu);
  if (!last_updated) return `LastUpdatedDate "${lu.slice(0, 20)}" is not a date in MMDDYYYY form`;
  const title = one('OpportunityTitle');
  if (!title) return 'OpportunityTitle is missing';
  const date = (k: string): string | null | string[] => {
    const v = one(k);
    if (v === undefined) return null;
    const d = extractDate(v);
    return d ?? [`${k} "${v.slice(0, 20)}" is not a date in MMDDYYYY form`];
  };
  const fields = kind === 'forecast' ? { post: 'EstimatedSynopsisPostDate', close: 'EstimatedSynopsisCloseDate' } : { post: 'PostDate', close: 'CloseDate' };
  const post = date(fields.post);
  const close = date(fields.close);
  const archive = date('ArchiveDate');
  for (const d of [post, close, archive]) if (Array.isArray(d)) return d[0];
  const listings = [...new Set((f.get('CFDANumbers') ?? []).map((s) => s.trim()).filter(Boolean))];
  const badListing = listings.find((l) => !/^\d{2}\.\d{3}$/.test(l));
  if (badListing) return `CFDANumbers "${badListing.slice(0, 20)}" is not an Assistance Listing number NN.NNN`;
  const fy = one('FiscalYear');
  const expected = one('ExpectedNumberOfAwards');
  const url = one('AdditionalInformationURL');
  return {
    opportunity_id: id,
    kind,
    number: one('OpportunityNumber')?.slice(0, 40) ?? null,
    title: title.slice(0, 255),
    agency_code: one('AgencyCode')?.slice(0, 255) ?? null,
    agency_name: one('AgencyName')?.slice(0, 255) ?? null,
    listings,
    eligible: [...new Set((f.get('EligibleApplicants') ?? []).map((s) => s.trim()).filter(Boolean))],
    instruments: [...new Set((f.get('FundingInstrumentType') ?? []).map((s) => s.trim()).filter(Boolean))],
    category: one('OpportunityCategory')?.slice(0, 10) ?? null,
    post_date: post as string | null,
    close_date: close as string | null,
    archive_date: archive as string | null,
    last_updated,
    award_ceiling: money(one('AwardCeiling')),
    award_floor: money(one('AwardFloor')),
    estimated_total: money(one('EstimatedTotalProgramFunding')),
    expected_awards: expected && /^\d{1,9}$/.test(expected) ? Number(expected) : null,
    fiscal_year: fy && /^\d{4}$/.test(fy) ? Number(fy) : null,
    description: one('Description') ?? null,
    url: url && /^https?:\/\/\S+$/i.test(url) ? url.slice(0, 2000) : null,
  };
}

/**
 * Parses an extract from a text stream, handing each record to `onItem` as it closes. `onItem` may return a
 * promise: the stream is not read further until it settles, so a slow database holds the file back rather than
 * filling memory. Throws ExtractRefused for malformed XML or a root element other than the extract's.
 */
export async function parseExtract(
  input: AsyncIterable<string>,
  onItem: (item: ExtractItem) => void | Promise<void>,
  progress?: (p: { records: number; chars: number }) => void,
): Promise<{ records: number; quarantined: number }> {
  const parser = new SaxesParser({ xmlns: true, position: true });
  const pending: ExtractItem[] = [];
  let depth = 0;
  let records = 0;
  let quarantined = 0;
  let current: { kind: 'posted' | 'forecast'; fields: Map<string, string[]> } | null = null;
  let field: string | null = null;
  let text = '';
  let chars = 0;

  parser.on('opentag', (tag: SaxesTagNS) => {
    depth++;
    if (depth === 1) {
      if (tag.local !== 'Grants' || tag.uri !== EXTRACT_NS) {
        throw new ExtractRefused(`the root element is ${tag.local}${tag.uri ? ` in namespace "${tag.uri}"` : ' in no namespace'}; a Grants.gov extract has Grants in namespace "${EXTRACT_NS}"`);
      }
    } else if (depth === 2) {
      records++;
      const kind = tag.uri === EXTRACT_NS && tag.local === SYNOPSIS ? 'posted' : tag.uri === EXTRACT_NS && tag.local === FORECAST ? 'forecast' : null;
      if (kind) current = { kind, fields: new Map() };
      else {
        current = null;
        quarantined++;
        pending.push({ quarantined: { record: records, opportunity_id: null, reason: `${tag.local} is not a synopsis or forecast record of the extract` } });
      }
    } else if (depth === 3 && current) {
      field = tag.uri === EXTRACT_NS ? tag.local : null;
      text = '';
    }
  });
  const onText = (t: string) => {
    if (depth === 3 && field !== null && text.length < FIELD_MAX) text += t.length > FIELD_MAX - text.length ? t.slice(0, FIELD_MAX - text.length) : t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    if (depth === 3 && current && field !== null) {
      const list = current.fields.get(field);
      if (list && REPEATED.has(field)) list.push(text);
      else if (!list) current.fields.set(field, [text]);
      field = null;
    } else if (depth === 2 && current) {
      const row = toRow(current.kind, current.fields);
      if (typeof row === 'string') {
        quarantined++;
        const id = current.fields.get('OpportunityID')?.[0]?.trim() || null;
        pending.push({ quarantined: { record: records, opportunity_id: id && id.length <= 20 ? id : null, reason: row } });
      } else pending.push({ row, index: records });
      current = null;
    }
    depth--;
  });

  const drain = async () => {
    while (pending.length) await onItem(pending.shift()!);
  };
  try {
    for await (const chunk of input) {
      parser.write(chunk);
      chars += chunk.length;
      if (pending.length) await drain();
      progress?.({ records, chars });
    }
    parser.close();
  } catch (err) {
    if (err instanceof ExtractRefused) throw err;
    const msg = err instanceof Error ? err.message : String(err);
    // saxes reports "line:column: message"; say so in words.
    const m = /^(?:[^:]*:)?(\d+):(\d+): (.*)$/s.exec(msg);
    throw new ExtractRefused(m ? `the XML is not well-formed at line ${m[1]}, column ${Number(m[2]) + 1}: ${m[3]}` : `the XML could not be read: ${msg}`);
  }
  await drain();
  if (depth !== 0) throw new ExtractRefused('the XML ends before its root element is closed');
  return { records, quarantined };
}

/** What the file at `path` holds, by its first bytes: a zip, or (else) XML. */
export function isZip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const n = readSync(fd, b, 0, 4, 0);
    return n === 4 && b.readUInt32LE(0) === 0x04034b50;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

function openZip(path: string): Promise<yauzl.ZipFile> {
  return new Promise((ok, fail) =>
    yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, zip) => (err ? fail(new ExtractRefused(`the zip file is truncated or damaged (${err.message})`)) : ok(zip))),
  );
}

/** The first .xml entry of a zip (the extract holds one), as a stream of its uncompressed bytes, with its size. */
async function zipEntryStream(path: string): Promise<{ stream: Readable; size: number; name: string }> {
  const zip = await openZip(path);
  const entry = await new Promise<yauzl.Entry>((ok, fail) => {
    zip.on('entry', (e: yauzl.Entry) => (/\.xml$/i.test(e.fileName) ? ok(e) : zip.readEntry()));
    zip.on('end', () => fail(new ExtractRefused('the zip file holds no .xml file')));
    zip.on('error', (e: Error) => fail(new ExtractRefused(`the zip file is truncated or damaged (${e.message})`)));
    zip.readEntry();
  });
  const stream = await new Promise<Readable>((ok, fail) => zip.openReadStream(entry, (err, s) => (err ? fail(new ExtractRefused(`the zip entry ${entry.fileName} cannot be read (${err.message})`)) : ok(s))));
  return { stream, size: entry.uncompressedSize, name: entry.fileName };
}

/**
 * Opens an extract file (zip or XML) as text chunks, counting the bytes read for progress. Read errors of the zip
 * entry (a bad CRC, a cut-off stream) become ExtractRefused.
 */
export async function openExtract(path: string): Promise<{ chunks: AsyncIterable<string>; total: number; read: () => number; name: string }> {
  let stream: Readable;
  let total: number;
  let name = path;
  if (isZip(path)) {
    const e = await zipEntryStream(path);
    stream = e.stream;
    total = e.size;
    name = e.name;
  } else {
    stream = createReadStream(path, { highWaterMark: 256 * 1024 });
    total = statSync(path).size;
  }
  let read = 0;
  stream.setEncoding('utf8');
  async function* chunks(): AsyncIterable<string> {
    try {
      for await (const c of stream) {
        read += Buffer.byteLength(c as string);
        yield c as string;
      }
    } catch (err) {
      if (err instanceof ExtractRefused) throw err;
      throw new ExtractRefused(`the file could not be read to its end (${(err as Error).message})`);
    }
  }
  return { chunks: chunks(), total, read: () => read, name };
}
