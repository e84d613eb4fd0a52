/**
 * A small HSDS 1.1 CSV package written the way 211 directories publish theirs (synthetic, for tests and the
 * before/after counts of issue 13 item 3): AIRS / 211 LA County codes as the taxonomy's ids with only the terms in
 * use (no parents), target populations as names, and languages as free text ("Creole", "Kreyòl", "Español").
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const csv = (head: string[], rows: string[][]) => [head, ...rows].map((r) => r.map((v) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v)).join(',')).join('\n') + '\n';

/** Services of the package: name, taxonomy ids, language names. */
export const FIXTURE_SERVICES: [string, string, string[], string[]][] = [
  ['s1', 'Harbor House', ['BH-1800.1500', 'T-HT'], ['Creole', 'English']],
  ['s2', 'Overnight Shelter Program', ['BH-1800.8500'], ['Haitian Creole']],
  ['s3', 'Neighbourhood Food Pantry', ['BD-1800.2000'], ['Kreyòl', 'Spanish']],
  ['s4', 'Immigrant Legal Clinic', ['FT-3200', 'T-ST'], ['criollo haitiano']],
  ['s5', 'Pet Adoption Days', ['JB-0500'], ['Klingon']],
  ['s6', 'Farmworker Outreach', ['T-LT', 'T-FW'], ['Español']],
  ['s7', 'Recovery Housing', ['RX-8450.1000', 'BH-8400'], ['French and Creole']],
];

const TERMS: [string, string][] = [
  ['BH-1800.1500', 'Domestic Violence Shelters'],
  ['BH-1800.8500', 'Homeless Shelter'],
  ['BD-1800.2000', 'Food Pantries'],
  ['FT-3200', 'Immigration Legal Services'],
  ['JB-0500', 'Pet Adoption'],
  ['RX-8450.1000', 'Sober Living Homes'],
  ['BH-8400', 'Transitional Housing/Shelter'],
  ['T-HT', 'Human Trafficking Survivors'],
  ['T-ST', 'Sex Trafficking Survivors'],
  ['T-LT', 'Labor Trafficking Survivors'],
  ['T-FW', 'Migrant Farmworkers'],
];

export function write211Package(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const w = (f: string, text: string) => writeFileSync(join(dir, f), text);
  w('organizations.csv', csv(['id', 'name', 'description'], [['o1', 'Metro 211 Partners', 'Agencies listed by a 211.']]));
  w('services.csv', csv(['id', 'organization_id', 'name', 'description', 'status'], FIXTURE_SERVICES.map(([id, name]) => [id, 'o1', name, `${name} for residents of the metro area.`, 'active'])));
  w('locations.csv', csv(['id', 'organization_id', 'name', 'latitude', 'longitude'], FIXTURE_SERVICES.map(([id], i) => [`l-${id}`, 'o1', `Site ${i + 1}`, String(25.77 + i / 100), String(-80.19 - i / 100)])));
  w('services_at_location.csv', csv(['id', 'service_id', 'location_id'], FIXTURE_SERVICES.map(([id]) => [`sal-${id}`, id, `l-${id}`])));
  w('taxonomy.csv', csv(['id', 'name', 'parent_id', 'parent_name', 'vocabulary'], TERMS.map(([id, name]) => [id, name, '', '', id.startsWith('T-') ? 'Target populations' : 'AIRS'])));
  w('services_taxonomy.csv', csv(['id', 'service_id', 'taxonomy_id', 'taxonomy_detail'], FIXTURE_SERVICES.flatMap(([id, , terms]) => terms.map((t) => [`st-${id}-${t}`, id, t, '']))));
  w('languages.csv', csv(['id', 'service_id', 'location_id', 'language'], FIXTURE_SERVICES.flatMap(([id, , , langs]) => langs.map((l, i) => [`lang-${id}-${i}`, id, '', l]))));
  return dir;
}
