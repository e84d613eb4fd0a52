import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Ctx } from '../../platform/context.ts';
import { importPath } from './import.ts';
import { addDemoProviders } from './demo.ts';

/** The Washington DC sample (HSDS 2.0), shipped with the module so that every first start has a directory. */
export const DC_SAMPLE = resolve(import.meta.dirname, 'demo-data/sample-dc-2.0');

export async function seedDirectory(ctx: Ctx, log: (line: string) => void): Promise<void> {
  const path = process.env.DIRECTORY_DEMO_PATH ?? DC_SAMPLE;
  if (existsSync(path)) {
    log(`directory: importing the Washington DC sample (HSDS 2.0) from ${path}`);
    const r = await importPath(ctx, path, { skipBrokenReferences: true, progress: (l) => log(`directory: ${l}`) });
    log(`directory: imported ${r.counts.organization ?? 0} organizations, ${r.counts.service ?? 0} services, ${r.counts.location ?? 0} locations; ${r.skipped.length} dangling links left out; ${r.approximateCoordinates} locations placed at their ZIP code centroid`);
  } else log(`directory: no sample at ${path}; only the demo providers are loaded`);
  await addDemoProviders(ctx);
  log('directory: demo anti-trafficking providers added (one with a confidential shelter)');
}
