import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/index.ts';
import { nowIso } from '../../platform/db/index.ts';
import { runCommand } from '../../platform/audit/index.ts';
import { notFound } from '../../platform/http/errors.ts';

export const today = () => new Date().toISOString().slice(0, 10);

/** The date twelve months before `day`: services last verified before it are overdue. */
export function overdueBefore(day = today(), months = 12): string {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCMonth(d.getUTCMonth() - months);
  return d.toISOString().slice(0, 10);
}

/** Records that someone confirmed a service's details today (HSDS assured_date and assurer_email). */
export async function verifyService(ctx: Ctx, id: string): Promise<{ id: string; assured_date: string }> {
  return runCommand(ctx, async (trx, audit) => {
    const row = await trx.selectFrom('directory_service').select(['id', 'assured_date']).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('No such service.');
    const day = today();
    await trx.updateTable('directory_service').set({ assured_date: day, assurer_email: ctx.actor?.email ?? null, last_modified: nowIso() }).where('id', '=', id).execute();
    await audit({ action: 'directory.service.verified', entityType: 'directory_service', entityId: id, summary: { previous: row.assured_date ?? null, assured_date: day } });
    return { id, assured_date: day };
  });
}

export interface Unverified {
  id: string;
  name: string;
  organization: string | null;
  assured_date: string | null;
}

/** Active services never verified, or verified more than twelve months ago; oldest first. */
export async function unverifiedServices(db: Db, limit: number, offset: number, day = today()): Promise<{ items: Unverified[]; total: number }> {
  const cutoff = overdueBefore(day);
  const base = db
    .selectFrom('directory_service as s')
    .leftJoin('directory_organization as o', 'o.id', 's.organization_id')
    .where('s.status', '=', 'active')
    .where((e) => e.or([e('s.assured_date', 'is', null), e('s.assured_date', '<', cutoff)]));
  const total = Number((await base.select((e) => e.fn.countAll().as('n')).executeTakeFirst())?.n ?? 0);
  const rows = await base.select(['s.id', 's.name', 'o.name as organization', 's.assured_date']).orderBy('s.assured_date').orderBy('s.name').orderBy('s.id').limit(limit).offset(offset).execute();
  return { total, items: rows.map((r) => ({ id: String(r.id), name: String(r.name), organization: (r.organization as string | null) ?? null, assured_date: r.assured_date ? String(r.assured_date) : null })) };
}
