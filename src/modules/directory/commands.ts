/**
 * The directory's writes, each checking its policy (policies.ts) before it looks at its input. Every exported write
 * of the module is exported here, so that one list covers them all (policies.test.ts calls each).
 */
import type { Ctx } from '../../platform/context.ts';
import { nowIso } from '../../platform/db/index.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { notFound } from '../../platform/http/errors.ts';
import { authorize } from '../../platform/policy.ts';
import { managesDirectory } from './policies.ts';
import { today } from './store.ts';
import { directoryDb } from './tables.ts';
import { directoryChanged } from './search-cache.ts';

export { importDataset, importPath } from './import.ts';
export { generateDirectory } from './generate.ts';
export { addSteward, removeSteward } from './stewards.ts';
export { proposeChange, approveProposal, returnProposal, withdrawProposal, updateCapacity } from './editing.ts';
export { addCrosswalkEntry, removeCrosswalkEntry, reapplyCrosswalk } from './crosswalk.ts';

/** Records that someone confirmed a service's details today (HSDS assured_date and assurer_email). */
export async function verifyService(ctx: Ctx, id: string): Promise<{ id: string; assured_date: string }> {
  authorize(ctx, managesDirectory(ctx));
  return runCommand(ctx, async (trx, audit) => {
    const row = await directoryDb(trx).selectFrom('directory_service').select(['id', 'assured_date']).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('No such service.');
    const day = today();
    await directoryDb(trx).updateTable('directory_service').set({ assured_date: day, assurer_email: ctx.actor?.email ?? null, last_modified: nowIso() }).where('id', '=', id).execute();
    // Its modification time is what `modified_after` searches filter on (search-cache.ts).
    await directoryChanged(trx);
    await audit({ action: 'directory.service.verified', entityType: 'directory_service', entityId: id, summary: { previous: row.assured_date ?? null, assured_date: day } });
    return { id, assured_date: day };
  });
}
