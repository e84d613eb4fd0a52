import type { AppModule } from '../../platform/module.ts';

export const structureModule: AppModule = {
  name: 'structure',
  async register() {},
};
