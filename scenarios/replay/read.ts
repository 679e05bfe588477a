// Reads a request log for replay: kemu's `--record` lines or a real kube-apiserver audit log
// (audit.k8s.io/v1 Event per line; a webhook batch EventList per line works too).
//   - A request logged at several stages (RequestReceived, ResponseStarted, ResponseComplete)
//     counts once, by its auditID and receive time; its latest stage is kept.
//   - Skipped, and counted by reason: non-resource requests, watches, requests the first server
//     refused (code >= 400, unless includeFailed), requests of the control plane (controllers,
//     scheduler, kubelets: the target runs its own, and replaying theirs would duplicate their
//     objects; unless includeControlPlane), verbs other than get/list/create/update/patch/delete/
//     deletecollection, and writes logged without their body (level Metadata or Request-less).
//   - The rest are ordered by requestReceivedTimestamp, log order breaking ties.
import { open, type FileHandle } from 'node:fs/promises';
import { loadBuiltinCatalog } from '../../model/catalog.js';
import { HUB } from '../../model/clusters.js';
import type { HttpMethod } from '../client/rest.js';
import { cleanBody, PATCH_TYPES, patchContentType } from './bodies.js';

// The annotations server/record.ts writes (scenarios/ does not import server/).
const CLUSTER_ANNOTATION = 'kemu.io/cluster';
const CONTENT_TYPE_ANNOTATION = 'kemu.io/content-type';

export interface ReplayRequest {
  /** 1-based line of the log it came from. */
  readonly line: number;
  /** requestReceivedTimestamp in ms since the epoch (microseconds kept as fractions). */
  readonly atMs: number;
  /** The first server's latency (stageTimestamp of the completed request - received), when logged. */
  readonly recordedMs?: number;
  /** The first server's HTTP code, when logged. */
  readonly recordedCode?: number;
  /** The recorded cluster (before --map-clusters). */
  readonly cluster: string;
  /** get, list, create, update, patch, apply, delete, deletecollection. */
  readonly verb: string;
  readonly method: HttpMethod;
  /** The kube path, without any /clusters/<name> prefix. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Metrics label: `configmaps`, `deployments.apps`, `pods/status`. */
  readonly resource: string;
  /** group/resource/namespace/name within the cluster; '' for requests on no one object (lists). */
  readonly objectKey: string;
  /** The namespace the request is in: '' for cluster-scoped ones; a Namespace's own name for it. */
  readonly namespace: string;
  /** Whether later requests in `namespace` must wait for it, and it for earlier ones (namespace writes, deletecollection). */
  readonly barrier: boolean;
  readonly body?: unknown;
  readonly contentType?: string;
}

export interface ReplayLog {
  readonly requests: readonly ReplayRequest[];
  /** Non-empty lines read. */
  readonly lines: number;
  /** Distinct requests in the log (stages of one request counted once). */
  readonly logged: number;
  readonly skipped: Readonly<Record<string, number>>;
}

export interface ReadOptions {
  readonly includeFailed?: boolean;
  readonly includeControlPlane?: boolean;
}

export interface LogError {
  readonly error: string;
}

type Obj = Record<string, unknown>;

