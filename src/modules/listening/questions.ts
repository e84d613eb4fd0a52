/**
 * The questions a series asks. Each series keeps its own ordered list (edited by its lead); a new series starts from
 * one of the templates below. A question has a stable key (its answers and the coding refer to it) and its text in
 * English and Spanish.
 */
import type { Lang } from '../../platform/web/i18n.ts';

export interface Question {
  key: string;
  label: string;
  /** The Spanish text; the English is shown when it is missing. */
  label_es?: string;
}

export const QUESTION_TEMPLATES = ['housing', 'employment', 'youth'] as const;
export type QuestionTemplate = (typeof QUESTION_TEMPLATES)[number];

const TEMPLATES: Record<QuestionTemplate, Question[]> = {
  // The housing set is the questions every session asked before series had their own (English unchanged).
  housing: [
    { key: 'challenges', label: 'What challenges do you face in meeting survivors’ housing and service needs?', label_es: '¿Qué desafíos enfrenta para atender las necesidades de vivienda y servicios de los sobrevivientes?' },
    { key: 'best_practices', label: 'What practices work well for you?', label_es: '¿Qué prácticas le dan buenos resultados?' },
    { key: 'policy_changes', label: 'What changes in policy would help?', label_es: '¿Qué cambios de política ayudarían?' },
    { key: 'technical_assistance', label: 'What technical assistance would help?', label_es: '¿Qué asistencia técnica ayudaría?' },
    { key: 'outreach', label: 'What outreach would help?', label_es: '¿Qué actividades de difusión ayudarían?' },
  ],
  employment: [
    { key: 'challenges', label: 'What gets in the way of survivors finding and keeping work?', label_es: '¿Qué impide que los sobrevivientes encuentren y conserven un empleo?' },
    { key: 'best_practices', label: 'What job training, placement or employer partnerships work well for you?', label_es: '¿Qué capacitación laboral, colocación o alianzas con empleadores le dan buenos resultados?' },
    { key: 'employers', label: 'How could employers and workforce centers be reached?', label_es: '¿Cómo se podría llegar a los empleadores y a los centros de empleo?' },
    { key: 'policy_changes', label: 'What changes in policy would help survivors get and keep work?', label_es: '¿Qué cambios de política ayudarían a los sobrevivientes a conseguir y conservar un empleo?' },
    { key: 'technical_assistance', label: 'What technical assistance would help your program?', label_es: '¿Qué asistencia técnica ayudaría a su programa?' },
  ],
  youth: [
    { key: 'challenges', label: 'What challenges do you face in serving young survivors and youth at risk?', label_es: '¿Qué desafíos enfrenta para atender a sobrevivientes jóvenes y a jóvenes en riesgo?' },
    { key: 'best_practices', label: 'What works well with young people, including those in foster care or without a home?', label_es: '¿Qué da buenos resultados con los jóvenes, incluidos los que están en hogares de acogida o sin hogar?' },
    { key: 'schools', label: 'How could schools, child welfare and youth programs work better together?', label_es: '¿Cómo podrían colaborar mejor las escuelas, los servicios de protección infantil y los programas juveniles?' },
    { key: 'policy_changes', label: 'What changes in policy would help young survivors?', label_es: '¿Qué cambios de política ayudarían a los sobrevivientes jóvenes?' },
    { key: 'youth_voice', label: 'How could young people with lived experience shape the services?', label_es: '¿Cómo podrían los jóvenes con experiencia vivida influir en los servicios?' },
  ],
};

/** A fresh copy of a template's questions. */
export function templateQuestions(name: QuestionTemplate = 'housing'): Question[] {
  return TEMPLATES[name].map((q) => ({ ...q }));
}

// Questions saved before they carried Spanish (sessions' own lists): the housing set's Spanish when the English matches.
const HOUSING_ES = new Map(TEMPLATES.housing.map((q) => [q.label, q.label_es!]));

/** A question's text in the reader's language. */
export function questionLabel(q: Question, lang: Lang): string {
  if (lang !== 'es') return q.label;
  return q.label_es || HOUSING_ES.get(q.label) || q.label;
}

/** A key for a new question: its English words, lower-cased and joined by underscores, unique among `taken`. */
export function questionKey(label: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const words = label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  let base = words.join('_').slice(0, 32).replace(/_+$/, '');
  if (!/^[a-z]/.test(base)) base = `q_${base}`.replace(/_+$/, '');
  let key = base;
  for (let n = 2; used.has(key); n++) key = `${base}_${n}`;
  return key;
}
