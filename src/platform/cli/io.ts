/**
 * Where the command line writes and reads: the process's standard streams, or, for a run inside another process
 * (the tests' `runCli`), the streams that run was given. Kept per run (AsyncLocalStorage), so that two runs at
 * once in one process each keep their own output, and code deep in a command (a job's failure, a mail line) writes
 * to the run it belongs to without being handed a writer.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface CliIo {
  /** The environment the run reads its configuration from. */
  env: NodeJS.ProcessEnv;
  /** One line of standard output. */
  out(line: string): void;
  /** Text for standard error, as given (end it with a newline). */
  err(text: string): void;
  /** All of standard input; refused when it is a terminal. */
  stdin(): Promise<string>;
  /** Whether standard input is a terminal (a password would be typed, and echoed). */
  stdinIsTTY: boolean;
}

export const processIo: CliIo = {
  get env() {
    return process.env;
  },
  out: (line) => void process.stdout.write(line + '\n'),
  err: (text) => void process.stderr.write(text),
  async stdin() {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  get stdinIsTTY() {
    return Boolean(process.stdin.isTTY);
  },
};

const current = new AsyncLocalStorage<CliIo>();

/** The streams of the command-line run this code is part of (the process's own outside any run). */
export function cliIo(): CliIo {
  return current.getStore() ?? processIo;
}

/** Runs `fn` with `io` as its command line's streams. */
export function withCliIo<T>(io: CliIo, fn: () => Promise<T>): Promise<T> {
  return current.run(io, fn);
}

/** An in-memory run's streams: what it printed, and standard input given as a string. */
export function capturedIo(env: NodeJS.ProcessEnv, stdin = ''): CliIo & { stdout(): string; stderr(): string } {
  let stdout = '';
  let stderr = '';
  return {
    env,
    out: (line) => void (stdout += line + '\n'),
    err: (text) => void (stderr += text),
    stdin: async () => stdin,
    stdinIsTTY: false,
    stdout: () => stdout,
    stderr: () => stderr,
  };
}
