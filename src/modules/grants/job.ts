/**
 * The scheduled extract import (job grants.extract): from the source the committee or the operator configured, a
 * file path or an http(s) address. An address is downloaded to a temporary file first (a zip is read from its end).
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Ctx } from '../../platform/context.ts';
import { importExtract } from './commands.ts';
import { EXTRACT_SOURCE, getSetting } from './store.ts';

const DOWNLOAD_MAX = 2 * 1024 * 1024 * 1024;

async function download(url: string, dir: string): Promise<string> {
  const res = await fetch(url, { redirect: 'follow', signal: AbortSignal.timeout(30 * 60_000) });
  if (!res.ok || !res.body) throw new Error(`${url} answered ${res.status}`);
  const file = join(dir, 'extract');
  let bytes = 0;
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  body.on('data', (b: Buffer) => {
    bytes += b.length;
    if (bytes > DOWNLOAD_MAX) body.destroy(new Error(`${url} is larger than ${DOWNLOAD_MAX / 1024 ** 3} GiB`));
  });
  await pipeline(body, createWriteStream(file));
  return file;
}

export async function scheduledImport(ctx: Ctx, _now: Date, log: (line: string) => void): Promise<string> {
  const source = await getSetting(ctx.db, EXTRACT_SOURCE);
  if (!source) return 'no extract source is configured (taskforce grants source PATH|URL, or the watch list page)';
  let dir: string | undefined;
  try {
    let path = source;
    if (/^https?:\/\//i.test(source)) {
      dir = mkdtempSync(join(tmpdir(), 'grants-extract-'));
      path = await download(source, dir);
    }
    const r = await importExtract(ctx, path, { log });
    return `${r.records} records read, ${r.kept} kept: ${r.inserted} new, ${r.updated} updated, ${r.unchanged} unchanged; ${r.quarantined} quarantined`;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
