#!/usr/bin/env node
// Runs the TypeScript command line through tsx, so that `npx taskforce` needs no build step.
import { register } from 'tsx/esm/api';
register();
process.env.TASKFORCE_CLI = '1';
// Help is answered from the commands' help lines alone, without loading their code (src/cli-help.ts).
const { helpFor } = await import('../src/cli-help.ts');
const help = helpFor(process.argv.slice(2));
if (help !== undefined) process.stdout.write(help + '\n');
else await import('../src/main.ts');
