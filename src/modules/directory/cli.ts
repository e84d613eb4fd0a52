import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { Ctx } from '../../platform/context.ts';
import { UsageError, type CliCommand } from '../../platform/module.ts';
import { writeFileSync } from 'node:fs';
import { groupFindings, importPath, ImportRefused } from './import.ts';
import type { Refusal } from './validate.ts';
import { checkSourceName } from './snapshot.ts';
import { toCsv } from '../../platform/http/csv.ts';
import { exportDirectory } from './export.ts';
import { generateDirectory } from './generate.ts';
import { crosswalkReport, reapplyCrosswalk } from './crosswalk.ts';

import { DIRECTORY_HELP } from './cli-help.ts';
export { DIRECTORY_HELP };

export class DirectoryUsageError extends UsageError {}

/** Findings grouped by reason, most frequent first, with a count and three examples each. */
function printGroups(log: (line: string) => void, what: string, list: readonly Refusal[]) {
  for (const g of groupFindings(list)) {
    log(`${what} ${g.count} × ${g.file} ${g.field}: ${g.reason}`);
    for (const e of g.examples) log(`    e.g. row ${e.row}: ${e.reason}`);
  }
}

/** Every finding as CSV: kind, file, row, field, reason. */
export function findingsCsv(quarantined: readonly Refusal[], warnings: readonly Refusal[], kind = 'quarantined'): string {
  const rows = [...quarantined.map((f) => [kind, f.file, String(f.row), f.field, f.reason]), ...warnings.map((f) => ['warning', f.file, String(f.row), f.field, f.reason])];
  return toCsv(['kind', 'file', 'row', 'field', 'reason'], rows);
}

function writeFindings(file: string, quarantined: readonly Refusal[], warnings: readonly Refusal[], kind?: string) {
  writeFileSync(file, findingsCsv(quarantined, warnings, kind));
}

/** `taskforce directory ...`; returns the exit code. */
export async function directoryCommand(args: string[], ctx: () => Promise<Ctx>, log: (line: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'import') {
    const { values, positionals } = parseArgs({ args: rest, options: { 'skip-broken-references': { type: 'boolean' }, strict: { type: 'boolean' }, report: { type: 'string' }, source: { type: 'string' }, partial: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if (values.help) {
      log(DIRECTORY_HELP.split('\n  directory export')[0]);
      return 0;
    }
    if (positionals.length !== 1) throw new DirectoryUsageError('directory import: give one PATH');
    if (values.strict && values['skip-broken-references']) throw new DirectoryUsageError('directory import: --strict and --skip-broken-references cannot go together');
    if (values.report !== undefined && !values.report.trim()) throw new DirectoryUsageError('directory import: --report needs a FILE');
    const report = values.report ? resolve(values.report) : undefined;
    if (values.source !== undefined) {
      const bad = checkSourceName(values.source);
      if (bad) throw new DirectoryUsageError(`directory import: --source ${bad}`);
    }
    try {
      const started = Date.now();
      const r = await importPath(await ctx(), resolve(positionals[0]), { strict: values.strict, progress: log, source: values.source?.trim(), partial: values.partial });
      printGroups(log, 'quarantined', r.quarantined);
      printGroups(log, 'warning', r.skipped);
      if (report) writeFindings(report, r.quarantined, r.skipped);
      log(`imported ${r.found} from ${r.source} in ${((Date.now() - started) / 1000).toFixed(1)} s: added ${r.added}, changed ${r.changed}, unchanged ${r.unchanged}, removed ${r.removed}, quarantined ${r.quarantined.length}, warnings ${r.skipped.length}; ${r.approximateCoordinates} locations placed at their ZIP code centroid`);
      log(`every quarantined row and warning: ${report ?? `/directory/imports/${r.importId} (CSV: /api/directory/imports/${r.importId}/quarantine.csv)`}`);
      return 0;
    } catch (err) {
      if (!(err instanceof ImportRefused)) throw err;
      printGroups(log, 'refused', err.refusals);
      if (report) writeFindings(report, err.refusals, [], 'refused');
      log(`import refused: ${err.refusals.length} row(s); nothing was imported`);
      if (err.historyId) log(`recorded in the import history: /directory/imports/${err.historyId}`);
      if (report) log(`every refusal: ${report}`);
      return 1;
    }
  }
  if (sub === 'export') {
    const { values, positionals } = parseArgs({ args: rest, options: { format: { type: 'string' } }, allowPositionals: true, strict: true });
    if (values.format !== 'json' && values.format !== 'csv') throw new DirectoryUsageError('directory export: --format must be json or csv');
    if (positionals.length !== 1) throw new DirectoryUsageError('directory export: give one DIR');
    const r = await exportDirectory((await ctx()).db, values.format, resolve(positionals[0]), log);
    log(`exported ${r.files.length} file(s) to ${resolve(positionals[0])}`);
    return 0;
  }
  if (sub === 'generate') {
    const { values } = parseArgs({ args: rest, options: { services: { type: 'string' } }, strict: true });
    const n = Number(values.services);
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new DirectoryUsageError('directory generate: --services must be a whole number from 1 to 1000000');
    await generateDirectory(await ctx(), n, log);
    return 0;
  }
  if (sub === 'crosswalk') {
    const [what, ...more] = rest;
    const { values, positionals } = parseArgs({ args: more, options: { format: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if (values.help) {
      log(DIRECTORY_HELP.slice(DIRECTORY_HELP.indexOf('  directory crosswalk')));
      return 0;
    }
    if (positionals.length) throw new DirectoryUsageError(`directory crosswalk: unexpected ${positionals[0]}`);
    if (what === 'report') {
      const format = values.format ?? 'text';
      if (format !== 'text' && format !== 'csv') throw new DirectoryUsageError('directory crosswalk report: --format must be text or csv');
      const r = await crosswalkReport((await ctx()).db);
      if (format === 'csv') {
        log(toCsv(['kind', 'taxonomy', 'code', 'name', 'services'], [...r.terms.map((t) => ['term', t.taxonomy ?? '', t.code ?? '', t.name, String(t.services)]), ...r.languages.map((l) => ['language', '', '', l.name, String(l.services)])]).trimEnd());
        return 0;
      }
      log(`${r.mappedTerms} of ${r.sourceTerms} source term(s) carried by services map to a directory term; unmapped, most services first:`);
      for (const t of r.terms) log(`  ${String(t.services).padStart(6)}  ${t.code ? `${t.code} ` : ''}${t.name}${t.taxonomy ? ` (${t.taxonomy})` : ''}`);
      log(`language names with no code: ${r.languages.length}`);
      for (const l of r.languages) log(`  ${String(l.services).padStart(6)}  ${l.name}`);
      return 0;
    }
    if (what === 'apply') {
      if (values.format !== undefined) throw new DirectoryUsageError('directory crosswalk apply: --format is for report');
      const r = await reapplyCrosswalk(await ctx());
      log(`crosswalk applied: ${r.services} service(s) changed, ${r.added} term(s) added, ${r.removed} removed, ${r.languages} language row(s) coded`);
      return 0;
    }
    throw new DirectoryUsageError('directory crosswalk: the subcommands are report and apply');
  }
  throw new DirectoryUsageError('directory: the subcommands are import, export, generate and crosswalk');
}

/** The module's command, as its manifest declares it. */
export const directoryCli: CliCommand = { name: 'directory', help: DIRECTORY_HELP, run: directoryCommand };
