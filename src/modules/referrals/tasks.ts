/** What waits for a case worker in referrals: sent referrals their organisations have not answered, unread updates. */
import type { Ctx } from '../../platform/context.ts';
import type { Task } from '../../platform/module.ts';
import { stewardedOrganizations } from './deps.ts';
import { READ, RECEIVE } from './permissions.ts';
import { referralsDb } from './tables.ts';
import { unreadCount } from './store.ts';

export async function referralTasks(ctx: Ctx): Promise<Task[]> {
  const actor = ctx.actor;
  if (!actor?.permissions.has(READ)) return [];
  const tasks: Task[] = [];
  if (actor.permissions.has(RECEIVE)) {
    const orgs = await stewardedOrganizations(ctx.db, actor.organizationId);
    const waiting = orgs.length
      ? Number((await referralsDb(ctx.db).selectFrom('referrals').select((eb) => eb.fn.countAll().as('n')).where('receiver_organization_id', 'in', orgs).where('status', '=', 'sent').executeTakeFirst())?.n ?? 0)
      : 0;
    tasks.push({ key: 'rf.task.waiting', count: waiting, href: '/referrals?box=received&status=sent' });
  }
  tasks.push({ key: 'rf.task.unread', count: await unreadCount(ctx.db, actor.id), href: '/referrals#notifications' });
  return tasks;
}
