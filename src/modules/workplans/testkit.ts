/** Helpers for this module's tests: read pages the way a browser would, without JavaScript. */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Role } from '../../platform/auth/index.ts';
import { makeUser, type TestApp, type TestClient, type TestUser } from '../../platform/testing.ts';
import { linkAgencyOrganization } from '../structure/index.ts';
import { loadDirectory } from './directory.ts';

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function attrs(tag: string): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (const m of tag.matchAll(/\s([a-zA-Z_:][-\w:.]*)(?:="([^"]*)")?/g)) out[m[1]] = m[2] === undefined ? true : unescape(m[2]);
  return out;
}

/** The HTML of the form whose action is `action` (the first form when not given). */
export function formHtml(html: string, action?: string): string {
  for (const m of html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)) {
    const a = attrs(/^<form\b[^>]*>/.exec(m[0])![0]);
    if (!action || a.action === action) return m[0];
  }
  throw new Error(`no form with action ${action}`);
}

/** What a browser would send for a form as it stands: inputs, checked boxes, selected options, text areas. */
export function formFields(html: string, action?: string): Record<string, string | string[]> {
  const form = formHtml(html, action);
  const out: Record<string, string | string[]> = {};
  const add = (name: string, value: string) => {
    const had = out[name];
    out[name] = had === undefined ? value : [...[had].flat(), value];
  };
  for (const m of form.matchAll(/<input\b[^>]*>/g)) {
    const a = attrs(m[0]);
    if (typeof a.name !== 'string' || a.type === 'file' || a.type === 'submit') continue;
    if ((a.type === 'checkbox' || a.type === 'radio') && !a.checked) continue;
    add(a.name, typeof a.value === 'string' ? a.value : a.type === 'checkbox' ? 'on' : '');
  }
  for (const m of form.matchAll(/<select\b([^>]*)>([\s\S]*?)<\/select>/g)) {
    const a = attrs(`<select${m[1]}>`);
    if (typeof a.name !== 'string') continue;
    const options = [...m[2].matchAll(/<option\b([^>]*)>/g)].map((o) => attrs(`<option${o[1]}>`));
    const chosen = options.find((o) => o.selected) ?? options[0];
    if (chosen) add(a.name, typeof chosen.value === 'string' ? chosen.value : '');
  }
  for (const m of form.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const a = attrs(`<textarea${m[1]}>`);
    if (typeof a.name === 'string') add(a.name, unescape(m[2]));
  }
  delete out._csrf; // TestClient sends the session's own token
  return out;
}

/** The value of the option labelled `label` (exactly) in any select of the page. */
export function optionValue(html: string, label: string): string {
  for (const m of html.matchAll(/<option\b([^>]*)>([^<]*)<\/option>/g)) if (unescape(m[2]) === label) return attrs(`<option${m[1]}>`).value as string;
  throw new Error(`no option labelled ${label}`);
}

/** The id of the work plan item a POST redirected to. */
export function itemIdFrom(res: LightMyRequestResponse): string {
  assert.equal(res.statusCode, 302, `expected a redirect, got ${res.statusCode}: ${res.body.slice(0, 800)}`);
  const m = /^\/workplans\/items\/([0-9a-f-]{36})$/.exec(String(res.headers.location));
  assert.ok(m, `redirect to an item page, not ${res.headers.location}`);
  return m[1];
}

/** The text of the cell headed `column` in the table row whose first cell starts with `rowStart`. */
export function cell(html: string, rowStart: string, column: string): string {
  for (const m of html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)) {
    const first = /<td[^>]*>([\s\S]*?)<\/td>/.exec(m[1]);
    if (!first || !first[1].replace(/<[^>]+>/g, '').startsWith(rowStart)) continue;
    const c = new RegExp(`<td data-label="${column}">([\\s\\S]*?)</td>`).exec(m[1]);
    if (c) return unescape(c[1].replace(/<[^>]+>/g, '').trim());
  }
  throw new Error(`no row starting "${rowStart}" with a "${column}" cell`);
}

/** Duplicate ids break labels and ARIA references (axe: duplicate-id); every field needs a label. */
export function assertAccessibleForm(html: string) {
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  assert.equal(dup, undefined, `duplicate id ${dup}`);
  assert.equal(html.match(/<h1[\s>]/g)?.length, 1, 'one h1');
  for (const m of html.matchAll(/<(input|select|textarea)\b[^>]*>/g)) {
    const a = attrs(m[0]);
    if (a.type === 'hidden' || a.type === 'submit') continue;
    assert.ok(typeof a.id === 'string' && html.includes(`for="${a.id}"`), `field ${a.name} has a label`);
  }
  for (const m of html.matchAll(/<fieldset\b[\s\S]*?<\/fieldset>/g)) assert.match(m[0], /<legend/, 'fieldsets have a legend');
  for (const m of html.matchAll(/<table\b[\s\S]*?<\/table>/g)) assert.match(m[0], /<caption>/, 'tables have a caption');
}

/**
 * Makes an account organisation act for an agency (named by its name or abbreviation) through the structure's
 * command, as an administrator would: the only way an account becomes an agency's.
 */
export async function linkToAgency(t: TestApp, organizationId: string, agency: string): Promise<void> {
  const a = (await loadDirectory(t.ctx.db)).agencyByName(agency);
  assert.ok(a, `no agency ${agency}`);
  await linkAgencyOrganization(t.ctx, a.id, { organization_id: organizationId });
}

/** An account of `organization`, which acts for `agency`. */
export async function agencyUser(t: TestApp, role: Role, email: string, organization: string, agency: string): Promise<TestUser> {
  const u = await makeUser(t.ctx, role, email, organization);
  await linkToAgency(t, u.organization_id, agency);
  return u;
}

export async function countRows(t: TestApp, table: string): Promise<number> {
  return Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
}

/** A multipart/form-data POST as a browser sends it, with the session's cookies and CSRF token. */
export async function postMultipart(t: TestApp, c: TestClient, url: string, fields: Record<string, string>, files: { field: string; filename: string; type?: string; data: Buffer }[], opts: { csrf?: boolean } = {}) {
  const boundary = '----tfhboundary' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  const all = opts.csrf === false ? fields : { _csrf: c.csrf, ...fields };
  for (const [k, v] of Object.entries(all)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  for (const f of files) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${f.field}"; filename="${f.filename}"\r\nContent-Type: ${f.type ?? 'text/csv'}\r\n\r\n`), f.data, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    payload: Buffer.concat(parts),
  });
}
