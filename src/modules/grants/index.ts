import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { UsageError, type App, type AppModule, type CliCommand } from '../../platform/module.ts';
import { PERMISSIONS, PLAN } from './permissions.ts';
import { messages } from './messages.ts';
import { grantsApi } from './api.ts';
import { grantsPages } from './pages/routes.ts';
import { importExtract, setExtractSource } from './commands.ts';
import { ExtractRefused } from './extract.ts';
import { scheduledImport } from './job.ts';
import { seedGrants } from './seed.ts';
import { AWARD_CSV_MAX_BYTES } from './upload.ts';
import { registerUploads } from '../workplans/index.ts';
import { HELP } from './cli-help.ts';

export { PLAN as GRANTS_PLAN, REVIEW as GRANTS_REVIEW } from './permissions.ts';
// The module's public service API, for other modules: they never read grants_* tables directly.
export { listAwards, listPlans, type AwardFilter, type PlanFilter } from './store.ts';


const grantsCli: CliCommand = {
  name: 'grants',
  help: HELP,
  async run(args, ctx, log) {
    const [sub, ...rest] = args;
    if (sub === 'import-extract') {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true });
      if (positionals.length !== 1) throw new UsageError('grants import-extract: give one FILE');
      const started = Date.now();
      try {
        const r = await importExtract(await ctx(), resolve(positionals[0]), { log });
        for (const q of r.quarantine.slice(0, 20)) log(`quarantined record ${q.record}${q.opportunity_id ? ` (OpportunityID ${q.opportunity_id})` : ''}: ${q.reason}`);
        if (r.quarantined > 20) log(`... and ${r.quarantined - 20} more quarantined`);
        const secs = (Date.now() - started) / 1000;
        log(`imported ${r.source} in ${secs.toFixed(1)} s: ${r.records} records read (${Math.round(r.records / Math.max(secs, 0.001))}/s), ${r.kept} kept: ${r.inserted} new, ${r.updated} updated, ${r.unchanged} unchanged; ${r.quarantined} quarantined`);
        return 0;
      } catch (err) {
        if (!(err instanceof ExtractRefused)) throw err;
        log(`import refused: ${err.message}; nothing was imported`);
        return 1;
      }
    }
    if (sub === 'source') {
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, strict: true });
      if (positionals.length !== 1) throw new UsageError('grants source: give one PATH or URL, or none');
      const value = positionals[0] === 'none' ? '' : /^https?:\/\//i.test(positionals[0]) ? positionals[0] : resolve(positionals[0]);
      await setExtractSource(await ctx(), { extract_source: value });
      log(value ? `the scheduled extract import reads ${value}` : 'the scheduled extract import is off');
      return 0;
    }
    throw new UsageError('grants: the subcommands are "import-extract" and "source"');
  },
};

export const grantsModule: AppModule = {
  name: 'grants',
  permissions: PERMISSIONS,
  nav: [
    { href: '/grants/funding', label: 'grants.nav.funding', description: 'grants.nav.funding.about', order: 40 },
    { href: '/grants', label: 'grants.nav', description: 'grants.nav.about', order: 41, permission: PLAN },
  ],
  messages,
  migrations: resolve(import.meta.dirname, 'migrations'),
  commands: [grantsCli],
  jobs: [{ name: 'grants.extract', description: 'Import the Grants.gov extract from the configured path or address, keeping the opportunities on the watch list.', schedule: { dailyAt: '10:30' }, run: scheduledImport }],
  async register(app: App) {
    // Multipart forms for the award CSV upload, on the page and the API alike (this module's scope only).
    await registerUploads(app, AWARD_CSV_MAX_BYTES);
    await grantsApi(app);
    await grantsPages(app);
  },
  seedDemo: seedGrants,
};
