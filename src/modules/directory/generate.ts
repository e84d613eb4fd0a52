/** Synthetic national directories, for benchmarks: deterministic for a given size. */
import zipcodes from 'zipcodes';
import type { Ctx } from '../../platform/context.ts';
import { uuidv5 } from './model.ts';
import { TERMS, termId } from './taxonomy.ts';
import { Dataset } from './validate.ts';
import { importDataset } from './import.ts';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['Hope', 'Bridge', 'Harbor', 'Pathways', 'New Start', 'Unity', 'Beacon', 'Compass', 'Open Door', 'Liberty', 'Horizon', 'Anchor'];
const KINDS: [string, string][] = [
  ['Job Readiness Program', 'need.employment'],
  ['Apprenticeship Partnership', 'need.job-training'],
  ['Emergency Shelter', 'need.emergency-shelter'],
  ['Transitional Housing', 'need.housing'],
  ['Immigration Legal Clinic', 'need.legal'],
  ['Counseling Center', 'need.mental-health'],
  ['Health Clinic', 'need.medical'],
  ['Case Management', 'need.case-management'],
  ['ESL Classes', 'need.education'],
  ['Food Pantry', 'need.basic-needs'],
  ['Recovery Services', 'need.substance-use'],
  ['Child Care Center', 'need.child-care'],
];

export async function generateDirectory(ctx: Ctx, n: number, log: (line: string) => void = () => {}): Promise<void> {
  // Contiguous states only, so that the national map stays readable.
  const zips = Object.values(zipcodes.codes).filter((z) => z.country === 'US' && z.latitude > 24 && z.latitude < 50 && z.longitude > -125 && z.longitude < -66).map((z) => z.zip).sort();
  const rand = rng(n);
  const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const batch = 2000;
  for (let start = 0; start < n; start += batch) {
    const ds = new Dataset();
    const o = { file: 'generated', row: 0 };
    for (let i = start; i < Math.min(n, start + batch); i++) {
      const z = zipcodes.lookup(pick(zips));
      if (!z) continue;
      const id = (k: string) => uuidv5(`generated:${k}:${i}`);
      const orgId = uuidv5(`generated:org:${Math.floor(i / 5)}`);
      if (i % 5 === 0 || i === start) ds.add('organization', { id: orgId, name: `${pick(WORDS)} Services of ${z.city} ${Math.floor(i / 5)}`, description: `Community organisation in ${z.city}, ${z.state}.` }, o);
      const [kind, need] = pick(KINDS);
      ds.add('service', { id: id('svc'), organization_id: orgId, name: `${pick(WORDS)} ${kind}`, description: `${kind} serving ${z.city}, ${z.state} and the surrounding area.`, status: 'active', fees_description: rand() < 0.5 ? 'Free of charge' : 'Sliding scale', assured_date: '2026-01-15' }, o);
      ds.add('location', { id: id('loc'), location_type: 'physical', organization_id: orgId, name: `${z.city} office`, latitude: z.latitude + (rand() - 0.5) * 0.05, longitude: z.longitude + (rand() - 0.5) * 0.05, confidential: need === 'need.emergency-shelter' && rand() < 0.5 }, o);
      ds.add('address', { id: id('addr'), location_id: id('loc'), address_1: `${100 + Math.floor(rand() * 9000)} Main St`, city: z.city, state_province: z.state, postal_code: z.zip, country: 'US', address_type: 'physical' }, o);
      ds.add('service_at_location', { id: id('sal'), service_id: id('svc'), location_id: id('loc') }, o);
      ds.add('attribute', { id: id('need'), link_id: id('svc'), link_entity: 'service', link_type: 'need', taxonomy_term_id: termId(need) }, o);
      ds.add('attribute', { id: id('pop'), link_id: id('svc'), link_entity: 'service', link_type: 'population', taxonomy_term_id: termId(pick(TERMS.population).code) }, o);
      ds.add('language', { id: id('lang'), service_id: id('svc'), name: rand() < 0.4 ? 'Spanish' : 'English', code: rand() < 0.4 ? 'es' : 'en' }, o);
      ds.add('schedule', { id: id('sch'), service_id: id('svc'), freq: 'WEEKLY', byday: 'MO,TU,WE,TH,FR', opens_at: '09:00', closes_at: '17:00' }, o);
    }
    await importDataset(ctx, ds, 'hsds-3.0-json');
    log(`generated ${Math.min(n, start + batch)}/${n} services`);
  }
}
