/** Test support: a small directory with three organisations, their case workers, and helpers. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { makeUser, testApp, TestClient, type TestApp, type TestUser } from '../../platform/testing.ts';
import { addSteward, importPath } from '../directory/index.ts';
import { CONSENT_FORM } from './schema.ts';

export const ORG = {
  sender: '0b5c1f4e-1111-4a7b-9c1e-000000000001',
  receiver: '0b5c1f4e-1111-4a7b-9c1e-000000000002',
  third: '0b5c1f4e-1111-4a7b-9c1e-000000000003',
};
export const SERVICE = {
  jobs: '0b5c1f4e-2222-4a7b-9c1e-000000000002',
  counsel: '0b5c1f4e-2222-4a7b-9c1e-000000000003',
  senderCase: '0b5c1f4e-2222-4a7b-9c1e-000000000001',
};
export const LOCATION = { jobs: '0b5c1f4e-3333-4a7b-9c1e-000000000002' };

/** Made-up client details that the privacy tests look for everywhere they must not be. */
export const CLIENT = { name: 'Zelda Quixotic-Marchbanks', phone: '202-555-0147', email: 'zelda.qm@example.org', preferred_language: 'Portuguese', safe_contact: 'Text only after 7 pm' };

export interface ReferralTest {
  t: TestApp;
  users: { sender: TestUser; receiver: TestUser; third: TestUser; unlinked: TestUser };
  sign(u: TestUser): Promise<TestClient>;
  close(): Promise<void>;
}

/** A directory in HSDS 3.0 JSON: a victim service provider, a job centre in DC, a counselling service elsewhere. */
export function writeDirectory(dir: string): void {
  const orgs = [
    { id: ORG.sender, name: 'Harbor Light Survivor Services', description: 'Victim service provider.' },
    { id: ORG.receiver, name: 'Riverside Job Center', description: 'Job training and placement.' },
    { id: ORG.third, name: 'Elsewhere Counseling', description: 'Counseling.' },
  ];
  const locations = [
    { id: '0b5c1f4e-3333-4a7b-9c1e-000000000001', location_type: 'physical', organization_id: ORG.sender, name: 'Harbor Light office', latitude: 38.9072, longitude: -77.0369 },
    { id: LOCATION.jobs, location_type: 'physical', organization_id: ORG.receiver, name: 'Riverside training hall', latitude: 38.8951, longitude: -77.0364 },
    { id: '0b5c1f4e-3333-4a7b-9c1e-000000000003', location_type: 'physical', organization_id: ORG.third, name: 'Elsewhere office', latitude: 39.2904, longitude: -76.6122 },
  ];
  const services = [
    { id: SERVICE.senderCase, organization_id: ORG.sender, name: 'Survivor case management', description: 'Case management.', status: 'active', service_at_locations: [{ id: '0b5c1f4e-4444-4a7b-9c1e-000000000001', service_id: SERVICE.senderCase, location_id: locations[0].id }] },
    { id: SERVICE.jobs, organization_id: ORG.receiver, name: 'Apprenticeship readiness training', description: 'Paid job training program with apprenticeship placement.', status: 'active', service_at_locations: [{ id: '0b5c1f4e-4444-4a7b-9c1e-000000000002', service_id: SERVICE.jobs, location_id: LOCATION.jobs }] },
    { id: SERVICE.counsel, organization_id: ORG.third, name: 'Trauma counseling', description: 'Counseling for survivors.', status: 'active', service_at_locations: [{ id: '0b5c1f4e-4444-4a7b-9c1e-000000000003', service_id: SERVICE.counsel, location_id: locations[2].id }] },
  ];
  writeFileSync(join(dir, 'organizations.json'), JSON.stringify(orgs));
  writeFileSync(join(dir, 'locations.json'), JSON.stringify(locations));
  writeFileSync(join(dir, 'services.json'), JSON.stringify(services));
}

/** Loads the test directory and links accounts to it: sender, receiver and a third organisation's case workers. */
export async function setUpOrganisations(t: TestApp) {
  const dir = mkdtempSync(join(tmpdir(), 'tfh-referrals-'));
  try {
    writeDirectory(dir);
    await importPath(t.ctx, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const sender = await makeUser(t.ctx, 'caseworker', 'sender@test.example', 'Harbor Light account');
  const receiver = await makeUser(t.ctx, 'caseworker', 'receiver@test.example', 'Riverside account');
  const third = await makeUser(t.ctx, 'caseworker', 'third@test.example', 'Elsewhere account');
  const unlinked = await makeUser(t.ctx, 'caseworker', 'unlinked@test.example', 'Unlinked account');
  await addSteward(t.ctx, { directory_organization_id: ORG.sender, account_organization_id: sender.organization_id });
  await addSteward(t.ctx, { directory_organization_id: ORG.receiver, account_organization_id: receiver.organization_id });
  await addSteward(t.ctx, { directory_organization_id: ORG.third, account_organization_id: third.organization_id });
  return { sender, receiver, third, unlinked };
}

export async function referralTest(env: Record<string, string> = {}): Promise<ReferralTest> {
  const t = await testApp({ env: { RATE_LIMIT_PER_MINUTE: '100000', ...env } });
  const users = await setUpOrganisations(t);
  return {
    t,
    users,
    async sign(u) {
      const c = new TestClient(t.app, t.ctx);
      await c.signIn(u);
      return c;
    },
    close: () => t.close(),
  };
}

export const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

/** A referral body with consent for every detail in CLIENT. */
export function referralBody(extra: Record<string, unknown> = {}) {
  return {
    service_id: SERVICE.jobs,
    needs: ['job-training', 'employment'],
    urgency: 'soon',
    note: 'Prefers evening classes.',
    consent: { fields: Object.keys(CLIENT), attested: true, form_version: CONSENT_FORM.version, expires_on: inDays(60) },
    client: CLIENT,
    ...extra,
  };
}

export async function json(c: TestClient, method: string, url: string, body?: unknown, status = 200) {
  const res = await c.request(method, url, body === undefined ? {} : { json: body });
  assert.equal(res.statusCode, status, `${method} ${url} -> ${res.statusCode} ${res.body.slice(0, 500)}`);
  return res.json();
}
