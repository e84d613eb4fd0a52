/** One field-level complaint, named so that a form can show it beside the input. */
export interface FieldError {
  field: string;
  message: string;
}

/** An error that becomes an RFC 9457 problem (API) or an error page (HTML) with its status. */
export class HttpError extends Error {
  constructor(
    public readonly status: number,
    public readonly title: string,
    public readonly detail?: string,
    public readonly errors: FieldError[] = [],
  ) {
    super(detail ?? title);
  }
}

export const badRequest = (errors: FieldError[], detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ')) =>
  new HttpError(400, 'Invalid input', detail, errors);
/** Collects field problems so that one answer names every bad field at once (the first problem per field). */
export class Problems {
  list: FieldError[] = [];
  add(field: string, message: string) {
    if (!this.list.some((e) => e.field === field)) this.list.push({ field, message });
  }
  throwIfAny() {
    if (this.list.length) throw badRequest(this.list);
  }
}

export const fieldError = (field: string, message: string) => badRequest([{ field, message }]);
export const unauthorized = (detail = 'Sign in to continue.') => new HttpError(401, 'Not signed in', detail);
export const forbidden = (detail = 'Your role does not allow this.') => new HttpError(403, 'Not allowed', detail);
export const notFound = (detail = 'Nothing was found at this address.') => new HttpError(404, 'Not found', detail);
export const conflict = (detail: string) => new HttpError(409, 'Conflict', detail);

export const STATUS_TITLES: Record<number, string> = {
  400: 'Invalid input',
  401: 'Not signed in',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Something went wrong',
  503: 'Service unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

export function problem(status: number, title: string, detail?: string, errors?: FieldError[], instance?: string): Problem {
  const p: Problem = { type: 'about:blank', title, status };
  if (detail) p.detail = detail;
  if (instance) p.instance = instance;
  if (errors && errors.length) p.errors = errors;
  return p;
}
