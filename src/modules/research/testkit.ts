/** Test support for the research module: agencies with staff, contexts of people, multipart uploads, snapshots. */
import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import { ctxAs, snapshotTables, type TestApp, type TestClient, type TestUser } from '../../platform/testing.ts';

export const RESEARCH_TABLES = ['research_call', 'research_call_agency', 'research_submission', 'research_submission_version', 'research_reminder', 'research_snapshot', 'audit_events'];

/** Every row of the module's tables and of the audit log, to prove a refused command changed none. */
export const snapshot = (t: TestApp): Promise<string> => snapshotTables(t.ctx, RESEARCH_TABLES);

export { agency, staffOf } from '../structure/testkit.ts';

export const ctxOf = (t: TestApp, u: TestUser): Promise<Ctx> => ctxAs(t.ctx, u);

export async function clientOf(t: TestApp, u: TestUser): Promise<TestClient> {
  const c = t.client();
  await c.startSession(u);
  return c;
}

/** Posts a multipart form with one file, as a browser does, with the client's session cookie and CSRF token. */
export async function postFile(t: TestApp, c: TestClient, url: string, fields: Record<string, string>, file: { field: string; name: string; type: string; data: string | Buffer }, headers: Record<string, string> = {}) {
  const boundary = `----tfh${randomUUID().replace(/-/g, '')}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries({ _csrf: c.csrf, ...fields })) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${file.field}"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`), Buffer.from(file.data), Buffer.from(`\r\n--${boundary}--\r\n`));
  const cookie = [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return t.app.inject({ method: 'POST', url, headers: { ...headers, cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: Buffer.concat(parts) });
}

export const FIELD_LINES = ['victims | Victims served | count | people | Distinct people who received any service in the period', 'hours | Training hours | number | hours | Hours of anti-trafficking training delivered to staff', 'comment | Comment | text | | Anything the committee should know about these figures | optional'].join('\n');

/** A call to these agencies through the system principal, as the command line would issue it. */
export const callInput = (agencyIds: string[], extra: Record<string, unknown> = {}) => ({
  title: 'Victims served, FY2026 Q1',
  period_start: '2025-10-01',
  period_end: '2025-12-31',
  due_date: '2026-01-31',
  agency_ids: agencyIds,
  fields: [
    { key: 'victims', label: 'Victims served', type: 'count', unit: 'people', definition: 'Distinct people who received any service in the period' },
    { key: 'hours', label: 'Training hours', type: 'number', unit: 'hours', definition: 'Hours of anti-trafficking training delivered to staff' },
    { key: 'comment', label: 'Comment', type: 'text', definition: 'Anything the committee should know', required: false },
  ],
  ...extra,
});
