// The flow-control stage (kube-apiserver's WithPriorityAndFairness / WithMaxInFlightLimit
// filters), then the capacity model and injected faults: after authentication, before the body
// is read. A rejection is the plain-text 429 the real filters write with http.Error; admitted
// requests hold their seats until the response is done (a watch: until its initial events are
// sent), and every response carries the X-Kubernetes-PF-* headers of its FlowSchema and level.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CapacityProfile } from '../model/capacity/profile.js';
import { meanServiceTimeMs, serviceTimeMs } from '../model/capacity/service-time.js';
import type { Clock } from '../model/clock.js';
import type { FaultDecision, FaultInjector } from '../model/faults/injector.js';
import type { ClusterFlowControl } from '../model/flowcontrol/clusters.js';
import { TOO_MANY_REQUESTS_MESSAGE } from '../model/flowcontrol/too-many-requests.js';
import { HEADER_FLOW_SCHEMA_UID, HEADER_PRIORITY_LEVEL_UID, type Admission, type RequestDigest } from '../model/flowcontrol/types.js';
import type { Rng } from '../model/rng.js';
import type { ObjectCounts } from '../model/store/object-counts.js';
import type { UserInfo } from '../model/user.js';
import type { RequestInfo } from './requestinfo.js';
import { sendStatus } from './respond.js';

export interface FlowControlStage {
  readonly flowControl: ClusterFlowControl;
  readonly capacity: CapacityProfile;
  readonly faults: FaultInjector;
  readonly objectCounts: ObjectCounts;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly requestTimeoutMs: number;
}

/** What the stage hands on: the seat to give back, and a watch fault to apply to the stream. */
export interface Admitted {
  finish(): void;
  readonly watchFault?: FaultDecision['watch'];
}

function digest(info: RequestInfo, user: UserInfo, query: URLSearchParams): RequestDigest {
  const listing = info.verb === 'list' || info.verb === 'watch';
  const limit = listing ? Number(query.get('limit') ?? '') : NaN;
  return {
    user: { name: user.name, groups: user.groups ?? [] },
    verb: info.verb, apiGroup: info.apiGroup, resource: info.resource, subresource: info.subresource,
    namespace: info.namespace, name: info.name, isResourceRequest: info.isResourceRequest, path: info.kubePath, cluster: info.cluster,
    ...(listing ? {
      listOptions: {
        ...(limit > 0 ? { limit } : {}),
        continue: query.get('continue') ?? undefined,
        resourceVersion: query.get('resourceVersion') ?? undefined,
        resourceVersionMatch: query.get('resourceVersionMatch') ?? undefined,
        hasSelector: query.has('labelSelector') || query.has('fieldSelector'),
        sendInitialEvents: query.get('sendInitialEvents') === 'true',
      },
    } : {}),
  };
}

/** ?timeout=30s (a Go duration of s/m/h) caps the deadline, as the apiserver's timeout filter does. */
function requestTimeoutMs(info: RequestInfo, query: URLSearchParams, fallback: number): number | undefined {
  if (info.verb === 'watch') return undefined;
  const m = /^(\d+)(s|m|h)$/.exec(query.get('timeout') ?? '');
  if (!m) return fallback;
  const ms = Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 3_600_000);
  return Math.min(ms, fallback);
}

const sleep = (clock: Clock, ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms));

/**
 * Admits the request or answers it (429, or an injected fault); undefined means the reply is sent.
 */
export async function admit(stage: FlowControlStage, info: RequestInfo, user: UserInfo, query: URLSearchParams,
  req: FastifyRequest, reply: FastifyReply): Promise<Admitted | undefined> {
  const rd = digest(info, user, query);
  const f = stage.flowControl.filter(info.cluster);
  const gone = new AbortController();
  let admission: Admission | Promise<Admission> = f.begin(rd, gone.signal, requestTimeoutMs(info, query, stage.requestTimeoutMs));
  if (admission instanceof Promise) {
    // Queued: a client that goes away takes its request out of the queue.
    const abort = (): void => gone.abort();
    reply.raw.once('close', abort);
    admission = await admission;
    reply.raw.off('close', abort);
  }
  const res = reply.raw;
  if (admission.flowSchema) res.setHeader(HEADER_FLOW_SCHEMA_UID, admission.flowSchema.uid);
  if (admission.priorityLevel) res.setHeader(HEADER_PRIORITY_LEVEL_UID, admission.priorityLevel.uid);
  if (!admission.admitted) {
    reply.code(429).headers({
      'Retry-After': String(admission.retryAfterSeconds), 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff',
    }).send(`${TOO_MANY_REQUESTS_MESSAGE}\n`);
    return undefined;
  }
  const finish = admission.finish.bind(admission);
  if (info.verb !== 'watch') res.once('close', finish);
  const fault = stage.faults.match({
    cluster: info.cluster, verb: info.verb, group: info.apiGroup, resource: info.resource, namespace: info.namespace, name: info.name,
    userAgent: req.headers['user-agent'] ?? '',
  });
  const reading = isRead(info.verb);
  const modeled = serviceTimeMs(stage.capacity, {
    // A read's payload is its response, priced when it is sent (responseDelayMs).
    verb: capacityVerb(info.verb), cluster: info.cluster, bytes: reading ? 0 : Number(req.headers['content-length'] ?? 0),
    objectCount: info.verb === 'list' || info.verb === 'watch' || info.verb === 'deletecollection' ? stage.objectCounts.get(info.cluster, info.apiGroup, info.resource) : 1,
  }, stage.rng);
  const delay = modeled + (fault?.delayMs ?? 0);
  if (delay > 0) await sleep(stage.clock, delay);
  if (fault?.status) {
    if (fault.retryAfterSeconds !== undefined) reply.header('Retry-After', String(fault.retryAfterSeconds));
    sendStatus(reply, fault.status);
    finish();
    return undefined;
  }
  return { finish, ...(fault?.watch ? { watchFault: fault.watch } : {}) };
}

function isRead(verb: string): boolean {
  return verb === 'get' || verb === 'list';
}

/** The profile's per-KiB cost of a read's response body (its mean; the jitter was drawn before). */
export function responseDelayMs(stage: FlowControlStage, info: RequestInfo, bytes: number): number {
  if (!isRead(info.verb) || bytes === 0) return 0;
  const req = { verb: capacityVerb(info.verb), cluster: info.cluster, objectCount: 0 };
  return meanServiceTimeMs(stage.capacity, { ...req, bytes }) - meanServiceTimeMs(stage.capacity, { ...req, bytes: 0 });
}

function capacityVerb(verb: string): 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection' | 'watch' {
  switch (verb) {
    case 'list': case 'create': case 'update': case 'patch': case 'delete': case 'deletecollection': case 'watch': return verb;
    default: return 'get';
  }
}
