import { sql } from 'kysely';
import type { Migration } from '../../../platform/db/migrator.ts';
import { createSearchIndex } from '../../../platform/db/search.ts';

/**
 * Column kinds of the HSDS 3.0 tables (plus 3.1 service_capacity and unit). `!` marks a field HSDS requires.
 * Frozen here as the first version of the schema: later changes go in new migrations and in model.ts.
 */
export type Kind = 'id' | 'text' | 'num' | 'date' | 'instant' | 'bool';
export type ColumnSpec = `${Kind}` | `${Kind}!`;

export const HSDS_TABLES_V1: Record<string, { file: string; columns: Record<string, ColumnSpec> }> = {
  organization: { file: 'organizations.csv', columns: { id: 'id!', name: 'text!', alternate_name: 'text', description: 'text!', email: 'text', website: 'text', tax_status: 'text', tax_id: 'text', year_incorporated: 'num', legal_status: 'text', logo: 'text', uri: 'text', parent_organization_id: 'id' } },
  program: { file: 'programs.csv', columns: { id: 'id!', organization_id: 'id!', name: 'text!', alternate_name: 'text', description: 'text!' } },
  service: { file: 'services.csv', columns: { id: 'id!', organization_id: 'id', program_id: 'id', name: 'text!', alternate_name: 'text', description: 'text', url: 'text', email: 'text', status: 'text!', interpretation_services: 'text', application_process: 'text', fees_description: 'text', wait_time: 'text', fees: 'text', accreditations: 'text', eligibility_description: 'text', minimum_age: 'num', maximum_age: 'num', assured_date: 'date', assurer_email: 'text', licenses: 'text', alert: 'text', last_modified: 'instant' } },
  attribute: { file: 'attributes.csv', columns: { id: 'id!', link_id: 'id!', taxonomy_term_id: 'id!', link_type: 'text', link_entity: 'text!', value: 'text' } },
  service_at_location: { file: 'service_at_location.csv', columns: { id: 'id!', service_id: 'id!', location_id: 'id!', description: 'text' } },
  location: { file: 'locations.csv', columns: { id: 'id!', location_type: 'text!', url: 'text', organization_id: 'id', name: 'text', alternate_name: 'text', description: 'text', transportation: 'text', latitude: 'num', longitude: 'num', external_identifier: 'text', external_identifier_type: 'text', confidential: 'bool', coordinates_approximate: 'bool' } },
  phone: { file: 'phones.csv', columns: { id: 'id!', location_id: 'id', service_id: 'id', organization_id: 'id', contact_id: 'id', service_at_location_id: 'id', number: 'text!', extension: 'num', type: 'text', description: 'text' } },
  contact: { file: 'contacts.csv', columns: { id: 'id!', organization_id: 'id', service_id: 'id', service_at_location_id: 'id', location_id: 'id', name: 'text', title: 'text', department: 'text', email: 'text' } },
  address: { file: 'addresses.csv', columns: { id: 'id!', location_id: 'id', attention: 'text', address_1: 'text!', address_2: 'text', city: 'text!', region: 'text', state_province: 'text!', postal_code: 'text!', country: 'text!', address_type: 'text!' } },
  schedule: { file: 'schedules.csv', columns: { id: 'id!', service_id: 'id', location_id: 'id', service_at_location_id: 'id', valid_from: 'date', valid_to: 'date', dtstart: 'date', timezone: 'num', until: 'date', count: 'num', wkst: 'text', freq: 'text', interval: 'num', byday: 'text', byweekno: 'text', bymonthday: 'text', byyearday: 'text', description: 'text', opens_at: 'text', closes_at: 'text', schedule_link: 'text', attending_type: 'text', notes: 'text' } },
  funding: { file: 'funding.csv', columns: { id: 'id!', organization_id: 'id', service_id: 'id', source: 'text' } },
  service_area: { file: 'service_areas.csv', columns: { id: 'id!', service_id: 'id', name: 'text', description: 'text', extent: 'text', extent_type: 'text', uri: 'text' } },
  required_document: { file: 'required_documents.csv', columns: { id: 'id!', service_id: 'id', document: 'text', uri: 'text' } },
  language: { file: 'languages.csv', columns: { id: 'id!', service_id: 'id', location_id: 'id', phone_id: 'id', name: 'text', code: 'text', note: 'text' } },
  accessibility: { file: 'accessibility.csv', columns: { id: 'id!', location_id: 'id', description: 'text', details: 'text', url: 'text' } },
  taxonomy: { file: 'taxonomies.csv', columns: { id: 'id!', name: 'text!', description: 'text!', uri: 'text', version: 'text' } },
  taxonomy_term: { file: 'taxonomy_terms.csv', columns: { id: 'id!', code: 'text', name: 'text!', description: 'text!', parent_id: 'id', taxonomy: 'text', language: 'text', taxonomy_id: 'id', term_uri: 'text' } },
  metadata: { file: 'metadata.csv', columns: { id: 'id!', resource_id: 'id!', resource_type: 'text!', last_action_date: 'date!', last_action_type: 'text!', field_name: 'text!', previous_value: 'text!', replacement_value: 'text!', updated_by: 'text!' } },
  cost_option: { file: 'cost_options.csv', columns: { id: 'id!', service_id: 'id!', valid_from: 'date', valid_to: 'date', option: 'text', currency: 'text', amount: 'num', amount_description: 'text' } },
  organization_identifier: { file: 'organization_identifiers.csv', columns: { id: 'id!', organization_id: 'id!', identifier_scheme: 'text', identifier_type: 'text!', identifier: 'text!' } },
  unit: { file: 'units.csv', columns: { id: 'id!', name: 'text!', scheme: 'text', identifier: 'text', uri: 'text' } },
  service_capacity: { file: 'service_capacity.csv', columns: { id: 'id!', service_id: 'id!', unit_id: 'id!', available: 'num!', maximum: 'num', description: 'text', updated: 'instant!' } },
};

