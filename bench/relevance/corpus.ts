/**
 * The relevance benchmark's directory: the demo seed (the Washington DC sample and the demo anti-trafficking
 * providers) and the example-city and real HSDS datasets from the team's shared folder, each imported through the
 * real importer. A dataset that does not import is left out and said so; its queries are then skipped.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Ctx } from '../../src/platform/context.ts';
import { seedDirectory } from '../../src/modules/directory/seed.ts';
import { importPath } from '../../src/modules/directory/import.ts';

export const SHARED_HSDS = process.env.HSDS_SHARED ?? resolve(import.meta.dirname, '../../../shared/hsds');

/** Dataset name → folder under the shared folder. "demo" is the demo seed and always loads. */
export const DATASETS: Record<string, string> = {
  'example-city': 'sample-example-city-1.1/all_resources',
  ilao: 'real/ilao-legal-aid-1.1',
  healthleads: 'real/healthleads-1.1',
};

/** Loads the corpus; returns the names of the datasets that loaded. */
export async function loadCorpus(ctx: Ctx, log: (l: string) => void = () => {}): Promise<Set<string>> {
  const loaded = new Set<string>();
  await seedDirectory(ctx, () => {});
  loaded.add('demo');
  for (const [name, dir] of Object.entries(DATASETS)) {
    const path = join(SHARED_HSDS, dir);
    if (!existsSync(path)) {
      log(`relevance: ${name}: no folder ${path}; its queries are skipped`);
      continue;
    }
    try {
      await importPath(ctx, path, { skipBrokenReferences: true });
      loaded.add(name);
    } catch (err) {
      log(`relevance: ${name} does not import (${String((err as Error).message).split('\n')[0].slice(0, 160)}); its queries are skipped`);
    }
  }
  return loaded;
}
