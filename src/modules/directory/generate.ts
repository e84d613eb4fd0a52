/**
 * Synthetic national directories, for benchmarks: deterministic for a given size. Services come out as nested
 * HSDS 3.0 JSON objects (organization, service_at_locations with their location and address, attributes,
 * languages, schedules), so the same records can be imported in memory or written out as an NDJSON publication
 * and read back through the real importer.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import zipcodes from 'zipcodes';
import type { Ctx } from '../../platform/context.ts';
import { authorize } from '../../platform/policy.ts';
import { managesDirectory } from './policies.ts';
import { uuidv5 } from './model.ts';
import { TERMS, termId } from './taxonomy.ts';
import { Dataset } from './validate.ts';
import { flatten } from './formats.ts';
import { importDataset } from './import.ts';
import { seededRandom } from '../../platform/seeded-random.ts';


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

let contiguousZips: string[] | undefined;

/**
 * The services of a synthetic directory of `n` services, in order, as nested HSDS 3.0 service objects. Every
 * fifth service starts an organisation; each service carries its organisation, so any run of services whose
 * start is a multiple of 5 imports on its own.
 */
export function* generatedServices(n: number): Generator<Record<string, unknown>> {
  // Contiguous states only, so that the national map stays readable.
  contiguousZips ??= Object.values(zipcodes.codes).filter((z) => z.country === 'US' && z.latitude > 24 && z.latitude < 50 && z.longitude > -125 && z.longitude < -66).map((z) => z.zip).sort();
  const zips = contiguousZips;
  const rand = seededRandom(n);
  const pick = <T,>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  let org: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const z = zipcodes.lookup(pick(zips))!;
    const id = (k: string) => uuidv5(`generated:${k}:${i}`);
    const orgId = uuidv5(`generated:org:${Math.floor(i / 5)}`);
    if (i % 5 === 0) org = { id: orgId, name: `${pick(WORDS)} Services of ${z.city} ${Math.floor(i / 5)}`, description: `Community organisation in ${z.city}, ${z.state}.` };
    const [kind, need] = pick(KINDS);
    const word = pick(WORDS);
    const fees = rand() < 0.5 ? 'Free of charge' : 'Sliding scale';
    const location = {
      id: id('loc'),
      location_type: 'physical',
      organization_id: orgId,
      name: `${z.city} office`,
      latitude: z.latitude + (rand() - 0.5) * 0.05,
      longitude: z.longitude + (rand() - 0.5) * 0.05,
      confidential: need === 'need.emergency-shelter' && rand() < 0.5,
      addresses: [{ id: id('addr'), address_1: `${100 + Math.floor(rand() * 9000)} Main St`, city: z.city, state_province: z.state, postal_code: z.zip, country: 'US', address_type: 'physical' }],
    };
    const population = pick(TERMS.population).code;
    const spanish = rand() < 0.4;
    const code = rand() < 0.4 ? 'es' : 'en';
    yield {
      id: id('svc'),
      organization_id: orgId,
      organization: org,
      name: `${word} ${kind}`,
      description: `${kind} serving ${z.city}, ${z.state} and the surrounding area.`,
      status: 'active',
      fees_description: fees,
      assured_date: '2026-01-15',
      service_at_locations: [{ id: id('sal'), location }],
      attributes: [
        { id: id('need'), link_type: 'need', taxonomy_term_id: termId(need) },
        { id: id('pop'), link_type: 'population', taxonomy_term_id: termId(population) },
      ],
      languages: [{ id: id('lang'), name: spanish ? 'Spanish' : 'English', code }],
      schedules: [{ id: id('sch'), freq: 'WEEKLY', byday: 'MO,TU,WE,TH,FR', opens_at: '09:00', closes_at: '17:00' }],
    };
  }
}

/** Services per import: large enough to amortise each import's checks, small enough to keep memory modest. */
export const GENERATE_BATCH = 25_000;

/** Adds `n` synthetic services to the directory, importing them in batches (each all or nothing). */
export async function generateDirectory(ctx: Ctx, n: number, log: (line: string) => void = () => {}): Promise<void> {
  authorize(ctx, managesDirectory(ctx));
  let ds = new Dataset();
  let seen = new Map<string, Set<string>>();
  let done = 0;
  const flush = async () => {
    await importDataset(ctx, ds, 'hsds-3.0-json');
    log(`generated ${done}/${n} services`);
    ds = new Dataset();
    seen = new Map();
  };
  for (const svc of generatedServices(n)) {
    flatten(ds, 'service', svc, { file: 'generated', row: done + 1 }, undefined, seen);
    done++;
    if (done % GENERATE_BATCH === 0) await flush();
  }
  if (done % GENERATE_BATCH !== 0) await flush();
}

/**
 * Writes the next `count` services of a generator as an HSDS 3.0 NDJSON file (one nested service per line), for
 * timing the importer on a real publication. Returns how many were written.
 */
export function writeGeneratedPackage(file: string, services: Iterator<Record<string, unknown>>, count: number): number {
  // Written 1,000 lines at a time: 500,000 services (about 730 MB) are more than one string can hold.
  const fd = openSync(file, 'w');
  let written = 0;
  try {
    let lines: string[] = [];
    for (let i = 0; i < count; i++) {
      const next = services.next();
      if (next.done) break;
      lines.push(JSON.stringify(next.value) + '\n');
      written++;
      if (lines.length === 1000) {
        writeSync(fd, lines.join(''));
        lines = [];
      }
    }
    if (lines.length) writeSync(fd, lines.join(''));
  } finally {
    closeSync(fd);
  }
  return written;
}
