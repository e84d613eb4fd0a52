export const LANGS = ['en', 'es'] as const;
export type Lang = (typeof LANGS)[number];

export function isLang(v: unknown): v is Lang {
  return v === 'en' || v === 'es';
}

type Messages = Record<string, string>;
const catalog: Record<Lang, Messages> = { en: {}, es: {} };

/** Modules add their own strings; every key must exist in both languages (a test checks). */
export function defineMessages(messages: Record<Lang, Messages>): void {
  for (const lang of LANGS) Object.assign(catalog[lang], messages[lang]);
}

export function missingTranslations(): { lang: Lang; key: string }[] {
  const out: { lang: Lang; key: string }[] = [];
  for (const lang of LANGS) {
    for (const other of LANGS) {
      for (const key of Object.keys(catalog[other])) if (!(key in catalog[lang])) out.push({ lang, key });
    }
  }
  return out;
}

export type Translate = (key: string, vars?: Record<string, string | number>) => string;

/** Every message of one language, key to text (a copy): for tests that compare what a page shows with the catalog. */
export function catalogOf(lang: Lang): Record<string, string> {
  return { ...catalog[lang] };
}

type FallbackListener = (lang: Lang, key: string) => void;
const fallbackListeners = new Set<FallbackListener>();

/**
 * Test hook: `onFallback` hears of every look-up that found no text in the reader's language (and showed the
 * English text or the key itself instead) until the returned function is called.
 */
export function recordFallbacks(onFallback: FallbackListener): () => void {
  fallbackListeners.add(onFallback);
  return () => fallbackListeners.delete(onFallback);
}

const pluralRules = new Map<Lang, Intl.PluralRules>();

/**
 * A message in the reader's language with its {placeholders} filled. When `n` is a number and the catalog has a form
 * of the key for n's plural category in that language (`key#one`, `key#other`, after Intl.PluralRules), that form is
 * used: "1 service found", not "1 services found".
 */
export function translator(lang: Lang): Translate {
  return (key, vars) => {
    let s: string | undefined;
    if (vars && typeof vars.n === 'number') {
      let rules = pluralRules.get(lang);
      if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
      s = catalog[lang][`${key}#${rules.select(vars.n)}`];
    }
    s ??= catalog[lang][key];
    if (s === undefined) {
      for (const listener of fallbackListeners) listener(lang, key);
      s = catalog.en[key] ?? key;
    }
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
    return s;
  };
}

/** Instants are shown on the task force's clock (Washington), with the zone named: "Dec 5, 2026, 1:01 AM EST". */
export const INSTANT_TIME_ZONE = 'America/New_York';
const instantFormats = new Map<string, Intl.DateTimeFormat>();
const listFormats = new Map<string, Intl.ListFormat>();

/**
 * An instant (ISO 8601 text or Date) as a reader of this language reads it, through Intl.DateTimeFormat, on the task
 * force's clock unless another `timeZone` is asked for (the jobs page keeps UTC, like the schedules it shows).
 */
