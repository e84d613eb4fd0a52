/**
 * Language names as publishers write them ("Creole", "Haitian Creole", "Kreyòl", "criollo haitiano", "Español")
 * to ISO 639-1 codes (issue 13 item 3), so that `language=ht` finds every service that lists Haitian Creole.
 * The names come from the Unicode CLDR data shipped with Node (Intl.DisplayNames, in English and Spanish, for every
 * two-letter code it names), and from the table below for the names CLDR does not give: other spellings, the
 * languages' own names and the short names 211 directories use. A few codes are not ISO 639-1 because 639-1 has
 * none for the language (yue Cantonese, ase American Sign Language): they are the ISO 639-3 codes.
 */
import type { Row } from './model.ts';
import type { Dataset } from './validate.ts';
import { uuidv5 } from './model.ts';

/** Names, folded (see `foldName`), that CLDR does not give for the code, or gives for another. */
export const LANGUAGE_ALIASES: Record<string, string> = {
  // Haitian Creole: in US directories "Creole" alone means it.
  creole: 'ht',
  haitian: 'ht',
  'haitian creole': 'ht',
  kreyol: 'ht',
  'kreyol ayisyen': 'ht',
  'creole haitien': 'ht',
  'criollo haitiano': 'ht',
  criollo: 'ht',
  'haitian french creole': 'ht',
  espanol: 'es',
  castellano: 'es',
  francais: 'fr',
  frances: 'fr',
  mandarin: 'zh',
  'chinese mandarin': 'zh',
  'mandarin chinese': 'zh',
  chino: 'zh',
  cantonese: 'yue',
  'chinese cantonese': 'yue',
  canton: 'yue',
  cantones: 'yue',
  tagalog: 'tl',
  filipino: 'tl',
  farsi: 'fa',
  persa: 'fa',
  dari: 'fa',
  'american sign language': 'ase',
  asl: 'ase',
  'sign language': 'ase',
  'lengua de senas': 'ase',
  'lenguaje de senas': 'ase',
  'lengua de senas americana': 'ase',
  burmese: 'my',
  portugues: 'pt',
  'brazilian portuguese': 'pt',
  'cape verdean portuguese': 'pt',
  russkiy: 'ru',
  'tieng viet': 'vi',
  vietnamita: 'vi',
  hmong: 'hmn',
  ingles: 'en',
  arabe: 'ar',
  coreano: 'ko',
  ruso: 'ru',
  japones: 'ja',
  aleman: 'de',
  italiano: 'it',
  polaco: 'pl',
  somali: 'so',
  tigrinya: 'ti',
  swahili: 'sw',
  amharic: 'am',
  punjabi: 'pa',
  panjabi: 'pa',
  'k iche': 'quc',
  kiche: 'quc',
  quiche: 'quc',
  mam: 'mam',
};

/** Lower case, accents and punctuation dropped, spaces collapsed: "Kreyòl" → "kreyol", "Español (Spain)" → "espanol spain". */
export function foldName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

let table: Map<string, string> | null = null;

/** Every name the normaliser knows, folded, to its code: CLDR's English and Spanish names, then the aliases. */
export function languageTable(): Map<string, string> {
  if (table) return table;
  const t = new Map<string, string>();
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  for (const lang of ['en', 'es']) {
    let names: Intl.DisplayNames;
    try {
      names = new Intl.DisplayNames([lang], { type: 'language', fallback: 'none' });
    } catch {
      continue;
    }
    for (const a of letters)
      for (const b of letters) {
        const code = a + b;
        let name: string | undefined;
        try {
          name = names.of(code);
        } catch {
          name = undefined;
        }
        if (!name || name.toLowerCase() === code) continue;
        const key = foldName(name);
        if (key && !t.has(key)) t.set(key, code);
      }
  }
  for (const [name, code] of Object.entries(LANGUAGE_ALIASES)) t.set(name, code);
  table = t;
  return t;
}

/** Words around a language's name that say nothing of which language it is ("Spanish speaking staff"). */
const NOISE = /\b(language|languages|idioma|speaking|speakers?|spoken|staff|only|available|interpreters?|interpretation|services?|fluent|native|some|limited|upon request|on request|habla|se habla)\b/g;

const CODE = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;

/** The code of one language name, or null when the name is not one the table knows. */
export function languageCodeOf(name: string): string | null {
  const t = languageTable();
  const folded = foldName(name);
  if (!folded) return null;
  const direct = t.get(folded);
  if (direct) return direct;
  // "Spanish (Latin American)", "Spanish speaking staff": the name without what surrounds it.
  const bare = foldName(name.replace(/\([^)]*\)/g, ' ')).replace(NOISE, ' ').replace(/\s+/g, ' ').trim();
  if (bare && t.has(bare)) return t.get(bare)!;
  // A code given as the name ("es", "ht").
  if (/^[a-z]{2}$/.test(folded) && [...t.values()].includes(folded)) return folded;
  return null;
}

/** The codes of a name that lists several ("Spanish, Creole", "English/Español", "French and Creole"); null unless every part is known. */
export function languageCodesOf(name: string): string[] | null {
  const one = languageCodeOf(name);
  if (one) return [one];
  const parts = name.split(/[,;/|&+]|\band\b|\by\b|\bet\b/i).map((p) => p.trim()).filter(Boolean);
  if (parts.length < 2) return null;
  const codes = parts.map(languageCodeOf);
  if (codes.some((c) => !c)) return null;
  return [...new Set(codes as string[])];
}

/** Whether a language row's code is usable as it stands (a BCP 47 primary tag such as "es" or "zh-Hant"). */
export const isLanguageCode = (code: unknown): boolean => typeof code === 'string' && CODE.test(code.trim());

/**
 * Gives the language rows of an import their code from their name: a row without a usable code gets the code of
 * its name (or of its code, when the publisher wrote the name there); a row naming several languages becomes one
 * row per language. Rows whose name the table does not know keep no code and are counted by the crosswalk report.
 * Returns how many rows were given a code.
 */
export function normaliseLanguages(ds: Dataset): number {
  let n = 0;
  for (const row of [...ds.get('language')]) {
    if (isLanguageCode(row.code)) {
      row.code = String(row.code).trim().toLowerCase();
      continue;
    }
    const named = typeof row.name === 'string' ? row.name : '';
    const given = typeof row.code === 'string' ? row.code : '';
    const codes = languageCodesOf(named) ?? languageCodesOf(given);
    if (!codes) {
      if (given && !named) row.name = given;
      row.code = null;
      continue;
    }
    if (!named && given) row.name = given;
    row.code = codes[0];
    n++;
    for (const code of codes.slice(1)) {
      const copy: Row = { ...row, id: uuidv5(`language:split:${String(row.id)}:${code}`), code };
      ds.add('language', copy, ds.originOf(row));
    }
  }
  return n;
}
