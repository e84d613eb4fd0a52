/**
 * `npm run bench` runs every benchmark; `npm run bench -- NAME` one of them. Each prints its figures and the ratio
 * to a baseline measured in the same process (usually the raw database query), since machines are noisy.
 * Set DATABASE_URL=postgres://... to measure on PostgreSQL.
 */
import { readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const dir = import.meta.dirname;
const all = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`bench: unknown benchmark(s) ${unknown.join(', ')}; known: ${all.join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length ? wanted : all) {
  console.log(`== ${name} (${process.env.DATABASE_URL?.startsWith('postgres') ? 'postgresql' : 'sqlite'}) ==`);
  const mod = (await import(pathToFileURL(join(dir, `${name}.bench.ts`)).href)) as { run(): Promise<void> };
  await mod.run();
}