const VERBS: Readonly<Record<string, HttpMethod>> = {
  get: 'GET', list: 'GET', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETE',
};
const WRITES = new Set(['create', 'update', 'patch']);
// Later stages win: the completed request knows its code and latency.
const STAGE_RANK: Readonly<Record<string, number>> = { RequestReceived: 1, ResponseStarted: 2, Panic: 3, ResponseComplete: 3 };
// Replayed from the start of the list each time: a continue token or resourceVersion of the
// first server means nothing to the target.
const DROPPED_QUERY = new Set(['resourceVersion', 'resourceVersionMatch', 'continue', 'watch', 'allowWatchBookmarks', 'sendInitialEvents']);
const CONTROL_PLANE_USERS = new Set(['system:kube-controller-manager', 'system:kube-scheduler', 'system:apiserver', 'system:kube-proxy']);

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(o: Obj, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

function isControlPlaneUser(name: string): boolean {
  return CONTROL_PLANE_USERS.has(name) || name.startsWith('system:node:') || name.startsWith('system:serviceaccount:kube-system:');
}

interface Chosen {
  readonly event: Obj;
  readonly line: number;
  readonly rank: number;
  readonly order: number;
}

/** Reads and classifies a log; a line that is not an audit Event is an error naming its line. */
export async function readLog(path: string, opts: ReadOptions = {}): Promise<ReplayLog | LogError> {
  const byRequest = new Map<string, Chosen>();
  let lineNo = 0;
  let lines = 0;
  let order = 0;
  let file: FileHandle;
  try {
    file = await open(path);
  } catch (e) {
    return { error: `cannot read ${path}: ${(e as Error).message}` };
  }
  try {
    for await (const text of file.readLines({ encoding: 'utf8' })) {
      lineNo++;
      if (text.trim() === '') continue;
      lines++;
      let doc: unknown;
      try {
        doc = JSON.parse(text);
      } catch (e) {
        return { error: `${path}:${lineNo}: not JSON: ${(e as Error).message}` };
      }
      const events = isObject(doc) && doc.kind === 'EventList' && Array.isArray(doc.items) ? doc.items : [doc];
      for (const ev of events) {
        const bad = eventProblem(ev);
        if (bad) return { error: `${path}:${lineNo}: ${bad}` };
        const e = ev as Obj;
        const key = `${str(e, 'auditID')}\n${str(e, 'requestReceivedTimestamp')}`;
        const rank = STAGE_RANK[str(e, 'stage') ?? ''] ?? 0;
        const had = byRequest.get(key);
        if (!had || rank > had.rank) byRequest.set(key, { event: e, line: lineNo, rank, order: had?.order ?? order++ });
      }
    }
  } finally {
    await file.close();
  }
  const skipped: Record<string, number> = {};
  const requests: Array<ReplayRequest & { readonly order: number }> = [];
  for (const c of byRequest.values()) {
    const r = toRequest(c, opts);
    if (typeof r === 'string') skipped[r] = (skipped[r] ?? 0) + 1;
    else requests.push({ ...r, order: c.order });
  }
  requests.sort((a, b) => a.atMs - b.atMs || a.order - b.order);
  return { requests: requests.map(({ order: _order, ...r }) => r), lines, logged: byRequest.size, skipped };
}

function eventProblem(ev: unknown): string | undefined {
  if (!isObject(ev)) return 'not a JSON object';
  if (ev.kind !== 'Event' || typeof ev.apiVersion !== 'string' || !ev.apiVersion.startsWith('audit.k8s.io/')) {
    return `not an audit.k8s.io Event (kind ${JSON.stringify(ev.kind)}, apiVersion ${JSON.stringify(ev.apiVersion)})`;
  }
  for (const f of ['auditID', 'stage', 'requestURI', 'verb', 'requestReceivedTimestamp']) {
    if (typeof ev[f] !== 'string' || ev[f] === '') return `audit Event without ${f}`;
  }
  if (Number.isNaN(parseMicroTime(ev.requestReceivedTimestamp as string))) return `requestReceivedTimestamp ${JSON.stringify(ev.requestReceivedTimestamp)} is not an RFC 3339 time`;
  return undefined;
}

/** RFC 3339 to ms since the epoch, keeping the microseconds audit logs write. */
function parseMicroTime(s: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return NaN;
  return Date.parse(m[1] + m[3]) + (m[2] ? Number(m[2]) * 1000 : 0);
}

function toRequest(c: Chosen, opts: ReadOptions): ReplayRequest | string {
  const e = c.event;
  const ref = isObject(e.objectRef) ? e.objectRef : undefined;
  const uri = str(e, 'requestURI') as string;
  const q = uri.indexOf('?');
  let path = q < 0 ? uri : uri.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : uri.slice(q + 1));
  const annotations = isObject(e.annotations) ? e.annotations : {};
  let cluster = str(annotations, CLUSTER_ANNOTATION);
  const prefixed = /^\/clusters\/([^/]+)(\/.*)$/.exec(path);
  if (prefixed) {
    cluster ??= decodeURIComponent(prefixed[1]);
    path = prefixed[2];
  }
  const resource = ref ? str(ref, 'resource') : undefined;
  if (!ref || !resource || !/^\/apis?\//.test(path)) return 'non-resource';
  const verb = str(e, 'verb') as string;
  if (verb === 'watch' || query.get('watch') === 'true' || query.get('watch') === '1') return 'watch';
  const status = isObject(e.responseStatus) && typeof e.responseStatus.code === 'number' ? e.responseStatus.code : undefined;
  if (status !== undefined && status >= 400 && !opts.includeFailed) return 'failed';
  const user = isObject(e.user) ? str(e.user, 'username') ?? '' : '';
  if (!opts.includeControlPlane && isControlPlaneUser(user)) return 'control-plane';
  const method = VERBS[verb];
  if (!method) return 'unsupported verb';
  const raw = e.requestObject;
  if (WRITES.has(verb) && raw === undefined) return 'no request body';

  const group = str(ref, 'apiGroup') ?? '';
  const version = str(ref, 'apiVersion') ?? '';
  const subresource = str(ref, 'subresource') ?? '';
  const refNs = str(ref, 'namespace') ?? '';
  const body = raw === undefined ? undefined : cleanBody(raw);
  const bodyMeta = isObject(raw) && isObject(raw.metadata) ? raw.metadata : {};
  const name = str(ref, 'name') ?? (verb === 'create' ? str(bodyMeta, 'name') ?? '' : '');
  const isNamespace = group === '' && resource === 'namespaces';
  const namespace = isNamespace ? name : refNs;
  const plainQuery: Record<string, string> = {};
  for (const [k, v] of query) if (!DROPPED_QUERY.has(k)) plainQuery[k] = v;
  let contentType = raw === undefined ? undefined : str(annotations, CONTENT_TYPE_ANNOTATION);
  if (verb === 'patch' && contentType === undefined) {
    contentType = patchContentType(raw, plainQuery, loadBuiltinCatalog().lookup(group, version, resource) !== undefined);
  }
  const apply = verb === 'patch' && contentType?.split(';')[0].trim() === PATCH_TYPES.apply;
  const received = parseMicroTime(str(e, 'requestReceivedTimestamp') as string);
  const completed = str(e, 'stage') === 'ResponseComplete' ? parseMicroTime(str(e, 'stageTimestamp') ?? '') : NaN;
  return {
    line: c.line, atMs: received, cluster: cluster ?? HUB,
    ...(Number.isNaN(completed) ? {} : { recordedMs: completed - received }),
    ...(status !== undefined ? { recordedCode: status } : {}),
    verb: apply ? 'apply' : verb, method, path, query: plainQuery,
    resource: `${group === '' ? resource : `${resource}.${group}`}${subresource ? `/${subresource}` : ''}`,
    objectKey: name ? `${group}/${resource}/${refNs}/${name}` : '',
    namespace,
    barrier: (isNamespace && name !== '' && verb !== 'get') || verb === 'deletecollection',
    ...(body !== undefined ? { body } : {}),
    ...(body !== undefined ? { contentType: contentType ?? 'application/json' } : {}),
  };
}