const INDEXES: [string, string][] = [
  ['service', 'organization_id'],
  ['service', 'last_modified'],
  ['program', 'organization_id'],
  ['service_at_location', 'service_id'],
  ['service_at_location', 'location_id'],
  ['location', 'organization_id'],
  ['location', 'latitude'],
  ['address', 'location_id'],
  ['address', 'postal_code'],
  ['phone', 'service_id'],
  ['phone', 'location_id'],
  ['phone', 'organization_id'],
  ['schedule', 'service_id'],
  ['schedule', 'location_id'],
  ['attribute', 'link_id'],
  ['attribute', 'taxonomy_term_id'],
  ['language', 'service_id'],
  ['language', 'location_id'],
  ['cost_option', 'service_id'],
  ['contact', 'service_id'],
  ['contact', 'organization_id'],
  ['taxonomy_term', 'taxonomy_id'],
  ['taxonomy_term', 'parent_id'],
  ['service_area', 'service_id'],
  ['required_document', 'service_id'],
  ['funding', 'service_id'],
  ['accessibility', 'location_id'],
  ['metadata', 'resource_id'],
  ['service_capacity', 'service_id'],
  ['organization_identifier', 'organization_id'],
];

// References between HSDS records are checked by the importers and commands rather than by foreign keys: an import
// replaces records in whatever order its files come, and a record may legitimately refer to another publisher's id.
export const up: Migration['up'] = async (db, t, kind) => {
  const types = { id: t.id, text: 'text', num: kind === 'postgresql' ? 'double precision' : 'real', date: t.date, instant: t.instant, bool: t.bool } as const;
  for (const [name, spec] of Object.entries(HSDS_TABLES_V1)) {
    let q = db.schema.createTable(`directory_${name}`);
    for (const [col, s] of Object.entries(spec.columns)) {
      const required = s.endsWith('!');
      const k = s.replace('!', '') as Kind;
      q = q.addColumn(col, types[k] as never, (c) => {
        let cc = col === 'id' ? c.primaryKey() : c;
        if (required && col !== 'id') cc = cc.notNull();
        if (k === 'bool') cc = cc.notNull().defaultTo(kind === 'postgresql' ? sql`false` : 0);
        return cc;
      });
    }
    await q.execute();
  }
  for (const [table, col] of INDEXES) await db.schema.createIndex(`directory_${table}_${col}_idx`).on(`directory_${table}`).column(col).execute();
  await createSearchIndex(db, kind, 'directory_service_search');
};
