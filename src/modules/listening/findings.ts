import type { Db } from '../../platform/db/index.ts';
import { toCsv } from '../../platform/http/csv.ts';
import { PROVIDER_TYPES, REGIONS } from './schema.ts';
import { listCodes, listExcerpts, listInputs, listRecommendations, listSessions, themeOf, type Series } from './store.ts';
import { suppressRow, isSmall, type Cell } from '../../platform/stats/suppress.ts';

export const NOT_STATED = 'not_stated';

export interface Breakdown {
  columns: string[];
  rows: { code_id: string; name: string; cells: Cell[]; total: Cell }[];
}

export interface Findings {
  series_id: string;
  title: string;
  published_at: string | null;
  threshold: number;
  inputs: Cell;
  themes: { code_id: string; name: string; description: string | null; total: Cell; quotes: { text: string; name: string | null; organization_type: string | null }[] }[];
  by_region: Breakdown;
  by_provider_type: Breakdown;
  recommendations: ReportRecommendation[];
}

/** A recommendation as a report shows it; a published report shows them as they are now (presenters.liveRecommendations). */
export interface ReportRecommendation {
  id: string;
  title: string;
  type: string;
  status: string;
  progress: number;
  finding_code_id: string | null;
  /** The work plan action carrying it out, with that action's status; absent in reports stored before it was shown. */
  workplan_action?: { id: string; number: string; title: string; status: string } | null;
}

export interface PublishedReport {
  findings: Findings;
  /** De-identified coded excerpts: no names, no e-mail addresses, no coder identities. */
  csv: string;
}

const cell = (n: number, threshold: number, suppress: boolean): Cell => (suppress && isSmall(n, threshold) ? { value: null, suppressed: true } : { value: n, suppressed: false });

/**
 * Themes are the top-level codes. A theme counts the inputs (one participant's submission, or one set of
 * facilitator notes) holding at least one excerpt coded with it or any code below it, whoever coded it, so two
 * coders marking the same passage count once.
 */
export async function buildFindings(db: Db, series: Series, threshold: number, opts: { suppress: boolean; publishedAt?: string | null }): Promise<PublishedReport> {
  const [codes, { items: excerpts }, { items: inputs }, { items: recs }, sessions] = await Promise.all([
    listCodes(db, series.id),
    listExcerpts(db, { seriesId: series.id }),
    listInputs(db, { seriesId: series.id }),
    listRecommendations(db, { seriesId: series.id }),
    listSessions(db, series.id),
  ]);
  const theme = themeOf(codes);
  const codeById = new Map(codes.map((c) => [c.id, c]));
  const inputById = new Map(inputs.map((i) => [i.id, i]));
  const themes = codes.filter((c) => !c.parent_id || !codeById.has(c.parent_id)).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const inputsByTheme = new Map<string, Set<string>>(themes.map((t) => [t.id, new Set()]));
  const excerptsByTheme = new Map<string, typeof excerpts>(themes.map((t) => [t.id, []]));
  for (const e of excerpts) {
    const ts = new Set(e.code_ids.map((c) => theme.get(c)).filter((x): x is string => !!x));
    for (const t of ts) {
      inputsByTheme.get(t)?.add(e.input_id);
      excerptsByTheme.get(t)?.push(e);
    }
  }
  const regionCols = [...REGIONS, NOT_STATED];
  const typeCols = [...PROVIDER_TYPES, NOT_STATED];
  const breakdown = (cols: string[], key: 'region' | 'organization_type'): Breakdown => ({
    columns: cols,
    rows: themes.map((t) => {
      const ids = [...(inputsByTheme.get(t.id) ?? [])];
      const values = cols.map((col) => ids.filter((id) => (inputById.get(id)?.[key] ?? NOT_STATED) === col).length);
      const row = opts.suppress ? suppressRow(values, ids.length, threshold) : { cells: values.map((v) => cell(v, threshold, false)), total: cell(ids.length, threshold, false) };
      return { code_id: t.id, name: t.name, ...row };
    }),
  });
  const by_region = breakdown(regionCols, 'region');
  const by_provider_type = breakdown(typeCols, 'organization_type');
  const findings: Findings = {
    series_id: series.id,
    title: series.title,
    published_at: opts.publishedAt ?? series.published_at,
    threshold,
    inputs: cell(inputs.length, threshold, opts.suppress),
    themes: themes.map((t, i) => {
      // Quotes come only from inputs whose authors agreed to be quoted; a name only when they agreed to that too.
      const seen = new Set<string>();
      const texts = new Set<string>();
      const quotes: Findings['themes'][number]['quotes'] = [];
      const candidates = [...(excerptsByTheme.get(t.id) ?? [])].filter((e) => inputById.get(e.input_id)?.quotable && e.text.length >= 30 && e.text.length <= 600).sort((a, b) => b.text.length - a.text.length || a.id.localeCompare(b.id));
      for (const e of candidates) {
        if (seen.has(e.input_id) || texts.has(e.text) || quotes.length >= 3) continue;
        seen.add(e.input_id);
        texts.add(e.text);
        const input = inputById.get(e.input_id)!;
        quotes.push({ text: e.text, name: input.attribution ? input.participant_name : null, organization_type: input.organization_type });
      }
      return { code_id: t.id, name: t.name, description: t.description, total: by_region.rows[i].total, quotes };
    }),
    by_region,
    by_provider_type,
    recommendations: recs.map((r) => ({ id: r.id, title: r.title, type: r.type, status: r.status, progress: r.status === 'done' ? 100 : r.progress, finding_code_id: r.finding_code_id })),
  };
  const sessionDate = new Map(sessions.map((s) => [s.id, s.date]));
  const answerQuestion = new Map(inputs.flatMap((i) => i.answers.map((a) => [a.id, a.question_key] as const)));
  const rows = excerpts.map((e) => {
    const input = inputById.get(e.input_id)!;
    const themeNames = [...new Set(e.code_ids.map((c) => codeById.get(theme.get(c) ?? '')?.name).filter(Boolean))].join('; ');
    return [
      e.id,
      sessionDate.get(input.session_id) ?? '',
      answerQuestion.get(e.answer_id) ?? '',
      themeNames,
      e.code_ids.map((c) => codeById.get(c)?.name ?? '').join('; '),
      input.organization_type ?? '',
      input.region ?? '',
      input.quotable ? 'yes' : 'no',
      // Words from people who did not agree to be quoted stay out of the public file.
      input.quotable ? e.text : '',
    ];
  });
  const csv = toCsv(['excerpt_id', 'session_date', 'question', 'themes', 'codes', 'organization_type', 'region', 'quotable', 'text'], rows);
  return { findings, csv };
}
