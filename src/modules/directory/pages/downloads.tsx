/** Downloads of the whole directory as HSDS 3.0, for signed-in people. */
import { Type } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { hidden } from '../../../platform/http/schemas.ts';
import { TABLES, TABLE_NAMES } from '../model.ts';
import { exportJson, exportTables, csvOf } from '../export.ts';

export function downloadPages(app: App): void {
  const files = new Set(['services.json', ...TABLE_NAMES.map((t) => TABLES[t].file)]);
  app.get('/directory/download/:file', { config: { access: 'signed-in' }, schema: { ...hidden, params: Type.Object({ file: Type.String({ maxLength: 60 }) }) } }, async (req, reply) => {
    const file = req.params.file;
    if (!files.has(file)) throw notFound('No such file.');
    reply.header('content-disposition', `attachment; filename="${file}"`);
    // Downloads are the public view of the directory, whoever asks: confidential locations stay redacted.
    if (file === 'services.json') return reply.type('application/json').send(JSON.stringify((await exportJson(req.ctx.db))['services.json']));
    const table = TABLE_NAMES.find((t) => TABLES[t].file === file)!;
    const tables = await exportTables(req.ctx.db);
    return reply.type('text/csv; charset=utf-8').send(csvOf(table, tables.get(table) ?? []));
  });
}
