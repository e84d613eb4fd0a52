/**
 * The everyday words people type into the directory search, in English and Spanish, and the words the directory's
 * records use for the same thing (issue 13). Matched word by word on the folded query (lower case, no accents:
 * "médico" is looked up as "medico"); each entry adds alternatives, it never removes the word itself. An
 * alternative of several words ("emergency housing") needs all of them in a record. Words are matched as prefixes
 * by the index, so "employ" covers "employment" and "employer".
 */
export const SYNONYMS: Record<string, string[]> = {
  // work
  job: ['employment', 'work', 'career'],
  jobs: ['employment', 'work', 'career'],
  work: ['employment', 'job', 'career', 'vocational'],
  employment: ['job', 'career', 'vocational', 'workforce'],
  trabajo: ['employment', 'job', 'career', 'vocational', 'workforce'],
  empleo: ['employment', 'job', 'career', 'vocational', 'workforce'],
  training: ['apprenticeship'],
  capacitacion: ['training', 'apprenticeship', 'vocational'],
  // shelter and housing
  shelter: ['refugio', 'albergue', 'housing'],
  refugio: ['shelter', 'albergue', 'housing'],
  albergue: ['shelter', 'refugio', 'housing'],
  bed: ['shelter'],
  beds: ['shelter'],
  cama: ['shelter'],
  rent: ['rental', 'housing'],
  apartment: ['housing'],
  vivienda: ['housing'],
  casa: ['housing'],
  // legal
  lawyer: ['legal', 'attorney', 'law'],
  attorney: ['legal', 'lawyer', 'law'],
  legal: ['lawyer', 'attorney'],
  abogado: ['legal', 'lawyer', 'attorney', 'law'],
  abogada: ['legal', 'lawyer', 'attorney', 'law'],
  eviction: ['evicted', 'tenant', 'landlord'],
  desalojo: ['eviction', 'evicted', 'tenant', 'landlord'],
  desahucio: ['eviction', 'evicted', 'tenant', 'landlord'],
  inquilino: ['tenant', 'landlord'],
  divorce: ['family law', 'custody'],
  divorcio: ['divorce', 'family law', 'custody'],
  custodia: ['custody', 'family law'],
  visa: ['immigration', 'immigrant'],
  immigration: ['immigrant', 'refugee', 'citizenship'],
  inmigracion: ['immigration', 'immigrant', 'refugee', 'citizenship'],
  // health
  doctor: ['medical', 'clinic', 'primary care', 'physician'],
  medico: ['medical', 'doctor', 'clinic', 'primary care', 'physician'],
  clinic: ['medical', 'clinica'],
  clinica: ['clinic', 'medical'],
  sick: ['medical', 'clinic'],
  salud: ['health'],
  mental: ['behavioral', 'psychiatric', 'psychiatry'],
  therapy: ['counseling', 'mental', 'psychotherapy'],
  terapia: ['therapy', 'counseling', 'psychotherapy'],
  therapist: ['counseling', 'therapy'],
  counseling: ['therapy', 'psychotherapy', 'mental health'],
  counselor: ['counseling', 'therapy'],
  consejeria: ['counseling', 'therapy'],
  depression: ['mental', 'counseling'],
  drug: ['substance', 'addiction', 'opioid'],
  drugs: ['substance', 'addiction', 'opioid'],
  drogas: ['substance', 'addiction', 'opioid'],
  alcohol: ['substance', 'addiction', 'recovery'],
  rehab: ['substance', 'addiction', 'recovery', 'treatment'],
  // violence and exploitation
  domestic: ['intimate partner', 'family violence', 'dv'],
  domestica: ['domestic', 'intimate partner', 'family violence'],
  violencia: ['violence', 'abuse'],
  trafficking: ['trata', 'trafficked'],
  trata: ['trafficking', 'trafficked'],
  // everyday needs
  food: ['meals', 'pantry', 'groceries'],
  comida: ['food', 'meals', 'pantry', 'groceries'],
  alimentos: ['food', 'meals', 'pantry', 'groceries'],
  soup: ['meals', 'dinner'],
  kitchen: ['meals', 'dinner'],
  clothes: ['clothing', 'basic'],
  ropa: ['clothing', 'clothes', 'basic'],
  laundry: ['lavanderia'],
  lavanderia: ['laundry'],
  bus: ['transportation', 'transit'],
  ride: ['transportation', 'transit'],
  transporte: ['transportation', 'transit'],
  daycare: ['childcare', 'child care'],
  guarderia: ['childcare', 'child care', 'daycare'],
  babysitter: ['childcare', 'child care'],
  // learning
  english: ['esol', 'esl'],
  ingles: ['english', 'esol', 'esl'],
  class: ['classes', 'education', 'courses'],
  classes: ['class', 'education', 'courses'],
  clases: ['classes', 'education', 'courses'],
  school: ['education'],
  escuela: ['school', 'education'],
  interpreter: ['interpretation', 'translation', 'language'],
  interprete: ['interpreter', 'interpretation', 'translation'],
  translator: ['translation', 'interpretation', 'language'],
  caseworker: ['case management'],
};

/**
 * Words that only join others ("for", "de", "cerca"): left out of a query that has other words. Folded, as the
 * query is.
 */
export const STOP_WORDS = new Set([
  'a', 'an', 'the', 'and', 'or', 'of', 'for', 'to', 'in', 'on', 'at', 'with', 'near', 'me', 'my', 'i', 'please',
  'de', 'del', 'la', 'el', 'los', 'las', 'un', 'una', 'y', 'o', 'para', 'por', 'con', 'en', 'cerca', 'mi',
]);

/**
 * Words that say little about which service is wanted ("help", "services", "ayuda"): kept while the search finds
 * something with them ("immigration help" prefers services that offer help), left out when it finds nothing with
 * them (search.ts). Folded.
 */
export const FILLER_WORDS = new Set([
  'help', 'services', 'service', 'program', 'programs', 'programme', 'need', 'find', 'get',
  'ayuda', 'servicio', 'servicios', 'programa', 'programas', 'necesito', 'busco',
]);
