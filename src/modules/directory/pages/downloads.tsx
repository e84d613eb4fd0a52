/**
 * Downloads of the whole directory as HSDS 3.0. The tabular data package (datapackage.json and one CSV per table,
 * its resource paths relative to it) is public: it is listed in the open data catalog, and it is the public view,
 * confidential locations redacted. Each file is exported once per state of the directory and answers If-None-Match
 * with 304 (export.ts packageFile). The nested services.json stays for signed-in people.
 */
import { Type } from '@sinclair/typebox';
import type { App } from '../../../platform/module.ts';
import { notFound } from '../../../platform/http/errors.ts';
import { hidden, ProblemRef } from '../../../platform/http/schemas.ts';
import { exportJson, matchesEtag, packageFile, PACKAGE_FILES } from '../export.ts';

export function downloadPages(app: App): void {
  app.get('/directory/download/services.json', { config: { access: 'signed-in' }, schema: hidden }, async (req, reply) => {
    reply.header('content-disposition', 'attachment; filename="services.json"');
    // Downloads are the public view of the directory, whoever asks: confidential locations stay redacted.
    return reply.type('application/json').send(JSON.stringify((await exportJson(req.ctx.db))['services.json']));
  });

  app.get(
    '/directory/download/:file',
    {
      config: { access: 'public' },
      schema: {
        tags: ['HSDS'],
        summary: 'The directory as an HSDS 3.0 tabular data package: datapackage.json, or one of the CSV files it lists',
        description: `Public, confidential locations redacted (no address, coordinates or telephone). The descriptor's resource paths are relative to it. Each answer carries a strong ETag; send it back in If-None-Match to get 304 while the directory is unchanged. Files: ${[...PACKAGE_FILES].join(', ')}.`,
        params: Type.Object({ file: Type.String({ maxLength: 60, description: 'datapackage.json or a CSV file it lists, e.g. services.csv' }) }),
        produces: ['application/json', 'text/csv'],
        response: { 200: Type.String(), 304: Type.Null({ description: 'Not modified since the ETag sent' }), 404: ProblemRef },
      },
    },
    async (req, reply) => {
      const f = await packageFile(req.ctx.db, req.params.file);
      if (!f) throw notFound('No such file.');
      reply.header('etag', f.etag).header('cache-control', 'public, no-cache');
      if (matchesEtag(req.headers['if-none-match'], f.etag)) return reply.code(304).send(null);
      if (req.params.file.endsWith('.csv')) reply.header('content-disposition', `attachment; filename="${req.params.file}"`);
      return reply.type(f.type).send(f.body);
    },
  );
}
