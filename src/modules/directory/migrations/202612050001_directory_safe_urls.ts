import { sql, type Kysely } from 'kysely';
import type { Migration } from '../../../platform/db/migrator.ts';
import { isSafeUrl } from '../../../platform/http/urls.ts';
import { TABLE_NAMES, tableOf, type TableName } from '../model.ts';
import { FORMATS } from '../validate.ts';

/**
 * Imports before issue 15 (finding 9) accepted any absolute URI in the HSDS address fields, `javascript:` included,
 * and served it through `/api/hsds`. The importer now refuses such values; this clears those already stored. Only
 * values that do not start with an allowed scheme are read back (the rest cannot be dangerous), each is checked by
 * the same rule as the importer, and a refused one is set to null. Returns how many values were cleared.
 */
export async function clearUnsafeUrls(db: Kysely<any>): Promise<number> {
  let cleared = 0;
  for (const [table, fields] of Object.entries(FORMATS)) {
    if (!(TABLE_NAMES as readonly string[]).includes(table)) continue;
    const name = tableOf(table as TableName);
    for (const [col, format] of Object.entries(fields)) {
      if (format !== 'uri') continue;
      const c = sql.ref(col);
      const rows = await db
        .selectFrom(name)
        .select(['id', sql<string>`${c}`.as('v')])
        .where(c, 'is not', null)
        .where(sql<boolean>`not (lower(${c}) like 'http://%' or lower(${c}) like 'https://%' or lower(${c}) like 'mailto:%' or lower(${c}) like 'tel:%')`)
        .execute();
      for (const r of rows) {
        if (isSafeUrl(r.v)) continue;
        await db.updateTable(name).set({ [col]: null }).where('id', '=', r.id).execute();
        cleared++;
      }
    }
  }
  return cleared;
}

export const up: Migration['up'] = async (db) => {
  await clearUnsafeUrls(db);
};
