import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { COMMAND_HELP } from './cli-help.ts';
import { modules } from './modules/index.ts';
import { jobsCommand } from './platform/jobs/cli.ts';
import { runCli } from './platform/testing.ts';

test('the help lines loaded without any command code are the commands’ own, in their order', () => {
  const commands = [jobsCommand([]), ...modules.flatMap((m) => m.commands ?? [])];
  assert.deepEqual(COMMAND_HELP.map((c) => [c.name, c.help]), commands.map((c) => [c.name, c.help]));
});

test('bin/taskforce.js answers help by itself exactly as the command line does', async () => {
  const bin = join(import.meta.dirname, '..', 'bin', 'taskforce.js');
  for (const args of [['--help'], ['directory', 'import', '--help'], ['backup', '-h']]) {
    const own = await promisify(execFile)(process.execPath, [bin, ...args], { env: { ...process.env, DATABASE_URL: 'not a database' } });
    const main = await runCli(args, {});
    assert.equal(main.code, 0);
    assert.equal(own.stdout, main.stdout, args.join(' '));
    assert.equal(own.stderr, '');
  }
});
