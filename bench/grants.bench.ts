import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { testApp } from '../src/platform/testing.ts';
import { addWatch, importExtract } from '../src/modules/grants/commands.ts';
import { oppXml } from '../src/modules/grants/testkit.ts';
import { EXTRACT_NS, openExtract, parseExtract } from '../src/modules/grants/extract.ts';

/**
 * The Grants.gov extract importer on generated extracts of GRANTS_BENCH_SIZES records (default 20000 and 100000),
 * each record about the size of a real one (a description of some 2,000 characters; the September 2026 extract
 * averages about 3.8 KiB per record). One record in fifty matches the watch list, about the share the real filter
 * keeps. Reports records per second and the peak growth of the resident set while importing, against parsing
 * the same file without the database (the baseline). Target: at least 10,000 records/s, memory flat as the file grows.
 */

const FILLER = 'Applicants must describe how the project serves its community, its partners, its staff and its evaluation plan. '.repeat(18);

async function writeExtract(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(`<?xml version="1.0" encoding="UTF-8"?>\n<Grants xmlns="${EXTRACT_NS}">\n`);
  for (let i = 0; i < n; i++) {
    const hit = i % 50 === 0;
    await write(
      oppXml({
        id: String(100000 + i),
        title: hit ? `Services for victims of human trafficking ${i}` : `Community program ${i}`,
        kind: i % 7 === 0 ? 'forecast' : 'posted',
        number: `O-BENCH-2027-${i}`,
        listings: [hit ? '16.320' : '10.001'],
        post: '01152027',
        close: '03312027',
        updated: '01152027',
        description: FILLER,
      }) + '\n',
    );
  }
  await write('</Grants>\n');
  out.end();
  await once(out, 'finish');
}

/** Runs `fn` while sampling the resident set every 20 ms; answers the seconds taken and the peak growth in MiB. */
async function sampled<T>(fn: () => Promise<T>): Promise<{ value: T; secs: number; peakMiB: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const t0 = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, secs: (performance.now() - t0) / 1000, peakMiB: (peak - base) / 1048576 };
  } finally {
    clearInterval(timer);
  }
}

export async function run(): Promise<void> {
  const sizes = (process.env.GRANTS_BENCH_SIZES ?? '20000,100000').split(',').map(Number);
  const dir = mkdtempSync(join(tmpdir(), 'grants-bench-'));
  const t = await testApp();
  try {
    await addWatch(t.ctx, { kind: 'listing', value: '16.320' });
    console.log(`${'records'.padStart(8)} ${'MiB'.padStart(7)} ${'case'.padEnd(22)} ${'seconds'.padStart(8)} ${'records/s'.padStart(10)} ${'peak MiB'.padStart(9)}`);
    for (const n of sizes) {
      const file = join(dir, `extract-${n}.xml`);
      await writeExtract(file, n);
      const mib = statSync(file).size / 1048576;
      const line = (name: string, secs: number, peak: number) =>
        console.log(`${String(n).padStart(8)} ${mib.toFixed(1).padStart(7)} ${name.padEnd(22)} ${secs.toFixed(2).padStart(8)} ${Math.round(n / secs).toString().padStart(10)} ${peak.toFixed(1).padStart(9)}`);
      const parsed = await sampled(async () => {
        const f = await openExtract(file);
        return parseExtract(f.chunks, () => {});
      });
      line('parse only (baseline)', parsed.secs, parsed.peakMiB);
      const imported = await sampled(() => importExtract(t.ctx, file));
      line(`import (${imported.value.kept} kept)`, imported.secs, imported.peakMiB);
      rmSync(file);
    }
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
