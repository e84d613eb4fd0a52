#!/usr/bin/env node
// Runs the TypeScript command line through tsx, so that `npx taskforce` needs no build step.
import { register } from 'tsx/esm/api';
register();
process.env.TASKFORCE_CLI = '1';
await import('../src/main.ts');
