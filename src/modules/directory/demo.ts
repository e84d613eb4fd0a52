import type { Ctx } from '../../platform/context.ts';
import { uuidv5 } from './model.ts';
import { termId } from './taxonomy.ts';
import { Dataset } from './validate.ts';
import { importDataset } from './import.ts';

const id = (s: string) => uuidv5(`demo:${s}`);

/**
 * A few providers of the kind the task force works with, so that the survivor-specific filters have something to
 * find: a TVAP-style case manager, a job program in Spanish, and a shelter at a confidential address.
 */
export function demoProviders(): Dataset {
  const ds = new Dataset();
  const o = { file: 'demo', row: 0 };
  const org = id('org:freedom-network');
  const today = new Date().toISOString().slice(0, 10);
  ds.add('organization', { id: org, name: 'Capital Area Freedom Network', description: 'Comprehensive services for survivors of human trafficking in the national capital region.', email: 'intake@freedom-network.example', website: 'https://freedom-network.example' }, o);
  ds.add('phone', { id: id('phone:org'), organization_id: org, number: '(202) 555-0100', type: 'voice', description: 'Intake line, 24 hours' }, o);
  const services = [
    { key: 'case', name: 'Survivor Case Management (TVAP)', desc: 'Per-capita case management for foreign national survivors seeking HHS certification: safety planning, benefits, housing and legal referrals.', terms: ['need.case-management', 'population.foreign-nationals', 'population.labor-trafficking', 'population.sex-trafficking', 'trait.trauma-informed', 'trait.hotline-referrals'], langs: [['English', 'en'], ['Spanish', 'es']], loc: 'office', free: true },
    { key: 'jobs', name: 'Pathways to Work for Survivors', desc: 'Job readiness, apprenticeship placement and employer partnerships for survivors of trafficking.', terms: ['need.employment', 'need.job-training', 'population.foreign-nationals', 'population.adults', 'trait.trauma-informed', 'trait.hotline-referrals'], langs: [['Spanish', 'es'], ['English', 'en']], loc: 'office', free: true },
    { key: 'shelter', name: 'Safe Haven Emergency Shelter', desc: 'Emergency shelter beds for women survivors of trafficking, open 24 hours.', terms: ['need.emergency-shelter', 'population.women', 'population.sex-trafficking', 'trait.24-hour', 'trait.confidential-location', 'trait.trauma-informed'], langs: [['English', 'en']], loc: 'shelter', free: true },
  ];
  ds.add('location', { id: id('loc:office'), location_type: 'physical', organization_id: org, name: 'Freedom Network Office', latitude: 38.9072, longitude: -77.0369 }, o);
  ds.add('address', { id: id('addr:office'), location_id: id('loc:office'), address_1: '1100 Vermont Ave NW', city: 'Washington', state_province: 'DC', postal_code: '20005', country: 'US', address_type: 'physical' }, o);
  ds.add('location', { id: id('loc:shelter'), location_type: 'physical', organization_id: org, name: 'Safe Haven House', latitude: 38.93, longitude: -77.02, confidential: true }, o);
  ds.add('address', { id: id('addr:shelter'), location_id: id('loc:shelter'), address_1: '77 Hidden Lane NW', city: 'Washington', state_province: 'DC', postal_code: '20010', country: 'US', address_type: 'physical' }, o);
  ds.add('phone', { id: id('phone:shelter'), location_id: id('loc:shelter'), number: '(202) 555-0199', type: 'voice', description: 'Shelter house line' }, o);
  const unit = id('unit:beds');
  ds.add('unit', { id: unit, name: 'beds' }, o);
  for (const s of services) {
    const sid = id(`svc:${s.key}`);
    ds.add('service', { id: sid, organization_id: org, name: s.name, description: s.desc, status: 'active', eligibility_description: 'Survivors of human trafficking aged 18 and over.', application_process: 'Call the intake line or ask the hotline for a referral.', fees_description: s.free ? 'Free of charge' : null, assured_date: today, last_modified: new Date().toISOString() }, o);
    ds.add('service_at_location', { id: id(`sal:${s.key}`), service_id: sid, location_id: id(`loc:${s.loc}`) }, o);
    ds.add('schedule', { id: id(`sch:${s.key}`), service_id: sid, freq: 'WEEKLY', byday: s.key === 'shelter' ? 'MO,TU,WE,TH,FR,SA,SU' : 'MO,TU,WE,TH,FR', opens_at: s.key === 'shelter' ? '00:00' : '09:00', closes_at: s.key === 'shelter' ? '23:59' : '17:00' }, o);
    if (s.free) ds.add('cost_option', { id: id(`cost:${s.key}`), service_id: sid, option: 'Free', amount: 0, currency: 'USD' }, o);
    s.langs.forEach(([name, code]) => ds.add('language', { id: id(`lang:${s.key}:${code}`), service_id: sid, name, code }, o));
    for (const code of s.terms) ds.add('attribute', { id: id(`attr:${s.key}:${code}`), link_id: sid, link_entity: 'service', link_type: code.split('.')[0], taxonomy_term_id: termId(code) }, o);
    if (s.key === 'shelter') ds.add('service_capacity', { id: id('cap:shelter'), service_id: sid, unit_id: unit, available: 3, maximum: 12, description: 'Beds available tonight', updated: new Date().toISOString() }, o);
  }
  return ds;
}

export async function addDemoProviders(ctx: Ctx): Promise<void> {
  await importDataset(ctx, demoProviders(), 'hsds-3.0-json');
}
