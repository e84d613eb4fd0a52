/**
 * The area of a network chosen by name: states as checkboxes, and single counties in two steps that work without
 * JavaScript (choose a state, "Show its counties" sends the form back with that state's counties to tick). The form
 * posts USPS codes and county FIPS codes, as the API takes them; the command checks them against the atlas.
 */
import type { FieldError } from '../../../platform/http/errors.ts';
import { counties, countyByFips, countyNameIn, stateByCode, statesIn, type UsCounty } from '../../../platform/geo/us.ts';
import { describedBy, errorFor, fieldId, Select, SubmitButton } from '../../../platform/web/components.tsx';
import type { View } from '../../../platform/web/view.ts';

/** The FIPS codes of independent cities that share their name with a county of their state (Baltimore, Fairfax...). */
let cities: Set<string> | undefined;
function isNamesakeCity(c: UsCounty): boolean {
  if (!cities) {
    const byName = new Map<string, UsCounty[]>();
    for (const x of counties()) byName.set(`${x.state}|${x.name}`, [...(byName.get(`${x.state}|${x.name}`) ?? []), x]);
    // County-equivalent codes from 510 up are independent cities.
    cities = new Set([...byName.values()].filter((l) => l.length > 1).flatMap((l) => l.filter((x) => Number(x.fips.slice(2)) >= 510).map((x) => x.fips)));
  }
  return cities.has(c.fips);
}

/** A county's name, told apart from a city of the same name: "Fairfax", "Fairfax (city)". */
export function countyLabel(v: View, c: UsCounty): string {
  const name = countyNameIn(c, v.lang);
  return isNamesakeCity(c) ? v.t('networks.county.city', { name }) : name;
}

/** A county by its FIPS code, named with its state: "Fairfax, VA"; the code as given when the atlas does not know it. */
export function countyName(v: View, fips: string): string {
  const c = countyByFips(fips);
  return c ? `${countyLabel(v, c)}, ${c.state}` : fips;
}

function Checkbox({ id, name, value, label, checked }: { id: string; name: string; value: string; label: string; checked: boolean }) {
  return (
    <div class="usa-checkbox mobile-lg:grid-col-6">
      <input class="usa-checkbox__input" id={id} type="checkbox" name={name} value={value} checked={checked} />
      <label class="usa-checkbox__label" for={id}>
        {label}
      </label>
    </div>
  );
}

/** Every state, DC and territory as a checkbox by name, in columns on wider screens. */
export function StatesField({ v, values, errors }: { v: View; values: string[]; errors?: FieldError[] }) {
  const base = `field-${fieldId('states')}`;
  const error = errorFor(errors, 'states');
  return (
    <fieldset class={`usa-fieldset usa-form-group${error ? ' usa-form-group--error' : ''}`} id={base} aria-describedby={describedBy('states', 'hint', error)}>
      <legend class="usa-legend">{v.t('networks.field.states')}</legend>
      <div class="usa-hint" id={`${base}-hint`}>
        {v.t('networks.field.states.hint')}
      </div>
      {error && (
        <span class="usa-error-message" id={`${base}-error`} role="alert">
          {error}
        </span>
      )}
      <div class="grid-row grid-gap-2">
        {statesIn(v.lang).map((s, i) => (
          <Checkbox id={`${base}-${i}`} name="states" value={s.code} label={s.name} checked={values.includes(s.code)} />
        ))}
      </div>
    </fieldset>
  );
}

/**
 * Single counties: for each state with a county chosen, and the state asked for in `county_state`, its counties as
 * checkboxes by name; then the state select and the button that shows another state's counties.
 */
export function CountiesField({ v, values, countyState, errors }: { v: View; values: string[]; countyState?: string; errors?: FieldError[] }) {
  const base = `field-${fieldId('counties')}`;
  const error = errorFor(errors, 'counties');
  const shown = new Set(values.map((f) => countyByFips(f)?.state).filter((s): s is string => !!s));
  const asked = countyState ? stateByCode(countyState) : undefined;
  if (asked) shown.add(asked.code);
  const known = new Set(values);
  return (
    <fieldset class={`usa-fieldset usa-form-group${error ? ' usa-form-group--error' : ''}`} id={base} aria-describedby={describedBy('counties', 'hint', error)}>
      <legend class="usa-legend">{v.t('networks.field.counties')}</legend>
      <div class="usa-hint" id={`${base}-hint`}>
        {v.t('networks.field.counties.hint')}
      </div>
      {error && (
        <span class="usa-error-message" id={`${base}-error`} role="alert">
          {error}
        </span>
      )}
      {statesIn(v.lang)
        .filter((s) => shown.has(s.code))
        .map((s) => (
          <fieldset class="usa-fieldset margin-top-2">
            <legend class="usa-legend usa-legend--small text-bold">{v.t('networks.counties.in', { state: s.name })}</legend>
            <div class="grid-row grid-gap-2">
              {counties(s.code).map((c) => (
                <Checkbox id={`${base}-${c.fips}`} name="counties" value={c.fips} label={countyLabel(v, c)} checked={known.has(c.fips)} />
              ))}
            </div>
          </fieldset>
        ))}
      <Select name="county_state" label={v.t('networks.field.county_state')} blank={v.t('networks.choose')} value={asked?.code} options={statesIn(v.lang).map((s) => ({ value: s.code, label: s.name }))} />
      <SubmitButton secondary name="_show" value="counties">
        {v.t('networks.counties.show')}
      </SubmitButton>
    </fieldset>
  );
}
