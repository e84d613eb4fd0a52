/** The rules an item's fields must meet beyond their schema; creation, editing and import share them. */
import type { Static } from '@sinclair/typebox';
import type { Problems } from '../../platform/http/errors.ts';
import type { Directory } from './directory.ts';
import type { ItemPatch } from './schema.ts';

export type Fields = Partial<Static<typeof ItemPatch>>;

/** Checks references to agencies, owners and dates; the same rules serve creation, editing and import. */
export function checkItemFields(p: Problems | { add(field: string, message: string): void }, d: Fields, dir: Directory): void {
  if (d.lead_agency_id && !dir.agency(d.lead_agency_id)) p.add('lead_agency_id', 'is not a known agency');
  for (const [i, id] of (d.supporting_agency_ids ?? []).entries()) if (!dir.agency(id)) p.add(`supporting_agency_ids.${i}`, 'is not a known agency');
  if (d.owner_id) {
    const o = dir.owner(d.owner_id);
    if (!o) p.add('owner_id', 'is not a known committee or partnership');
    else if (d.owner_type && d.owner_type !== o.type) p.add('owner_type', `must be ${o.type} for this owner`);
  } else if (d.owner_type) p.add('owner_id', 'is required with owner_type');
  if (d.start_date && d.due_date && d.due_date < d.start_date) p.add('due_date', `must be on or after start_date (${d.start_date})`);
  for (const [i, m] of (d.milestones ?? []).entries()) {
    if (m.done_date && d.start_date && m.done_date < d.start_date) p.add(`milestones.${i}.done_date`, 'must not be before start_date');
  }
  for (const [i, k] of (d.key_results ?? []).entries()) {
    if (k.start_value === k.target_value) p.add(`key_results.${i}.target_value`, 'must differ from start_value');
  }
}
