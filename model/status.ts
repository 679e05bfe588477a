// Expected failures are values of this one type; the HTTP edge turns them into metav1.Status
// responses. Messages and reasons follow k8s.io/apimachinery/pkg/api/errors/errors.go.

export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'MethodNotAllowed' | 'NotAcceptable'
  | 'AlreadyExists' | 'Conflict' | 'Gone' | 'Expired' | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType' | 'Invalid' | 'TooManyRequests' | 'InternalError' | 'Timeout'
  | 'ServiceUnavailable' | '';

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

/** A failed outcome, as kube-apiserver would report it. */
export class Status {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    readonly message: string,
    readonly details?: StatusDetails,
    /** ListMeta.continue, for a 410 that offers the rest of a list at a newer state. */
    readonly continueToken?: string,
  ) {}

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      kind: 'Status', apiVersion: 'v1', metadata: this.continueToken ? { continue: this.continueToken } : {},
      status: 'Failure', message: this.message,
    };
    if (this.reason) out.reason = this.reason;
    if (this.details) out.details = this.details;
    out.code = this.code;
    return out;
  }
}

export function isStatus(v: unknown): v is Status {
  return v instanceof Status;
}

/** A group-qualified resource as error messages print it: `deployments.apps`, `configmaps`. */
export interface GroupResource {
  readonly group: string;
  readonly resource: string;
}

export function qualified(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

function details(gr: GroupResource, name: string, extra?: Partial<StatusDetails>): StatusDetails {
  return { ...(name ? { name } : {}), ...(gr.group ? { group: gr.group } : {}), kind: gr.resource, ...extra };
}

export function notFound(gr: GroupResource, name: string): Status {
  return new Status(404, 'NotFound', `${qualified(gr)} "${name}" not found`, details(gr, name));
}

export function alreadyExists(gr: GroupResource, name: string): Status {
  return new Status(409, 'AlreadyExists', `${qualified(gr)} "${name}" already exists`, details(gr, name));
}

export const OPTIMISTIC_LOCK_MESSAGE =
  'the object has been modified; please apply your changes to the latest version and try again';

export function conflict(gr: GroupResource, name: string, why: string): Status {
  return new Status(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(gr)} "${name}": ${why}`,
    details(gr, name));
}

export function forbidden(gr: GroupResource, name: string, why: string, causes?: StatusCause[]): Status {
  const subject = name ? `${qualified(gr)} "${name}"` : qualified(gr);
  return new Status(403, 'Forbidden', `${subject} is forbidden: ${why}`,
    details(gr, name, causes ? { causes } : undefined));
}

export function badRequest(message: string): Status {
  return new Status(400, 'BadRequest', message);
}

export function methodNotAllowed(verb: string, gr: GroupResource): Status {
  return new Status(405, 'MethodNotAllowed',
    `${verb} is not supported on resources of kind "${qualified(gr)}"`, details(gr, ''));
}

export function unauthorized(): Status {
  return new Status(401, 'Unauthorized', 'Unauthorized');
}

export function expired(message: string): Status {
  return new Status(410, 'Expired', message);
}

export function tooLarge(limit: number): Status {
  return new Status(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

export function unsupportedMediaType(accepted: readonly string[]): Status {
  return new Status(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

export function notAcceptable(accepted: readonly string[]): Status {
  return new Status(406, 'NotAcceptable', `only the following media types are accepted: ${accepted.join(', ')}`);
}

export function internalError(err: string): Status {
  return new Status(500, 'InternalError', `Internal error occurred: ${err}`, { causes: [{ reason: '', message: err }] });
}

/** One field error, as k8s.io/apimachinery/pkg/util/validation/field renders it. */
export interface FieldError {
  readonly type: FieldErrorType;
  readonly field: string;
  readonly value?: unknown;
  readonly detail?: string;
}

export type FieldErrorType =
  | 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueTypeInvalid' | 'FieldValueNotSupported' | 'FieldValueForbidden'
  | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueDuplicate' | 'FieldValueNotFound';

const FIELD_TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueNotFound: 'Not found',
};

// Required, Forbidden and TooLong print no value (field.Error.ErrorBody).
const OMITS_VALUE = new Set<FieldErrorType>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong']);

function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function fieldErrorBody(e: FieldError): string {
  let s = FIELD_TYPE_TEXT[e.type];
  if (!OMITS_VALUE.has(e.type) && 'value' in e) s += `: ${goValue(e.value)}`;
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

/** 422 Invalid, with one cause per field error (NewInvalid). */
export function invalid(kind: string, group: string, name: string, errs: readonly FieldError[]): Status {
  const texts = errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  const joined = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const causes = errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
  return new Status(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`,
    { ...(name ? { name } : {}), ...(group ? { group } : {}), kind, causes });
}

/** A 409 that is not about one object (e.g. a cluster that exists already). */
export function new409(message: string): Status {
  return new Status(409, 'AlreadyExists', message);
}

/** A 422 that is not a list of field errors (e.g. a failed JSON patch). */
export function new422(message: string): Status {
  return new Status(422, 'Invalid', message);
}
