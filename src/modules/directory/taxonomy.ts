import { uuidv5 } from './model.ts';

/**
 * The directory's own taxonomy: what a person needs, who a service serves, and traits that matter to survivors and
 * hotline staff. Shipped with the application and attached to services through HSDS attributes.
 * Needs follow OTIP's case-management categories (domain.md §2.3).
 */
export interface ShippedTerm {
  code: string;
  en: string;
  es: string;
  description: string;
}

export const TAXONOMY_ID = uuidv5('taxonomy:taskforce-hub');
export const TAXONOMY = {
  id: TAXONOMY_ID,
  name: 'Taskforce Hub service taxonomy',
  description: 'Needs, populations served and service traits used by the Taskforce Hub directory of services for survivors of human trafficking.',
  version: '1.0',
};

export const FACETS = ['need', 'population', 'trait'] as const;
export type Facet = (typeof FACETS)[number];

export const FACET_ROOTS: Record<Facet, ShippedTerm> = {
  need: { code: 'need', en: 'Needs', es: 'Necesidades', description: 'What a person needs help with.' },
  population: { code: 'population', en: 'Populations served', es: 'Poblaciones atendidas', description: 'Who the service is for.' },
  trait: { code: 'trait', en: 'Service traits', es: 'Características del servicio', description: 'How the service works.' },
};

export const TERMS: Record<Facet, ShippedTerm[]> = {
  need: [
    { code: 'need.case-management', en: 'Case management', es: 'Manejo de casos', description: 'Comprehensive case management and service coordination.' },
    { code: 'need.emergency-shelter', en: 'Emergency shelter', es: 'Refugio de emergencia', description: 'Immediate, short-term safe shelter.' },
    { code: 'need.housing', en: 'Transitional and permanent housing', es: 'Vivienda transitoria y permanente', description: 'Transitional housing, rental help and permanent housing.' },
    { code: 'need.employment', en: 'Employment services', es: 'Servicios de empleo', description: 'Help finding and keeping work.' },
    { code: 'need.job-training', en: 'Job training and apprenticeship', es: 'Capacitación laboral y aprendizaje', description: 'Vocational training, apprenticeships and skills programs.' },
    { code: 'need.education', en: 'Education', es: 'Educación', description: 'Schooling, literacy, English classes and high-school equivalency.' },
    { code: 'need.legal', en: 'Legal and immigration services', es: 'Servicios legales y de inmigración', description: 'Legal representation, immigration relief and advocacy.' },
    { code: 'need.medical', en: 'Medical care', es: 'Atención médica', description: 'Primary, dental, vision and specialist care.' },
    { code: 'need.mental-health', en: 'Mental health', es: 'Salud mental', description: 'Counseling, therapy and psychiatric care.' },
    { code: 'need.substance-use', en: 'Substance use treatment', es: 'Tratamiento por consumo de sustancias', description: 'Treatment and recovery support for substance use.' },
    { code: 'need.language-access', en: 'Language access', es: 'Acceso lingüístico', description: 'Interpretation and translation.' },
    { code: 'need.basic-needs', en: 'Basic needs', es: 'Necesidades básicas', description: 'Food, clothing, hygiene items and emergency cash.' },
    { code: 'need.transportation', en: 'Transportation', es: 'Transporte', description: 'Rides, transit passes and help paying for travel.' },
    { code: 'need.child-care', en: 'Child care', es: 'Cuidado infantil', description: 'Day care, preschool and after-school care.' },
  ],
  population: [
    { code: 'population.foreign-nationals', en: 'Foreign nationals', es: 'Personas extranjeras', description: 'People who are not U.S. citizens or permanent residents.' },
    { code: 'population.us-citizens', en: 'U.S. citizens and permanent residents', es: 'Ciudadanos y residentes permanentes de EE. UU.', description: 'U.S. citizens and lawful permanent residents.' },
    { code: 'population.minors', en: 'Minors', es: 'Menores de edad', description: 'Children and youth under 18.' },
    { code: 'population.adults', en: 'Adults', es: 'Personas adultas', description: 'People aged 18 and over.' },
    { code: 'population.men', en: 'Men', es: 'Hombres', description: 'Men and boys.' },
    { code: 'population.women', en: 'Women', es: 'Mujeres', description: 'Women and girls.' },
    { code: 'population.lgbtq', en: 'LGBTQ+ survivors', es: 'Sobrevivientes LGBTQ+', description: 'Lesbian, gay, bisexual, transgender and queer survivors.' },
    { code: 'population.labor-trafficking', en: 'Survivors of labor trafficking', es: 'Sobrevivientes de trata laboral', description: 'People trafficked for labor or services.' },
    { code: 'population.sex-trafficking', en: 'Survivors of sex trafficking', es: 'Sobrevivientes de trata sexual', description: 'People trafficked for commercial sex.' },
  ],
  trait: [
    { code: 'trait.trauma-informed', en: 'Trauma-informed', es: 'Informado sobre el trauma', description: 'Staff trained in trauma-informed care.' },
    { code: 'trait.hotline-referrals', en: 'Accepts hotline referrals', es: 'Acepta referencias de la línea directa', description: 'Takes referrals from the National Human Trafficking Hotline.' },
    { code: 'trait.24-hour', en: 'Open 24 hours', es: 'Abierto las 24 horas', description: 'Reachable at any hour, every day.' },
    { code: 'trait.confidential-location', en: 'Confidential location', es: 'Ubicación confidencial', description: 'The address is shared only with vetted partners.' },
  ],
};

