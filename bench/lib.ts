import { performance } from 'node:perf_hooks';

export interface Figures {
  name: string;
  runs: number;
  p50: number;
  p95: number;
  mean: number;
}

/** Times `fn` after a warm-up; milliseconds per call. */
export async function measure(name: string, fn: () => Promise<unknown>, runs = 500, warmup = 50): Promise<Figures> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { name, runs, p50: at(0.5), p95: at(0.95), mean: times.reduce((a, b) => a + b, 0) / times.length };
}

/** Prints figures as a table, each with its ratio to the baseline measured in the same process. */
export function report(title: string, baseline: Figures, others: Figures[]): void {
  const fmt = (n: number) => n.toFixed(3).padStart(9);
  console.log(`\n${title}`);
  console.log(`${'case'.padEnd(48)} ${'p50 ms'.padStart(9)} ${'p95 ms'.padStart(9)} ${'× base p50'.padStart(11)}`);
  for (const f of [baseline, ...others]) {
    console.log(`${f.name.padEnd(48)} ${fmt(f.p50)} ${fmt(f.p95)} ${(f.p50 / baseline.p50).toFixed(1).padStart(11)}`);
  }
}

/**
 * Times `fn` with `clients` calls in flight at once (each client calls again as soon as its call returns), after a
 * warm-up; milliseconds per call, as a caller waits for it. `runs` calls in all.
 */
export async function measureConcurrent(name: string, fn: () => Promise<unknown>, clients: number, runs = 500, warmup = 50): Promise<Figures> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  let left = runs;
  const client = async () => {
    while (left > 0) {
      left--;
      const t0 = performance.now();
      await fn();
      times.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { name, runs, p50: at(0.5), p95: at(0.95), mean: times.reduce((a, b) => a + b, 0) / times.length };
}
