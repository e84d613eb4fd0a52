import type { FastifyInstance } from 'fastify';
import type { AppModule } from '../../platform/module.ts';
import './permissions.ts';

export { SEND as REFERRALS_SEND, RECEIVE as REFERRALS_RECEIVE, CLIENT_READ as REFERRALS_CLIENT_READ } from './permissions.ts';

export const referralsModule: AppModule = {
  name: 'referrals',
  async register(_app: FastifyInstance) {},
};
