// A reader of the SQLite database on a worker thread (platform/db/sqlite-driver.ts): its own read-only connection
// to the same file, its own prepared statements, answering rows by message. Plain JavaScript, so that it starts
// the same whatever runs the app (tsx, a build, the test runner).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma(`cache_size = -${workerData.cacheKiB ?? 65536}`);
const kept = new Map();

function statement(text) {
  const found = kept.get(text);
  if (found && !found.busy) {
    kept.delete(text);
    kept.set(text, found);
    return found;
  }
  const fresh = db.prepare(text);
  kept.set(text, fresh);
  if (kept.size > 500) kept.delete(kept.keys().next().value);
  return fresh;
}

// Structured cloning turns Buffers into plain Uint8Arrays; better-sqlite3 binds Buffers.
const bindable = (v) => (v instanceof Uint8Array && !Buffer.isBuffer(v) ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v);

// A message is a batch of reads (sqlite-driver.ts ReaderPool), answered together in one message, in order.
parentPort.on('message', (batch) => {
  const results = [];
  for (const { id, sql, parameters } of batch) {
    try {
      const st = statement(sql);
      if (!st.reader) throw new Error('a reader runs statements that return rows only');
      results.push({ id, rows: st.all(parameters.map(bindable)) });
    } catch (err) {
      results.push({ id, error: { message: err.message, code: err.code } });
    }
  }
  parentPort.postMessage({ results });
});