export function formatInstant(lang: Lang, instant: string | Date, timeZone = INSTANT_TIME_ZONE): string {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  if (Number.isNaN(at.getTime())) return String(instant);
  const k = `${lang} ${timeZone}`;
  let f = instantFormats.get(k);
  if (!f) {
    f = new Intl.DateTimeFormat(`${lang}-US`, { timeZone, year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' });
    instantFormats.set(k, f);
  }
  return f.format(at);
}

const dateFormats = new Map<Lang, Intl.DateTimeFormat>();

/**
 * A calendar day as a reader of this language reads it: "Dec 5, 2026", "5 dic 2026" (Intl.DateTimeFormat, dateStyle
 * medium). Text is read by its leading YYYY-MM-DD (a plain date, or the date part of a stored instant) on UTC, so the
 * day never shifts with the server's zone; a Date by its UTC day. Text that does not start with a date comes back as
 * it was.
 */
export function formatDate(lang: Lang, isoDate: string | Date): string {
  const m = typeof isoDate === 'string' ? /^\d{4}-\d{2}-\d{2}/.exec(isoDate) : null;
  const at = typeof isoDate === 'string' ? new Date(m ? `${m[0]}T00:00:00Z` : NaN) : isoDate;
  if (Number.isNaN(at.getTime())) return String(isoDate);
  let f = dateFormats.get(lang);
  if (!f) dateFormats.set(lang, (f = new Intl.DateTimeFormat(`${lang}-US`, { dateStyle: 'medium', timeZone: 'UTC' })));
  return f.format(at);
}

/** Items joined as this language joins them, through Intl.ListFormat: "a, b and c", "a, b y c". */
export function formatList(lang: Lang, items: readonly string[], type: 'conjunction' | 'disjunction' | 'unit' = 'conjunction'): string {
  const k = `${lang}:${type}`;
  let f = listFormats.get(k);
  if (!f) listFormats.set(k, (f = new Intl.ListFormat(lang, { style: 'long', type })));
  return f.format(items);
}

const codeLabels = new Map<string, Record<Lang, string> | null>();

/**
 * The label of an enumeration code kept in a record as it was stored (the audit log's summaries): the catalogs'
 * messages named `….<field>.<code>` (a `from` or `to` field holds a status or state). When modules name the same
 * code differently, the recording module's own (`module`, as its actions start) decides; undefined when the
 * catalogs do not name it or it stays ambiguous, and the code is shown as a code.
 */
export function codeLabel(lang: Lang, field: string, code: string, module?: string): string | undefined {
  if (!/^[a-z][a-z0-9_]*$/.test(code)) return undefined;
  const k = `${field}\u0000${code}\u0000${module ?? ''}`;
  let found = codeLabels.get(k);
  if (found === undefined) {
    const families = field === 'from' || field === 'to' ? ['status', 'state'] : [field];
    const all = Object.keys(catalog.en).filter((key) => families.some((f) => key === `${f}.${code}` || key.endsWith(`.${f}.${code}`)));
    const own = all.filter((key) => module && key.startsWith(`${module}.`));
    found = null;
    for (const keys of [all, own]) {
      const texts = new Set(keys.map((key) => `${catalog.en[key]}\u0000${catalog.es[key] ?? catalog.en[key]}`));
      if (texts.size === 1) {
        const [en, es] = [...texts][0].split('\u0000');
        found = { en, es };
        break;
      }
    }
    codeLabels.set(k, found);
  }
  return found?.[lang];
}

defineMessages({
  en: {
    'site.name': 'Taskforce Hub',
    'site.tagline': 'Interagency Task Force to Monitor and Combat Trafficking',
    'skip.main': 'Skip to main content',
    'role.member': 'Member',
    'role.chair': 'Chair or lead',
    'role.analyst': 'Analyst',
    'role.caseworker': 'Case worker (referrals)',
    'role.admin': 'Administrator',
    'quickexit.leave': 'Leave this site',
    'quickexit.hint': 'or press Esc twice',
    'quickexit.hotline': 'Need help now? Trafficking hotline:',
    'nav.menu': 'Menu',
    'nav.close': 'Close',
    'nav.primary': 'Primary navigation',
    'nav.home': 'Home',
    'nav.signin': 'Sign in',
    'nav.signout': 'Sign out',
    'nav.account': 'My account',
    'nav.admin.users': 'Users',
    'nav.admin.audit': 'Audit log',
    'nav.api': 'API',
    'lang.switch': 'Español',
    'lang.switch.label': 'Ver esta página en español',
    'banner.official': 'An official website of the United States government',
    'banner.how': "Here's how you know",
    'footer.hotline.title': 'National Human Trafficking Hotline',
    'footer.hotline.text': 'If you or someone you know may be a victim of human trafficking, get help 24 hours a day, 7 days a week, in more than 200 languages.',
    'footer.hotline.call': 'Call 1-888-373-7888',
    'footer.hotline.sms': 'Text 233733',
    'footer.hotline.tty': 'TTY: 711',
    'footer.emergency': 'In an emergency, call 911.',
    'footer.privacy': 'This site does not ask for or publish personal details of survivors.',
    'footer.api': 'API documentation',
    'form.errors.title': 'Please correct the following',
    'form.required': 'Required',
    'form.save': 'Save',
    'form.cancel': 'Cancel',
    'error.400': 'Some of what was sent is not valid.',
    'error.401': 'Please sign in to see this page.',
    'error.403': 'Your account does not have access to this page. If you think it should, ask an administrator.',
    'error.404': 'We could not find that page. It may have moved, or the address may be mistyped.',
    'error.409': 'Someone else changed this at the same time. Reload the page and try again.',
    'error.429': 'Too many requests. Please wait a minute and try again.',
    'error.500': 'Something went wrong on our side. Please try again later.',
    'error.503': 'The server is busy or this took too long. Please try again in a moment.',
    'error.home': 'Go to the home page',
    'error.code': 'Error {code}',
    'login.title': 'Sign in',
    'login.email': 'E-mail address',
    'login.password': 'Password',
    'login.submit': 'Sign in',
    'login.failed': 'The e-mail address or password is not right, or the account is locked after too many attempts. Try again in {minutes} minutes if so.',
    'login.intro': 'Sign in with the account your administrator gave you.',
    'mfa.title': 'Two-step verification',
    'mfa.code': 'Six-digit code from your authenticator app',
    'mfa.verify': 'Verify',
    'mfa.wrong': 'That code is not right. Use the newest code shown in your app.',
    'mfa.setup.title': 'Set up two-step verification',
    'mfa.setup.required': 'Your role requires two-step verification. Set it up to continue.',
    'mfa.setup.intro': 'Scan the code with an authenticator app, or type the key below into it, then enter the six-digit code it shows.',
    'mfa.setup.key': 'Setup key',
    'mfa.setup.enable': 'Turn on two-step verification',
    'mfa.start.intro': 'Two-step verification asks for a six-digit code from an authenticator app on your phone each time you sign in. Start, and this page shows the key to add to the app.',
    'mfa.start.button': 'Start setting up',
    'mfa.on': 'Two-step verification is on.',
    'mfa.off': 'Two-step verification is off.',
    'mfa.disable': 'Turn off two-step verification',
    'account.title': 'My account',
    'account.sessions': 'Signed-in sessions',
    'account.signout.everywhere': 'Sign out everywhere',
    'account.tokens': 'API tokens',
    'account.tokens.intro': 'Programs use a token instead of a password. A token can do only what its scopes allow and what your role allows.',
    'account.tokens.name': 'Token name',
    'account.tokens.scopes': 'Scopes',
    'account.tokens.expires': 'Expires after (days, optional)',
    'account.tokens.create': 'Create token',
    'account.tokens.created': 'Copy this token now. It will not be shown again:',
    'account.tokens.revoke': 'Revoke',
    'account.tokens.none': 'You have no tokens.',
    'account.sessions.started': 'Started',
    'account.sessions.expires': 'Expires',
    'account.sessions.ip': 'IP address',
    'account.sessions.browser': 'Browser',
    'account.tokens.col.name': 'Name',
    'account.tokens.col.created': 'Created',
    'account.tokens.col.expires': 'Expires',
    'account.tokens.col.used': 'Last used',
    'account.tokens.col.status': 'Status',
    'account.tokens.revoked': 'Revoked',
    'account.role': 'Role',
    'account.org': 'Organization',
    'account.mailLang': 'E-mail language',
    'account.mailLang.en': 'English',
    'account.mailLang.es': 'Spanish (español)',
    'account.mailLang.hint': 'Digests, reminders and notices are written in the language you last used the workspace in.',
    'account.mailLang.switch.es': 'Switch the workspace and your e-mail to Spanish (español)',
    'account.mailLang.switch.en': 'Switch the workspace and your e-mail to English',
    'home.title': 'Working together against human trafficking',
    'home.intro': 'Taskforce Hub is the shared workspace of the President’s Interagency Task Force to Monitor and Combat Trafficking, its Senior Policy Operating Group and committees, and its partnerships.',
    'table.none': 'Nothing to show.',
    'pager.prev': 'Previous',
    'pager.next': 'Next',
    'pager.label': 'Pages',
    'pager.page': 'Page {n}',
  },
  es: {
    'site.name': 'Taskforce Hub',
    'site.tagline': 'Grupo de Trabajo Interinstitucional para Vigilar y Combatir la Trata de Personas',
    'skip.main': 'Saltar al contenido principal',
    'role.member': 'Miembro',
    'role.chair': 'Presidencia o dirección',
    'role.analyst': 'Analista',
    'role.caseworker': 'Gestor(a) de casos (derivaciones)',
    'role.admin': 'Administrador(a)',
    'quickexit.leave': 'Salir de este sitio',
    'quickexit.hint': 'o pulse Esc dos veces',
    'quickexit.hotline': '¿Necesita ayuda ahora? Línea contra la trata:',
    'nav.menu': 'Menú',
    'nav.close': 'Cerrar',
    'nav.primary': 'Navegación principal',
    'nav.home': 'Inicio',
    'nav.signin': 'Iniciar sesión',
    'nav.signout': 'Cerrar sesión',
    'nav.account': 'Mi cuenta',
    'nav.admin.users': 'Usuarios',
    'nav.admin.audit': 'Registro de auditoría',
    'nav.api': 'API',
    'lang.switch': 'English',
    'lang.switch.label': 'View this page in English',
    'banner.official': 'Un sitio oficial del Gobierno de Estados Unidos',
    'banner.how': 'Así es como usted puede verificarlo',
    'footer.hotline.title': 'Línea Nacional contra la Trata de Personas',
    'footer.hotline.text': 'Si usted o alguien que conoce puede ser víctima de la trata de personas, obtenga ayuda las 24 horas del día, los 7 días de la semana, en más de 200 idiomas.',
    'footer.hotline.call': 'Llame al 1-888-373-7888',
    'footer.hotline.sms': 'Envíe un texto al 233733',
    'footer.hotline.tty': 'TTY: 711',
    'footer.emergency': 'En una emergencia, llame al 911.',
    'footer.privacy': 'Este sitio no pide ni publica datos personales de sobrevivientes.',
    'footer.api': 'Documentación de la API',
    'form.errors.title': 'Corrija lo siguiente',
    'form.required': 'Obligatorio',
    'form.save': 'Guardar',
    'form.cancel': 'Cancelar',
    'error.400': 'Parte de lo enviado no es válido.',
    'error.401': 'Inicie sesión para ver esta página.',
    'error.403': 'Su cuenta no tiene acceso a esta página. Si cree que debería tenerlo, consulte a un administrador.',
    'error.404': 'No encontramos esa página. Puede haberse movido o la dirección puede estar mal escrita.',
    'error.409': 'Otra persona cambió esto al mismo tiempo. Vuelva a cargar la página e inténtelo de nuevo.',
    'error.429': 'Demasiadas solicitudes. Espere un minuto e inténtelo de nuevo.',
    'error.500': 'Algo salió mal de nuestro lado. Inténtelo de nuevo más tarde.',
    'error.503': 'El servidor está ocupado o esto tardó demasiado. Inténtelo de nuevo en un momento.',
    'error.home': 'Ir a la página de inicio',
    'error.code': 'Error {code}',
    'login.title': 'Iniciar sesión',
    'login.email': 'Correo electrónico',
    'login.password': 'Contraseña',
    'login.submit': 'Iniciar sesión',
    'login.failed': 'El correo electrónico o la contraseña no son correctos, o la cuenta está bloqueada tras demasiados intentos. En ese caso, inténtelo de nuevo en {minutes} minutos.',
    'login.intro': 'Inicie sesión con la cuenta que le dio su administrador.',
    'mfa.title': 'Verificación en dos pasos',
    'mfa.code': 'Código de seis dígitos de su aplicación de autenticación',
    'mfa.verify': 'Verificar',
    'mfa.wrong': 'Ese código no es correcto. Use el código más reciente de su aplicación.',
    'mfa.setup.title': 'Configurar la verificación en dos pasos',
    'mfa.setup.required': 'Su función requiere la verificación en dos pasos. Configúrela para continuar.',
    'mfa.setup.intro': 'Escanee el código con una aplicación de autenticación, o escriba en ella la clave de abajo, y luego ingrese el código de seis dígitos que muestra.',
    'mfa.setup.key': 'Clave de configuración',
    'mfa.setup.enable': 'Activar la verificación en dos pasos',
    'mfa.start.intro': 'La verificación en dos pasos pide un código de seis dígitos de una aplicación de autenticación en su teléfono cada vez que inicia sesión. Comience, y esta página mostrará la clave que debe agregar a la aplicación.',
    'mfa.start.button': 'Comenzar la configuración',
    'mfa.on': 'La verificación en dos pasos está activada.',
    'mfa.off': 'La verificación en dos pasos está desactivada.',
    'mfa.disable': 'Desactivar la verificación en dos pasos',
    'account.title': 'Mi cuenta',
    'account.sessions': 'Sesiones iniciadas',
    'account.signout.everywhere': 'Cerrar sesión en todas partes',
    'account.tokens': 'Tokens de la API',
    'account.tokens.intro': 'Los programas usan un token en lugar de una contraseña. Un token solo puede hacer lo que permiten sus alcances y su función.',
    'account.tokens.name': 'Nombre del token',
    'account.tokens.scopes': 'Alcances',
    'account.tokens.expires': 'Vence después de (días, opcional)',
    'account.tokens.create': 'Crear token',
    'account.tokens.created': 'Copie este token ahora. No se volverá a mostrar:',
    'account.tokens.revoke': 'Revocar',
    'account.tokens.none': 'No tiene tokens.',
    'account.sessions.started': 'Inicio',
    'account.sessions.expires': 'Vence',
    'account.sessions.ip': 'Dirección IP',
    'account.sessions.browser': 'Navegador',
    'account.tokens.col.name': 'Nombre',
    'account.tokens.col.created': 'Creado',
    'account.tokens.col.expires': 'Vence',
    'account.tokens.col.used': 'Último uso',
    'account.tokens.col.status': 'Estado',
    'account.tokens.revoked': 'Revocado',
    'account.role': 'Función',
    'account.org': 'Organización',
    'account.mailLang': 'Idioma de los correos',
    'account.mailLang.en': 'Inglés (English)',
    'account.mailLang.es': 'Español',
    'account.mailLang.hint': 'Los resúmenes, recordatorios y avisos se escriben en el idioma en que usó el espacio de trabajo por última vez.',
    'account.mailLang.switch.es': 'Cambiar el espacio de trabajo y sus correos a español',
    'account.mailLang.switch.en': 'Cambiar el espacio de trabajo y sus correos a inglés (English)',
    'home.title': 'Trabajando juntos contra la trata de personas',
    'home.intro': 'Taskforce Hub es el espacio de trabajo compartido del Grupo de Trabajo Interinstitucional del Presidente para Vigilar y Combatir la Trata de Personas, su Grupo Operativo de Políticas de Alto Nivel y sus comités, y sus alianzas.',
    'table.none': 'No hay nada que mostrar.',
    'pager.prev': 'Anterior',
    'pager.next': 'Siguiente',
    'pager.label': 'Páginas',
    'pager.page': 'Página {n}',
  },
});
