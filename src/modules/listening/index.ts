import type { FastifyInstance } from 'fastify';
import type { AppModule } from '../../platform/module.ts';
import { definePermissions } from '../../platform/auth/roles.ts';
import { addNav } from '../../platform/web/view.ts';
import './messages.ts';
import { CODE, MANAGE } from './commands.ts';
import { listeningApi } from './api.ts';
import { listeningPages } from './pages.tsx';
import { seedListening } from './seed.ts';

definePermissions({
  [MANAGE]: ['chair', 'admin'],
  [CODE]: ['analyst', 'chair', 'admin'],
});

addNav({ href: '/listening', label: 'ls.nav', order: 30 });

// The module's public service API, for other modules.
export { sendReminders } from './commands.ts';
export { LISTENING_PERMISSIONS } from './permissions.ts';

export const listeningModule: AppModule = {
  name: 'listening',
  async register(app: FastifyInstance) {
    await listeningApi(app);
    await listeningPages(app);
  },
  seedDemo: (ctx, log) => seedListening(ctx, log),
};
