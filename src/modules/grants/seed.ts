import type { Ctx } from '../../platform/context.ts';
export async function seedGrants(_ctx: Ctx, _log: (line: string) => void): Promise<void> {}
