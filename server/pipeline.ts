// The one way through, in kube-apiserver's order (DefaultBuildHandlerChain):
//   route (RequestInfo) -> authenticate -> flow control -> handler -> registry -> store -> response.
// Authentication runs in onRequest, before the body is read, so an unauthenticated client costs
// no body parsing. Every failure leaves as a metav1.Status.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clusters } from '../model/clusters.js';
import type { ControllerSwitches } from '../model/lifecycle/switches.js';
import type { ClusterCatalogs } from '../model/crd/catalogs.js';
import { SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS, serviceUnavailable } from '../model/faults/statuses.js';
import { internalError, isStatus, tooLarge } from '../model/status.js';
import type { UserInfo } from '../model/user.js';
import { serveAdmin } from './admin.js';
import type { Authenticator } from './authn.js';
import { decodeBody } from './body.js';
import type { DiscoveryDocuments } from './discovery.js';
import { healthAnswer, singleCheckAnswer, type HealthChecks, type HealthEndpoint } from './health.js';
import { admit, responseDelayMs, type Admitted, type FlowControlStage } from './flow-control.js';
import type { ResourceHandlers, ResourceRequest } from './handlers.js';
import type { HttpAnswer } from './http-answer.js';
import { metricVerb, type ApiserverMetrics, type RequestLabels } from './metrics.js';
import type { OpenAPIDocuments } from './openapi.js';
import type { RequestRecorder } from './record.js';
import { parseRequestInfo, type RequestInfo } from './requestinfo.js';
import { sendStatus, sendText } from './respond.js';

export interface PipelineDeps {
  readonly authenticator: Authenticator;
  readonly clusters: Clusters;
  readonly catalogs: ClusterCatalogs;
  /** The discovery documents of a cluster's catalog. */
  discovery(cluster: string): DiscoveryDocuments;
  readonly openapi: OpenAPIDocuments;
  readonly metrics: ApiserverMetrics;
  readonly handlers: ResourceHandlers;
  readonly version: Readonly<Record<string, string>>;
  readonly maxRequestBodyBytes: number;
  readonly flow: FlowControlStage;
  readonly switches: ControllerSwitches;
  readonly health: HealthChecks;
  /** True once a graceful shutdown began: requests other than health checks get 503. */
  shuttingDown(): boolean;
  /** `--record`: every served request as an audit event. */
  readonly recorder?: RequestRecorder;
}

interface RequestState {
  info: RequestInfo;
  query: URLSearchParams;
  user?: UserInfo;
  /** Set once flow control admitted the request. */
  admitted?: Admitted;
}

const ADMIN_PREFIX = '/kemu/';
const APF_DEBUG = '/debug/api_priority_and_fairness/';

declare module 'fastify' {
  interface FastifyRequest {
    kemu: RequestState | null;
  }
}

// Readable without credentials, as system:public-info-viewer allows.
const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);
const HEALTH_ENDPOINTS: readonly HealthEndpoint[] = ['healthz', 'livez', 'readyz'];
// kube-apiserver's request id (filters/with_auditid.go WithAuditInit), echoed on every response.
const AUDIT_ID_HEADER = 'Audit-Id';

