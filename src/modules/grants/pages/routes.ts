/** The grants module's HTML pages, one file per resource. */
import type { App } from '../../../platform/module.ts';

export async function grantsPages(_app: App): Promise<void> {}
