/** Test support: a small hand-built directory north of the centre of the District of Columbia, imported as HSDS 3.0 JSON. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { TestApp } from '../../platform/testing.ts';
import { countyByFips } from '../../platform/geo/us.ts';
import { importPath } from '../directory/index.ts';

export const DC = countyByFips('11001')!.centroid;
const MILES_PER_DEGREE_LAT = 69.05;

/** A point `miles` due north of the District's centroid: along a meridian the distance is plain to compute. */
const northOfDc = (miles: number) => ({ latitude: DC.lat + miles / MILES_PER_DEGREE_LAT, longitude: DC.lng });

export interface Place {
  id: string;
  name: string;
}

export interface TinyDirectory {
  /** Employment services 5 miles north of the centroid. */
  jobs: Place;
  /** An emergency shelter 2 miles north, at a confidential location. */
  shelter: Place;
  /** Housing 40 miles north, beyond any small distance. */
  farHousing: Place;
}

/** The shipped taxonomy's term ids by code, read through the public HSDS API like any client would. */
async function termIds(t: TestApp): Promise<Map<string, string>> {
  const res = await t.client().get('/api/hsds/taxonomy_terms?per_page=200');
  const page = res.json() as { contents: { id: string; code?: string }[] };
  return new Map(page.contents.filter((x) => x.code).map((x) => [x.code!, x.id]));
}

export async function tinyDirectory(t: TestApp): Promise<TinyDirectory> {
  const terms = await termIds(t);
  const org = (name: string, miles: number, need: string, confidential = false) => {
    const id = randomUUID();
    const loc = randomUUID();
    const record = {
      id,
      name,
      description: `${name} (test)`,
      locations: [{ id: loc, location_type: 'physical', name: `${name} site`, ...northOfDc(miles), confidential }],
      services: [
        {
          id: randomUUID(),
          name: `${name} service`,
          status: 'active',
          service_at_locations: [{ id: randomUUID(), location_id: loc }],
          attributes: [{ id: randomUUID(), link_type: 'need', taxonomy_term_id: terms.get(need) }],
        },
      ],
    };
    return { record, place: { id, name } };
  };
  const jobs = org('Test Jobs Center', 5, 'need.employment');
  const shelter = org('Test Safe House', 2, 'need.emergency-shelter', true);
  const farHousing = org('Test Far Housing', 40, 'need.housing');
  const dir = mkdtempSync(join(tmpdir(), 'tfh-networks-'));
  try {
    writeFileSync(join(dir, 'organizations.json'), JSON.stringify([jobs.record, shelter.record, farHousing.record]));
    await importPath(t.ctx, join(dir, 'organizations.json'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { jobs: jobs.place, shelter: shelter.place, farHousing: farHousing.place };
}
