/** The practices module's HTML pages, one file per resource. */
import type { App } from '../../../platform/module.ts';

export async function practicesPages(_app: App): Promise<void> {}
