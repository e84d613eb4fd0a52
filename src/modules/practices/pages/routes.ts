/** The practices module's HTML pages, one file per resource. */
import type { App } from '../../../platform/module.ts';
import { libraryPages } from './library.tsx';
import { practicePages } from './practices.tsx';
import { studyPages } from './studies.tsx';

export async function practicesPages(app: App): Promise<void> {
  await libraryPages(app);
  await studyPages(app);
  await practicePages(app);
}