export const termId = (code: string) => uuidv5(`taxonomy_term:taskforce-hub:${code}`);

export function allShippedTerms(): { term: ShippedTerm; facet: Facet; parent: string | null }[] {
  const out: { term: ShippedTerm; facet: Facet; parent: string | null }[] = [];
  for (const f of FACETS) {
    out.push({ term: FACET_ROOTS[f], facet: f, parent: null });
    for (const t of TERMS[f]) out.push({ term: t, facet: f, parent: f });
  }
  return out;
}

export function shippedTermRows() {
  return allShippedTerms().map(({ term, parent }) => ({
    id: termId(term.code),
    code: term.code,
    name: term.en,
    description: term.description,
    parent_id: parent ? termId(parent) : null,
    taxonomy: TAXONOMY.name,
    language: 'en',
    taxonomy_id: TAXONOMY_ID,
    term_uri: null,
  }));
}

export const termByCode = new Map(allShippedTerms().map((x) => [x.term.code, x.term]));

/**
 * Everyday words people type, and the directory terms (or words) they mean. Matched word by word, on the folded
 * query; each entry adds alternatives, it never removes the word itself.
 */
export const SYNONYMS: Record<string, string[]> = {
  job: ['employment', 'work', 'career'],
  jobs: ['employment', 'work', 'career'],
  work: ['employment', 'job'],
  trabajo: ['employment', 'job', 'work'],
  empleo: ['employment', 'job'],
  lawyer: ['legal', 'attorney', 'law'],
  attorney: ['legal', 'lawyer'],
  abogado: ['legal', 'lawyer', 'attorney'],
  visa: ['immigration', 'legal'],
  immigration: ['legal', 'citizenship'],
  rent: ['housing', 'rental'],
  apartment: ['housing'],
  home: ['housing'],
  vivienda: ['housing'],
  bed: ['shelter', 'housing'],
  shelter: ['housing', 'refugio'],
  refugio: ['shelter'],
  doctor: ['medical', 'health', 'clinic'],
  clinic: ['medical', 'health'],
  sick: ['medical', 'health'],
  therapy: ['mental', 'counseling'],
  therapist: ['mental', 'counseling'],
  counselor: ['counseling', 'mental'],
  depression: ['mental', 'counseling'],
  drugs: ['substance', 'addiction', 'recovery'],
  alcohol: ['substance', 'addiction', 'recovery'],
  rehab: ['substance', 'addiction', 'recovery'],
  interpreter: ['language', 'interpretation', 'translation'],
  translator: ['language', 'translation', 'interpretation'],
  english: ['esl', 'language', 'education'],
  school: ['education'],
  class: ['education', 'training'],
  classes: ['education', 'training'],
  training: ['apprenticeship', 'skills'],
  food: ['basic', 'meals', 'pantry'],
  clothes: ['clothing', 'basic'],
  bus: ['transportation', 'transit'],
  ride: ['transportation', 'transit'],
  daycare: ['child', 'childcare'],
  babysitter: ['child', 'childcare'],
  caseworker: ['case', 'management'],
};
