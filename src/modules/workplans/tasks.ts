/** What waits for someone in work plans: progress updates to review, for those who review them. */
import type { Ctx } from '../../platform/context.ts';
import type { Task } from '../../platform/module.ts';
import { PERM } from './policies.ts';
import { workplansDb } from './tables.ts';

export async function workplanTasks(ctx: Ctx): Promise<Task[]> {
  if (!ctx.actor?.permissions.has(PERM.review)) return [];
  const row = await workplansDb(ctx.db).selectFrom('workplans_updates').select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'submitted').executeTakeFirst();
  return [{ key: 'wp.task.review', count: Number(row?.n ?? 0), href: '/workplans/review' }];
}
