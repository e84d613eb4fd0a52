/**
 * `npm run bench -- server-cpu`: the server's CPU time per request, by request type, on a kept load-bench directory
 * (issue 14). On a shared machine the clock moves with everyone else's work; the CPU the server process spends (all
 * its threads, from /proc, Linux only) moves much less. Starts `taskforce serve` as the load bench does, and for
 * each type asks SERVER_CPU_WARM requests (default 1,000) to warm it, then SERVER_CPU_REQUESTS (default 2,000) with
 * SERVER_CPU_CONNECTIONS clients (default 50) under autocannon, and prints the CPU per request (all threads, and the
 * main thread's: the event loop) beside the rate.
 * The URLs are the load bench's (requestTypes: the same seeded pools), so a run on one commit and a run on another
 * ask the same sequence.
 *
 *   LOAD_BENCH_DATABASE=sqlite:/tmp/load-500k.db SERVER_CPU_ONLY=landing,search-page npm run bench -- server-cpu
 */
import { existsSync, readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { serveProcess } from '../src/platform/testing.ts';
import { requestTypes } from './load.bench.ts';

export async function run(): Promise<void> {
  const url = process.env.LOAD_BENCH_DATABASE;
  if (!url?.startsWith('sqlite:')) throw new Error('server-cpu: give LOAD_BENCH_DATABASE=sqlite:/path/file.db, a directory the load bench generated');
  const keys = `${url.slice('sqlite:'.length)}.keys.json`;
  if (!existsSync(keys) || !existsSync('/proc/self/stat')) throw new Error(`server-cpu: needs ${keys} (made by the load bench) and /proc`);
  const secrets = JSON.parse(readFileSync(keys, 'utf8')) as Record<string, string>;
  const n = Number(process.env.LOAD_BENCH_SERVICES ?? 500_000);
  const warm = Number(process.env.SERVER_CPU_WARM ?? 1000);
  const amount = Number(process.env.SERVER_CPU_REQUESTS ?? 2000);
  const connections = Number(process.env.SERVER_CPU_CONNECTIONS ?? 50);
  const only = (process.env.SERVER_CPU_ONLY ?? 'landing,search-page,service-page').split(',').filter(Boolean);
  const node = await serveProcess({ ...secrets, DATABASE_URL: url, JOBS: 'off' });
  // utime + stime of the server process, all threads, in milliseconds (clock ticks of 10 ms).
  const ticks = (file: string) => {
    const f = readFileSync(file, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  };
  const cpu = () => ticks(`/proc/${node.child.pid}/stat`);
  // The main thread alone (its task id is the process id): the event loop, which every request waits for.
  const loop = () => ticks(`/proc/${node.child.pid}/task/${node.child.pid}/stat`);
  const drive = (path: () => string, count: number) =>
    autocannon({ url: node.base, connections, amount: count, timeout: 10, requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: path() }) }] });
  try {
    console.log(`Server CPU per request, ${url}; ${warm} requests to warm, then ${amount} with ${connections} clients; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    console.log('| request | server CPU ms / request | of which the event loop | requests/s | p50 / p99 ms | non-2xx | kB / answer |');
    console.log('|---|---|---|---|---|---|---|');
    for (const t of requestTypes(n).filter((x) => only.includes(x.key))) {
      await drive(t.path, warm);
      const c0 = cpu();
      const l0 = loop();
      const t0 = performance.now();
      const r = await drive(t.path, amount);
      const ms = cpu() - c0;
      const loopMs = loop() - l0;
      const s = (performance.now() - t0) / 1000;
      console.log(`| ${t.label} | ${(ms / amount).toFixed(2)} | ${(loopMs / amount).toFixed(2)} | ${(amount / s).toFixed(0)} | ${r.latency.p50} / ${r.latency.p99} | ${r.non2xx} | ${(r.throughput.total / amount / 1024).toFixed(0)} |`);
    }
    console.log(`load average at the end: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  } finally {
    await node.stop();
  }
}
