import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { Ctx } from '../../platform/context.ts';
import { UsageError, type CliCommand } from '../../platform/module.ts';
import { importPath, ImportRefused } from './import.ts';
import { exportDirectory } from './export.ts';
import { generateDirectory } from './generate.ts';

export const DIRECTORY_HELP = `  directory import PATH [--skip-broken-references]
                              import an HSDS publication into the service directory: a folder of
                              HSDS 3.0 CSV, 2.0 or 1.1 CSV files, or an HSDS 3.0 .json/.ndjson file;
                              all or nothing, refused rows are listed; importing again updates by id
  directory export --format json|csv DIR
                              write the directory as HSDS 3.0 (confidential locations redacted)
  directory generate --services N
                              add N synthetic services across the United States (for benchmarks)`;

export class DirectoryUsageError extends UsageError {}

/** `taskforce directory ...`; returns the exit code. */
export async function directoryCommand(args: string[], ctx: () => Promise<Ctx>, log: (line: string) => void): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'import') {
    const { values, positionals } = parseArgs({ args: rest, options: { 'skip-broken-references': { type: 'boolean' } }, allowPositionals: true, strict: true });
    if (positionals.length !== 1) throw new DirectoryUsageError('directory import: give one PATH');
    try {
      const started = Date.now();
      const r = await importPath(await ctx(), resolve(positionals[0]), { skipBrokenReferences: values['skip-broken-references'], progress: log });
      for (const s of r.skipped.slice(0, 20)) log(`skipped ${s.file} row ${s.row} ${s.field}: ${s.reason}`);
      if (r.skipped.length > 20) log(`... and ${r.skipped.length - 20} more skipped`);
      log(`imported (${r.format}) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${Object.entries(r.counts).map(([k, v]) => `${v} ${k}`).join(', ')}; ${r.approximateCoordinates} locations placed at their ZIP code centroid`);
      return 0;
    } catch (err) {
      if (!(err instanceof ImportRefused)) throw err;
      for (const f of err.refusals.slice(0, 100)) log(`refused ${f.file} row ${f.row} ${f.field}: ${f.reason}`);
      if (err.refusals.length > 100) log(`... and ${err.refusals.length - 100} more`);
      log(`import refused: ${err.refusals.length} row(s); nothing was imported`);
      if (err.refusals.some((f) => f.reason.startsWith('names no'))) log('legacy data often names records it lacks: --skip-broken-references imports the rest and lists what was left out');
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
  throw new DirectoryUsageError('directory: the subcommands are import, export and generate');
}

/** The module's command, as its manifest declares it. */
export const directoryCli: CliCommand = { name: 'directory', help: DIRECTORY_HELP, run: directoryCommand };
