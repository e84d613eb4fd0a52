import type { Lang } from '../../platform/web/i18n.ts';

/** The module's strings, declared in its manifest (index.ts). */
export const messages: Record<Lang, Record<string, string>> = {
  en: {
    'grants.nav': 'Grant plans',
    'grants.nav.funding': 'Funding',
  },
  es: {
    'grants.nav': 'Planes de subvenciones',
    'grants.nav.funding': 'Financiamiento',
  },
};
