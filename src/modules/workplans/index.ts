import type { FastifyInstance } from 'fastify';
import type { AppModule } from '../../platform/module.ts';
import { definePermissions } from '../../platform/auth/roles.ts';
import { addNav } from '../../platform/web/view.ts';
import './messages.ts';
import { PERM, workplansApi } from './api.ts';
import { workplansPages } from './pages.tsx';
import { workplansForms } from './forms.tsx';
import { registerUploads } from './upload.ts';
import { seedWorkplans } from './seed.ts';

definePermissions({
  [PERM.edit]: ['chair', 'admin'],
  [PERM.update]: ['member', 'chair', 'admin'],
  [PERM.review]: ['chair', 'admin'],
  [PERM.digests]: ['admin'],
});

addNav({ href: '/workplans', label: 'wp.nav', order: 20 });

// The module's public service API, for other modules.
export { runDigests } from './digests.ts';
export { periodOf, parsePeriod, TASK_FORCE_TIME_ZONE } from './periods.ts';

export const workplansModule: AppModule = {
  name: 'workplans',
  async register(app: FastifyInstance) {
    await registerUploads(app);
    await workplansApi(app);
    await workplansPages(app);
    await workplansForms(app);
  },
  seedDemo: (ctx, log) => seedWorkplans(ctx, log),
};
