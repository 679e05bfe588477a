// ListOptions as kube-apiserver validates them (apimachinery pkg/apis/meta/internalversion/
// validation), and the continue token format of apiserver pkg/storage/continue.go.
import { badRequest, invalid, type FieldError, type Status } from '../status.js';

export interface ListOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  readonly resourceVersionMatch?: string;
}

export interface WatchOptions extends ListOptions {
  readonly allowWatchBookmarks?: boolean;
  readonly sendInitialEvents?: boolean;
}

export interface ContinueToken {
  /** Store resourceVersion of the first page. */
  readonly rv: number;
  /** Key, relative to the listed collection, of the last item returned. */
  readonly start: string;
  /**
   * Items before `start` in the snapshot, so later pages know remainingItemCount without
   * counting again. kemu's own field; clients treat the token as opaque.
   */
  readonly pos?: number;
}

export function validateListOptions(o: WatchOptions, watch: boolean): Status | undefined {
  const errs: FieldError[] = [];
  const match = o.resourceVersionMatch;
  if (match) {
    if (!watch && o.sendInitialEvents !== undefined) {
      errs.push({ type: 'FieldValueForbidden', field: 'sendInitialEvents', detail: 'sendInitialEvents is forbidden for list' });
    }
    if (!o.resourceVersion && !(watch && o.sendInitialEvents)) {
      errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden unless resourceVersion is provided' });
    }
    if (o.continue) {
      errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden when continue is provided' });
    }
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      errs.push({ type: 'FieldValueNotSupported', field: 'resourceVersionMatch', value: match, detail: 'supported values: "Exact", "NotOlderThan", ""' });
    }
    if (match === 'Exact' && o.resourceVersion === '0') {
      errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"' });
    }
    if (watch && !o.sendInitialEvents) {
      errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided' });
    }
  } else if (watch && o.sendInitialEvents) {
    errs.push({ type: 'FieldValueForbidden', field: 'sendInitialEvents', detail: 'sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to "NotOlderThan"' });
  } else if (!watch && o.sendInitialEvents !== undefined) {
    errs.push({ type: 'FieldValueForbidden', field: 'sendInitialEvents', detail: 'sendInitialEvents is forbidden for list' });
  }
  if (errs.length) return invalid('ListOptions', 'meta.k8s.io', '', errs);
  if (o.continue && o.resourceVersion && o.resourceVersion !== '0') {
    return badRequest('specifying resource version is not allowed when using continue');
  }
  return undefined;
}

// etcd revisions are uint64 (strconv.ParseUint(rv, 10, 64)): anything wider does not parse.
const MAX_RESOURCE_VERSION = 0xffff_ffff_ffff_ffffn;

export function parseResourceVersion(rv: string): number | Status {
  if (!/^\d+$/.test(rv) || BigInt(rv) > MAX_RESOURCE_VERSION) return badRequest(`invalid resource version: ${rv}`);
  return Number(rv);
}

export function encodeContinue(t: ContinueToken): string {
  const body: Record<string, unknown> = { v: 'meta.k8s.io/v1', rv: t.rv, start: `${t.start}\u0000` };
  if (t.pos !== undefined) body.pos = t.pos;
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken | Status {
  const bad = (why: string) => badRequest(`invalid continue token: ${why}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return bad('continue key is not valid: illegal base64 data or JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) return bad('continue key is not valid');
  const { v, rv, start, pos } = parsed as { v?: unknown; rv?: unknown; start?: unknown; pos?: unknown };
  if (v !== 'meta.k8s.io/v1') return bad('continue key is not valid: server does not recognize this encoded version');
  if (typeof rv !== 'number' || !Number.isInteger(rv) || rv < 0) return bad('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof start !== 'string' || start.length === 0) return bad('continue key is not valid: encoded start key empty');
  if (start.includes('..') || start.startsWith('/')) return bad('continue key is not valid: path traversal');
  const position = typeof pos === 'number' && Number.isInteger(pos) && pos >= 0 ? pos : undefined;
  return { rv, start: start.endsWith('\u0000') ? start.slice(0, -1) : start, pos: position };
}