export function installPipeline(app: FastifyInstance, deps: PipelineDeps): void {
  app.decorateRequest('kemu', null);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: deps.maxRequestBodyBytes }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    // On the raw response, so that streamed watches and plain-text answers carry it too.
    reply.raw.setHeader(AUDIT_ID_HEADER, req.id);
    const url = req.raw.url ?? '/';
    const q = url.indexOf('?');
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const info = parseRequestInfo(req.method, q < 0 ? url : url.slice(0, q), query);
    const state: RequestState = { info, query };
    req.kemu = state;
    observe(deps.metrics, req, reply, state);
    deps.recorder?.begin(req, reply, state);
    if (PUBLIC_PATHS.has(info.kubePath)) return;
    // A request that arrives on an open connection while the server drains (filters/waitgroup.go).
    if (deps.shuttingDown()) {
      reply.header('Retry-After', String(SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS));
      return sendStatus(reply, serviceUnavailable());
    }
    const user = deps.authenticator.authenticate(req.headers.authorization ?? webSocketBearer(req.headers['sec-websocket-protocol']));
    if (isStatus(user)) return sendStatus(reply, user);
    state.user = user;
    // The admin API is kemu's own, not a cluster's: it takes no cluster's seats.
    if ((info.clusterPrefix === '' && info.kubePath.startsWith(ADMIN_PREFIX)) || !deps.clusters.has(info.cluster)) return;
    const admitted = await admit(deps.flow, info, user, state.query, req, reply);
    if (!admitted) return reply;
    state.admitted = admitted;
  });

  // Reads are priced by the size of what they send, which is known only now; a profile that
  // does not price it (none) adds no hook to every response.
  const { verbs } = deps.flow.capacity;
  if (verbs.get.perKiBMs > 0 || verbs.list.perKiBMs > 0) {
    app.addHook('onSend', async (req, _reply, payload) => {
      const state = req.kemu;
      if (!state?.admitted || !(payload instanceof Buffer || typeof payload === 'string')) return payload;
      const ms = responseDelayMs(deps.flow, state.info, Buffer.byteLength(payload));
      if (ms > 0) await new Promise<void>((resolve) => deps.flow.clock.setTimeout(resolve, ms));
      return payload;
    });
  }

  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, _req, reply) => {
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendStatus(reply, tooLarge(deps.maxRequestBodyBytes));
    if (err.statusCode && err.statusCode < 500) {
      return sendText(reply, err.statusCode, err.message);
    }
    reply.log.error(err);
    return sendStatus(reply, internalError(err.message));
  });

  const handler = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const state = req.kemu;
    if (!state) return sendStatus(reply, internalError('request info missing'));
    const { info } = state;
    const publicAnswer = servePublic(info, state.query, deps.version, deps.health);
    if (publicAnswer) return sendAnswer(reply, publicAnswer);
    const user = state.user;
    if (!user) return sendStatus(reply, internalError('unauthenticated request reached the handler'));
    const check = singleCheck(info.kubePath, deps.health);
    if (check) return sendAnswer(reply, check);
    if (info.clusterPrefix === '') {
      const admin = await serveAdmin({ clusters: deps.clusters, faults: deps.flow.faults, switches: deps.switches }, req.method, info.kubePath, user, req.body ? decodeBody(req.body as Buffer, req.headers['content-type']) : undefined);
      if (admin) return isStatus(admin) ? sendStatus(reply, admin) : sendAnswer(reply, admin);
      if (info.kubePath === '/metrics') {
        return reply.header('Content-Type', deps.metrics.registry.contentType).send(await deps.metrics.scrape());
      }
    }
    if (!deps.clusters.has(info.cluster)) return sendText(reply, 404, '404 page not found');
    if (!info.isResourceRequest && info.kubePath.startsWith(APF_DEBUG)) {
      const dump = info.kubePath === `${APF_DEBUG}dump_priority_levels` ? deps.flow.flowControl.dumpPriorityLevels(info.cluster)
        : info.kubePath === `${APF_DEBUG}dump_queues` ? deps.flow.flowControl.dumpQueues(info.cluster) : undefined;
      return dump === undefined ? sendText(reply, 404, '404 page not found') : sendText(reply, 200, dump);
    }
    if (!info.isResourceRequest) {
      const accept = req.headers.accept;
      const inm = req.headers['if-none-match'];
      const answer = deps.discovery(info.cluster).respond(info.kubePath, accept, inm)
        ?? deps.openapi.respond(info.kubePath, state.query, accept, inm, info.clusterPrefix, deps.catalogs.forCluster(info.cluster));
      if (answer) return sendAnswer(reply, answer);
      return sendText(reply, 404, '404 page not found');
    }
    const r = resourceRequest(deps, req, state, user);
    if (!r) return sendText(reply, 404, '404 page not found');
    try {
      return await deps.handlers.handle(r, reply);
    } finally {
      // A watch holds its seats only while it sends its initial events.
      if (info.verb === 'watch') {
        state.admitted?.finish();
        deps.recorder?.started(req, reply.raw.statusCode);
      }
    }
  };
  app.route({ method: ['HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], url: '/*', handler });
  app.route({
    method: 'GET',
    url: '/*',
    handler,
    // A watch asked for with a WebSocket upgrade; authentication ran in onRequest as for HTTP.
    wsHandler: (socket, req) => {
      const state = req.kemu;
      const r = state?.user && deps.clusters.has(state.info.cluster) && state.info.isResourceRequest
        ? resourceRequest(deps, req, state, state.user) : undefined;
      if (!r) {
        socket.close(1008, 'not a watchable resource path');
        return;
      }
      deps.recorder?.started(req, 101);
      void deps.handlers.handleWebSocket(r, socket).finally(() => state?.admitted?.finish());
    },
  });
}

function resourceRequest(deps: PipelineDeps, req: FastifyRequest, state: RequestState, user: UserInfo): ResourceRequest | undefined {
  const { info } = state;
  const rt = deps.catalogs.forCluster(info.cluster).lookup(info.apiGroup, info.apiVersion, info.resource);
  if (!rt) return undefined;
  return {
    info, rt, scope: { cluster: info.cluster, user }, query: state.query,
    body: req.body as Buffer | undefined, contentType: req.headers['content-type'], accept: req.headers.accept,
    userAgent: req.headers['user-agent'],
    ...(state.admitted?.watchFault ? { watchCut: state.admitted.watchFault } : {}),
  };
}

// Browsers cannot set headers on a WebSocket; kube-apiserver takes the bearer token from a
// `base64url.bearer.authorization.k8s.io.<token>` subprotocol (authentication/request/websocket).
export const WS_BEARER_PREFIX = 'base64url.bearer.authorization.k8s.io.';

function webSocketBearer(protocols: string | undefined): string | undefined {
  if (!protocols) return undefined;
  for (const p of protocols.split(',')) {
    const t = p.trim();
    if (t.startsWith(WS_BEARER_PREFIX)) return `Bearer ${Buffer.from(t.slice(WS_BEARER_PREFIX.length), 'base64url').toString('utf8')}`;
  }
  return undefined;
}

function sendAnswer(reply: FastifyReply, a: HttpAnswer): FastifyReply {
  reply.code(a.statusCode).headers(a.headers);
  // A 304 carries no body and so no Content-Type: client-go's HTTP cache merges the 304's
  // headers into the cached response, and a stray type would change how it is parsed.
  return a.statusCode === 304 ? reply.send() : reply.send(a.body);
}

function servePublic(info: RequestInfo, query: URLSearchParams, version: Readonly<Record<string, string>>, health: HealthChecks): HttpAnswer | undefined {
  if (info.kubePath === '/version') {
    return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(version, null, 2)) };
  }
  const endpoint = HEALTH_ENDPOINTS.find((e) => info.kubePath === `/${e}`);
  return endpoint ? healthAnswer(endpoint, health.of(endpoint), query) : undefined;
}

/** `/healthz/etcd` and the like: one check of an endpoint. */
function singleCheck(path: string, health: HealthChecks): HttpAnswer | undefined {
  const [, endpoint, ...rest] = path.split('/');
  const name = rest.join('/');
  const e = HEALTH_ENDPOINTS.find((x) => x === endpoint);
  return e && name ? singleCheckAnswer(health.of(e).find((c) => c.name === name)) : undefined;
}

function scopeOf(info: RequestInfo): string {
  if (!info.isResourceRequest) return '';
  if (info.name) return 'resource';
  if (info.namespace && info.resource !== 'namespaces') return 'namespace';
  return 'cluster';
}

/** Records apiserver_request_total / _duration_seconds / inflight when the response closes. */
function observe(metrics: ApiserverMetrics, req: FastifyRequest, reply: FastifyReply, state: RequestState): void {
  const started = process.hrtime.bigint();
  const { info } = state;
  const longRunning = info.verb === 'watch';
  const labels: RequestLabels = {
    verb: metricVerb(info.verb, req.headers['content-type']),
    dry_run: state.query.has('dryRun') ? 'All' : '',
    group: info.apiGroup, version: info.apiVersion, resource: info.resource, subresource: info.subresource,
    scope: scopeOf(info), component: 'apiserver', cluster: info.cluster,
  };
  const lr = { verb: labels.verb, group: labels.group, version: labels.version, resource: labels.resource, subresource: labels.subresource, scope: labels.scope, component: 'apiserver', cluster: labels.cluster };
  if (longRunning) metrics.longrunning.inc(lr);
  reply.raw.once('close', () => {
    if (longRunning) metrics.longrunning.dec(lr);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (longRunning) metrics.requestTotal.inc({ ...labels, code: String(reply.raw.statusCode) });
    else metrics.observeRequest(labels, reply.raw.statusCode, seconds);
  });
}

