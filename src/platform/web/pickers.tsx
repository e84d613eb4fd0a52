/**
 * Pickers for values a person should choose, not type: a linked record from a list grouped with `<optgroup>`, and a
 * time zone. Both are plain `<select>`s, so they work without JavaScript and by keyboard; the command that receives
 * the value still checks it (a forged value gets a field error, not a 500).
 */
import type { View } from './view.ts';
import { describedBy, errorFor, FieldGroup, fieldId, type FieldProps } from './components.tsx';

export interface PickerGroup {
  label: string;
  options: { value: string; label: string }[];
}

/**
 * A `<select>` of options in groups. A current value missing from the groups (a link to a record since removed) is kept
 * as an option named `unknownLabel` when one is given, so that saving the form does not drop it; otherwise it is left
 * out (never shown as it is: it may be an internal id).
 */
export function GroupedSelect(props: FieldProps & { value?: string | null; groups: PickerGroup[]; blank?: string; unknownLabel?: string }) {
  const id = `field-${fieldId(props.name)}`;
  const error = errorFor(props.errors, props.name);
  const known = props.groups.some((g) => g.options.some((o) => o.value === props.value));
  return (
    <FieldGroup {...props}>
      <select class={`usa-select${error ? ' usa-input--error' : ''}`} id={id} name={props.name} required={props.required} aria-invalid={error ? 'true' : undefined} aria-describedby={describedBy(props.name, props.hint, error)}>
        {props.blank !== undefined && <option value="">{props.blank}</option>}
        {props.value && !known && props.unknownLabel && (
          <option value={props.value} selected>
            {props.unknownLabel}
          </option>
        )}
        {props.groups
          .filter((g) => g.options.length)
          .map((g) => (
            <optgroup label={g.label}>
              {g.options.map((o) => (
                <option value={o.value} selected={o.value === props.value}>
                  {o.label}
                </option>
              ))}
            </optgroup>
          ))}
      </select>
    </FieldGroup>
  );
}

/** The zones of the United States and its territories, shown first in this order. */
export const US_TIME_ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Anchorage',
  'America/Adak',
  'Pacific/Honolulu',
  'America/Puerto_Rico',
  'America/St_Thomas',
  'Pacific/Guam',
  'Pacific/Saipan',
  'Pacific/Pago_Pago',
] as const;

/** Cities of the United States' zones that Spanish names otherwise (the zone ids name them in English). */
const CITY_ES: Record<string, string> = {
  'America/New_York': 'Nueva York',
  'America/Los_Angeles': 'Los Ángeles',
  'Pacific/Honolulu': 'Honolulú',
  'America/St_Thomas': 'Santo Tomás',
};

const REGION_ES: Record<string, string> = {
  Africa: 'África',
  America: 'América',
  Antarctica: 'Antártida',
  Arctic: 'Ártico',
  Asia: 'Asia',
  Atlantic: 'Atlántico',
  Australia: 'Australia',
  Europe: 'Europa',
  Indian: 'Índico',
  Pacific: 'Pacífico',
};
const REGION_EN: Record<string, string> = { Indian: 'Indian Ocean', Atlantic: 'Atlantic', Pacific: 'Pacific' };

/** Every zone Node's Intl knows, plus UTC. */
export function timeZoneNames(): string[] {
  const all = Intl.supportedValuesOf('timeZone');
  return all.includes('UTC') ? all : [...all, 'UTC'];
}

const cache = new Map<string, PickerGroup[]>();

/** A zone's name for a reader: "Eastern Time — New York" ("Hora oriental — Nueva York"); the zone as given if Intl does not know it. */
export function timeZoneLabel(lang: string, zone: string): string {
  return zoneLabel(lang, zone, new Date());
}

/** "Eastern Time — New York": the zone's generic name in the reader's language, then its city. */
function zoneLabel(lang: string, zone: string, at: Date): string {
  const city = (lang === 'es' && CITY_ES[zone]) || zone.split('/').pop()!.replace(/_/g, ' ');
  if (zone === 'UTC') return 'UTC';
  let generic = '';
  try {
    generic = new Intl.DateTimeFormat(lang, { timeZone: zone, timeZoneName: 'longGeneric' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
  } catch {
    generic = '';
  }
  generic = generic.charAt(0).toLocaleUpperCase(lang) + generic.slice(1);
  return generic && !generic.startsWith('GMT') ? `${generic} — ${city}` : city;
}

/** The time-zone groups in `lang`: the United States first, then each region's zones by city. Built once per language. */
export function timeZoneGroups(lang: string, usLabel: string, otherLabel: string): PickerGroup[] {
  const key = `${lang}\u0000${usLabel}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const at = new Date(Date.UTC(2026, 0, 15));
  const us = new Set<string>(US_TIME_ZONES);
  const byRegion = new Map<string, { value: string; label: string }[]>();
  for (const zone of timeZoneNames()) {
    if (us.has(zone)) continue;
    const region = zone.includes('/') ? zone.split('/')[0] : '';
    const list = byRegion.get(region) ?? [];
    list.push({ value: zone, label: zoneLabel(lang, zone, at).replace(/^(.*) — (.*)$/, '$2 ($1)') });
    byRegion.set(region, list);
  }
  const collator = new Intl.Collator(lang);
  const groups: PickerGroup[] = [{ label: usLabel, options: US_TIME_ZONES.map((z) => ({ value: z, label: zoneLabel(lang, z, at) })) }];
  for (const region of [...byRegion.keys()].sort((a, b) => collator.compare(a, b))) {
    const label = region === '' ? otherLabel : lang === 'es' ? (REGION_ES[region] ?? region) : (REGION_EN[region] ?? region);
    groups.push({ label, options: byRegion.get(region)!.sort((a, b) => collator.compare(a.label, b.label)) });
  }
  cache.set(key, groups);
  return groups;
}

/** A time-zone `<select>`: IANA zones with readable names, the United States' first. */
export function TimeZoneSelect(props: FieldProps & { v: View; value?: string | null }) {
  const { v, ...rest } = props;
  // Named here rather than in a module's messages: every module's time-zone field shows the same groups.
  const es = v.lang === 'es';
  return <GroupedSelect {...rest} groups={timeZoneGroups(v.lang, es ? 'Estados Unidos y territorios' : 'United States and territories', es ? 'Otras' : 'Other')} />;
}
