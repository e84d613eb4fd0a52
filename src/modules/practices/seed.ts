import type { Ctx } from '../../platform/context.ts';
import type { Log } from '../../platform/module.ts';

export async function seedPractices(_ctx: Ctx, _log: Log): Promise<void> {}
