/**
 * The request a database call is made for, so that work nobody waits for stops (issue 14). The app runs each read
 * (GET, HEAD) inside `runWithSignal` with a signal that fires when the client goes away or the request's deadline
 * passes; the database layer then refuses to start another statement for it (both engines) and, on PostgreSQL,
 * cancels the statement running for it. Module code passes nothing: the scope follows the request's async calls.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type AbandonReason = 'gone' | 'deadline';

/** Work stopped because its client left or its deadline passed. */
export class WorkAbandoned extends Error {
  constructor(readonly reason: AbandonReason, readonly deadlineMs?: number) {
    super(reason === 'gone' ? 'the client went away' : `the request passed its deadline of ${(deadlineMs ?? 0) / 1000} s`);
    this.name = 'WorkAbandoned';
  }
}

const scope = new AsyncLocalStorage<AbortSignal>();

/** Runs `fn` (and everything it starts) on behalf of the work that `signal` stops. */
export function runWithSignal<T>(signal: AbortSignal, fn: () => T): T {
  return scope.run(signal, fn);
}

/** The signal of the work in progress, if it has one. */
export function currentSignal(): AbortSignal | undefined {
  return scope.getStore();
}

/** The error to stop with, when the current work has been abandoned. */
export function abandonedError(signal: AbortSignal | undefined = scope.getStore()): WorkAbandoned | undefined {
  if (!signal?.aborted) return undefined;
  return signal.reason instanceof WorkAbandoned ? signal.reason : new WorkAbandoned('gone');
}

/** Throws when the current work has been abandoned: long loops call it between steps. */
export function throwIfAbandoned(): void {
  const err = abandonedError();
  if (err) throw err;
}

/** What a read request has already read, by owner (a database) and name: oncePerRequest. */
const memos = new WeakMap<AbortSignal, Map<object, Map<string, Promise<unknown>>>>();

/**
 * `read()`'s answer, read once per read request (GET, HEAD: the work `runWithSignal` scopes) for `owner` and `name`;
 * outside one (writes, jobs, the command line) read at every call. For figures a request asks for at several
 * places and that it must see the same, such as the directory's data version: the search page asked for it three
 * times (its kept page, its kept answer, the kept word sets). A read that fails is not kept.
 */
export function oncePerRequest<T>(owner: object, name: string, read: () => Promise<T>): Promise<T> {
  const signal = scope.getStore();
  if (!signal) return read();
  let owners = memos.get(signal);
  if (!owners) memos.set(signal, (owners = new Map()));
  let names = owners.get(owner);
  if (!names) owners.set(owner, (names = new Map()));
  const found = names.get(name) as Promise<T> | undefined;
  if (found) return found;
  const fresh = read();
  names.set(name, fresh);
  fresh.catch(() => names.delete(name));
  return fresh;
}
