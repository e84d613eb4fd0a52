/**
 * Screening of free text that describes students' work, so that no e-mail address or telephone number reaches the
 * database: group names, reportback summaries and photo descriptions. Obfuscated forms ("ana at school dot org",
 * "(202) 555-0143", "+1 202 555 0143", "202.555.0143") are caught too. Quantities, years and dates are not numbers
 * anybody dials, so they pass: a phone number needs 7 digits in the 3-4 local shape, or 10 or more digits.
 */

export type Found = 'email' | 'phone';

const AT = String.raw`(?:\s*@\s*|\s*[\[({<]\s*(?:at|arroba)\s*[\])}>]\s*|\s+(?:at|arroba)\s+)`;
const DOT = String.raw`(?:\.|\s*[\[({<]\s*(?:dot|punto)\s*[\])}>]\s*|\s+(?:dot|punto)\s+)`;
const EMAIL = new RegExp(String.raw`[a-z0-9][a-z0-9._%+-]*${AT}[a-z0-9-]+(?:${DOT}[a-z0-9-]+)*${DOT}(?:[a-z]{2,24})\b`, 'i');

// Runs of digits with the separators people put between them: spaces, dots, dashes, slashes, brackets.
const DIGIT_RUN = /\+?\(?\d[\d\s().\/-]{5,}\d/g;

function looksLikePhone(run: string): boolean {
  const digits = run.replace(/\D/g, '');
  if (digits.length >= 10 && digits.length <= 15) {
    // A date such as 2026-09-01 2026-09-30 or a range of years is not a phone number.
    if (/^\d{4}[-/.]\d{2}[-/.]\d{2}/.test(run.trim())) return false;
    return true;
  }
  // A local number: 555-0143, 555 0143, 555.0143
  return digits.length === 7 && /^\d{3}[\s.-]\d{4}$/.test(run.trim());
}

/** The first kind of contact detail found in the text, or null. */
export function findContactDetails(text: string): Found | null {
  if (EMAIL.test(text)) return 'email';
  for (const m of text.matchAll(DIGIT_RUN)) if (looksLikePhone(m[0])) return 'phone';
  // Written-out digits are a phone number too: "two zero two five five five ..."
  const words = text.toLowerCase().match(/\b(zero|one|two|three|four|five|six|seven|eight|nine|cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve)\b/g);
  if (words && words.length >= 7 && /(?:\b(?:zero|one|two|three|four|five|six|seven|eight|nine|cero|uno|dos|tres|cuatro|cinco|seis|siete|ocho|nueve)\b[\s,.-]*){7,}/i.test(text)) return 'phone';
  return null;
}

export const EMAIL_REFUSED = 'must not contain an e-mail address: students take part without giving any contact details';
export const PHONE_REFUSED = 'must not contain a telephone number: students take part without giving any contact details';

/** The field problem for a text, or undefined when it is clean. */
export function screenProblem(text: string | null | undefined): string | undefined {
  if (!text) return undefined;
  const found = findContactDetails(text);
  return found === 'email' ? EMAIL_REFUSED : found === 'phone' ? PHONE_REFUSED : undefined;
}
