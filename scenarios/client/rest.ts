// A REST client for one cluster that behaves like client-go's rest.Request:
//   - a client-side token bucket (rest.Config QPS/Burst, default 5/10) taken before every
//     attempt, retries included (request.go tryThrottle; with_retry.go Before);
//   - retries driven by Retry-After (with_retry.go IsNextRetry/checkWait): a 429 or any 5xx that
//     carries `Retry-After: N` waits N seconds and tries again, up to maxRetries (10); a 5xx
//     without it is final, as in client-go;
//   - a GET whose connection broke (reset, EOF) is retried as if answered `500 Retry-After: 1`
//     (request.go isErrRetryableFunc); other verbs are not, as their effect is unknown.
// Additions, off unless asked: `serverErrorBackoff` retries GETs answered 5xx without Retry-After
// with exponential backoff (client-go only slows such hosts down with its opt-in URLBackoff).
// Connections: one undici Pool per origin and TLS setup in a Transport shared by all clients of
// that origin, as client-go's transport cache shares one http.Transport among clientsets with the
// same TLS config; so thousands of kemu spokes behind one URL share its sockets.

import type { IncomingHttpHeaders } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { realClock, type Clock } from '../../model/clock.js';
import { DEFAULTS } from '../../model/defaults.js';
import { TokenBucketRateLimiter } from '../../model/workqueue/token-bucket.js';
import type { ClientMetrics } from './metrics.js';
import { collectionPath, objectPath, type ResourceRef } from './resource.js';
import { sleep } from './sleep.js';
import type { Connection, Target } from './target.js';
import {
  BROKEN_CONNECTION, defaultUserAgent, encodeBody, errorCode, NO_HEADERS, parseBody, queryString, retryAfterSeconds, statusReason,
  watchEvents, type Query, type WatchEvent,
} from './wire.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RestRequest {
  /** Kubernetes verb for the metrics: get, list, create, update, patch, apply, delete, watch… */
  readonly verb: string;
  /** Metrics label: `pods`, `deployments.apps` (ResourceRef.label). */
  readonly resource: string;
  readonly method: HttpMethod;
  /** The Kubernetes path (`/api/v1/…`); the cluster's prefix is added. */
  readonly path: string;
  readonly query?: Query;
  /** An object is sent as JSON; a string or bytes as they are. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly signal?: AbortSignal;
  /** Read a 2xx answer's body but do not parse it (body: undefined); saves JSON.parse on the hot path. */
  readonly discardBody?: boolean;
}

export interface RestResult {
  /** The final answer's HTTP status; 0 when no answer came (transport error or abort). */
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** Parsed JSON when the answer is JSON, else its text; undefined for status 0 or discardBody. */
  readonly body: unknown;
  readonly retries: number;
  /** The transport error's code and message, for status 0. */
  readonly error?: string;
}

export type WatchStart =
  | { readonly ok: true; readonly events: AsyncIterable<WatchEvent>; readonly retries: number }
  | { readonly ok: false; readonly response: RestResult };


/** What the client needs of a rate limiter: TokenBucketRateLimiter's reserve(). */
export interface RateLimiter {
  /** Takes the next token; returns the ms to wait before using it. */
  reserve(): number;
}

export type PatchType = 'json' | 'merge' | 'strategic';
const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};
const APPLY_CONTENT_TYPE = 'application/apply-patch+yaml';
const JSON_TYPE = 'application/json';

export interface TransportOptions {
  /** Sockets per origin (undici Pool `connections`). */
  readonly connections?: number;
}

/** Connection pools by origin and TLS setup, shared by every RestClient given this transport. */
export class Transport {
  private readonly pools = new Map<string, Pool>();

  constructor(private readonly opts: TransportOptions = {}) {}

  pool(c: Connection): Pool {
    const origin = new URL(c.baseUrl).origin;
    const key = `${origin}\n${c.insecureSkipTLSVerify}\n${c.ca ?? ''}\n${c.clientCert ?? ''}\n${c.clientKey ?? ''}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      pool = new Pool(origin, {
        connections: this.opts.connections ?? DEFAULTS.clientConnections,
        connect: {
          rejectUnauthorized: !c.insecureSkipTLSVerify,
          ...(c.ca !== undefined ? { ca: c.ca } : {}),
          ...(c.clientCert !== undefined ? { cert: c.clientCert, key: c.clientKey } : {}),
        },
      });
      this.pools.set(key, pool);
    }
    return pool;
  }

  /** Ends every socket at once: open watches and requests in flight fail rather than hold the close. */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.destroy()));
  }
}

export interface RestClientOptions {
  readonly connection: Connection;
  /** Shared pools; a client without one makes its own and closes it in close(). */
  readonly transport?: Transport;
  readonly clock?: Clock;
  /**
   * Client-side rate limit, default 5 QPS / burst 10. Any qps <= 0 turns the limiter off; client-go
   * reads 0 as "the default" and only a negative QPS as none, but here an absent qps is the default.
   */
  readonly qps?: number;
  readonly burst?: number;
  /** A limiter shared with other clients (client-go: one per clientset); overrides qps/burst. */
  readonly rateLimiter?: RateLimiter;
  /** Retries after Retry-After answers and broken GET connections; default 10 as client-go's. */
  readonly maxRetries?: number;
  /** Opt-in: GETs answered 5xx without Retry-After are retried after initialMs, doubling up to maxMs. */
  readonly serverErrorBackoff?: { readonly initialMs: number; readonly maxMs: number };
  /** Default: defaultUserAgent(). */
  readonly userAgent?: string;
  readonly metrics?: ClientMetrics;
  /** Latency clock in ms: performance.now on the real clock, the clock's now otherwise. */
  readonly now?: () => number;
}



interface Attempt {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** For status 0: the error's code (ECONNRESET, UND_ERR_SOCKET…) and its text. */
  readonly code?: string;
  readonly error?: string;
  readonly stream?: Dispatcher.ResponseData['body'];
}

export class RestClient {
  readonly connection: Connection;
  private readonly prefix: string;
  private readonly pool: Pool;
  private readonly ownTransport: Transport | undefined;
  private readonly clock: Clock;
  private readonly limiter: RateLimiter | undefined;
  private readonly maxRetries: number;
  private readonly backoff: RestClientOptions['serverErrorBackoff'];
  private readonly metrics: ClientMetrics | undefined;
  private readonly now: () => number;
  private readonly baseHeaders: Readonly<Record<string, string>>;
  private readonly headerSets = new Map<string, Readonly<Record<string, string>>>();

  constructor(opts: RestClientOptions) {
    const c = opts.connection;
    this.connection = c;
    this.prefix = new URL(c.baseUrl).pathname.replace(/\/+$/, '');
    this.ownTransport = opts.transport === undefined ? new Transport() : undefined;
    this.pool = (opts.transport ?? (this.ownTransport as Transport)).pool(c);
    this.clock = opts.clock ?? realClock;
    const qps = opts.qps ?? DEFAULTS.clientQps;
    this.limiter = opts.rateLimiter ?? (qps > 0 ? new TokenBucketRateLimiter(qps, opts.burst ?? DEFAULTS.clientBurst, this.clock) : undefined);
    this.maxRetries = opts.maxRetries ?? DEFAULTS.clientMaxRetries;
    this.backoff = opts.serverErrorBackoff;
    this.metrics = opts.metrics;
    this.now = opts.now ?? (this.clock === realClock ? () => performance.now() : () => this.clock.now());
    this.baseHeaders = {
      'user-agent': opts.userAgent ?? defaultUserAgent(),
      ...(c.token !== undefined ? { authorization: `Bearer ${c.token}` } : {}),
    };
  }

  /** Sends one request with client-go's throttling and retries; failures are answers, not exceptions. */
  async request(req: RestRequest): Promise<RestResult> {
    const a = await this.exchange(req, false);
    return a.response;
  }

  /** Starts a watch (the query should carry `watch=true`); on 200 the events stream until the server ends it or `signal` aborts. */
  async watch(req: RestRequest): Promise<WatchStart> {
    const a = await this.exchange(req, true);
    if (a.stream !== undefined) return { ok: true, events: watchEvents(a.stream), retries: a.response.retries };
    return { ok: false, response: a.response };
  }

  get(r: ResourceRef, namespace: string | undefined, name: string, query?: Query): Promise<RestResult> {
    return this.request({ verb: 'get', resource: r.label, method: 'GET', path: objectPath(r, namespace, name), query });
  }

  list(r: ResourceRef, namespace?: string, query?: Query): Promise<RestResult> {
    return this.request({ verb: 'list', resource: r.label, method: 'GET', path: collectionPath(r, namespace), query });
  }

  create(r: ResourceRef, namespace: string | undefined, body: unknown, query?: Query): Promise<RestResult> {
    return this.request({ verb: 'create', resource: r.label, method: 'POST', path: collectionPath(r, namespace), query, body, contentType: JSON_TYPE });
  }

  update(r: ResourceRef, namespace: string | undefined, name: string, body: unknown, query?: Query): Promise<RestResult> {
    return this.request({ verb: 'update', resource: r.label, method: 'PUT', path: objectPath(r, namespace, name), query, body, contentType: JSON_TYPE });
  }

  patch(r: ResourceRef, namespace: string | undefined, name: string, type: PatchType, body: unknown, query?: Query): Promise<RestResult> {
    return this.request({ verb: 'patch', resource: r.label, method: 'PATCH', path: objectPath(r, namespace, name), query, body, contentType: PATCH_CONTENT_TYPES[type] });
  }

  /** Server-side apply; the object as JSON (valid YAML). */
  apply(r: ResourceRef, namespace: string | undefined, name: string, body: unknown, opts: { readonly fieldManager: string; readonly force?: boolean; readonly query?: Query }): Promise<RestResult> {
    const query = { ...opts.query, fieldManager: opts.fieldManager, ...(opts.force ? { force: true } : {}) };
    return this.request({ verb: 'apply', resource: r.label, method: 'PATCH', path: objectPath(r, namespace, name), query, body, contentType: APPLY_CONTENT_TYPE });
  }

  delete(r: ResourceRef, namespace: string | undefined, name: string, query?: Query): Promise<RestResult> {
    return this.request({ verb: 'delete', resource: r.label, method: 'DELETE', path: objectPath(r, namespace, name), query });
  }

  /** Closes the pools when this client made its own transport; a shared transport is its owner's to close. */
  async close(): Promise<void> {
    await this.ownTransport?.close();
  }

  private headers(contentType: string | undefined, accept: string | undefined): Readonly<Record<string, string>> {
    const key = `${contentType ?? ''}\n${accept ?? ''}`;
    let h = this.headerSets.get(key);
    if (h === undefined) {
      h = Object.freeze({ ...this.baseHeaders, accept: accept ?? JSON_TYPE, ...(contentType !== undefined ? { 'content-type': contentType } : {}) });
      this.headerSets.set(key, h);
    }
    return h;
  }

  /** Takes a token; returns the ms waited for it (rest_client_rate_limiter_duration_seconds). */
  private async throttle(signal: AbortSignal | undefined): Promise<number> {
    if (this.limiter === undefined) return 0;
    const ms = this.limiter.reserve();
    this.metrics?.rateLimited(ms);
    if (ms > 0) await sleep(this.clock, ms, signal);
    return ms;
  }

  private async exchange(req: RestRequest, stream: boolean): Promise<{ response: RestResult; stream?: Attempt['stream'] }> {
    const path = this.prefix + req.path + queryString(req.query);
    const headers = this.headers(req.contentType, req.accept);
    const body = encodeBody(req.body);
    await this.throttle(req.signal);
    const start = this.now();
    let throttled = 0;
    let retries = 0;
    let backoffMs = this.backoff?.initialMs ?? 0;
    for (;;) {
      const a = await this.attempt(path, req, headers, body, stream);
      const ok = a.status >= 200 && a.status < 300;
      // A request its caller aborted (an informer stopping) is no answer from the server.
      const aborted = req.signal?.aborted === true;
      if (!ok && !aborted) this.metrics?.response(a.status, a.code ?? statusReason(a.status, a.body));

      let waitMs: number | undefined;
      let serverSeconds: number | undefined;
      if (a.status === 0) {
        if (req.method === 'GET' && a.code !== undefined && BROKEN_CONNECTION.has(a.code)) waitMs = 1000;
      } else if (a.status === 429 || a.status >= 500) {
        serverSeconds = retryAfterSeconds(a.headers);
        if (serverSeconds !== undefined) waitMs = serverSeconds * 1000;
        else if (this.backoff !== undefined && req.method === 'GET' && a.status >= 500) {
          waitMs = backoffMs;
          backoffMs = Math.min(backoffMs * 2, this.backoff.maxMs);
        }
      }
      if (waitMs === undefined || retries >= this.maxRetries || req.signal?.aborted) {
        const response: RestResult = { status: a.status, headers: a.headers, body: a.body, retries, ...(a.error !== undefined ? { error: a.error } : {}) };
        if (!aborted) this.metrics?.observe(req.verb, req.resource, this.now() - start - throttled, ok, retries);
        return a.stream !== undefined ? { response, stream: a.stream } : { response };
      }
      if (serverSeconds !== undefined) this.metrics?.retryAfter(serverSeconds);
      retries++;
      await sleep(this.clock, waitMs, req.signal);
      throttled += await this.throttle(req.signal);
    }
  }

  private async attempt(path: string, req: RestRequest, headers: Readonly<Record<string, string>>, body: string | Uint8Array | undefined, stream: boolean): Promise<Attempt> {
    try {
      const res = await this.pool.request({
        path, method: req.method, headers, body, signal: req.signal,
        // A watch may stay quiet for minutes; the server's timeoutSeconds ends it.
        ...(stream ? { bodyTimeout: 0 } : {}),
      });
      if (stream && res.statusCode === 200) return { status: 200, headers: res.headers, body: undefined, stream: res.body };
      const text = await res.body.text();
      const ok = res.statusCode >= 200 && res.statusCode < 300;
      return { status: res.statusCode, headers: res.headers, body: ok && req.discardBody ? undefined : parseBody(text, res.headers) };
    } catch (e) {
      const code = errorCode(e);
      return { status: 0, headers: NO_HEADERS, body: undefined, code, error: `${code}: ${(e as Error).message}` };
    }
  }
}


export interface ClientsOptions extends Omit<RestClientOptions, 'connection' | 'transport'> {
  readonly transport: Transport;
  /** One limiter for all clusters (one clientset fanning out) instead of one per cluster. */
  readonly shareRateLimiter?: boolean;
}

/** A client per cluster of the target, sharing the transport (and the limiter when asked). */
export function clientsFor(target: Target, opts: ClientsOptions): Map<string, RestClient> {
  const qps = opts.qps ?? DEFAULTS.clientQps;
  const shared = opts.rateLimiter ?? (opts.shareRateLimiter && qps > 0 ? new TokenBucketRateLimiter(qps, opts.burst ?? DEFAULTS.clientBurst, opts.clock ?? realClock) : undefined);
  const out = new Map<string, RestClient>();
  for (const cluster of target.clusters()) {
    out.set(cluster, new RestClient({ ...opts, connection: target.connection(cluster), ...(shared !== undefined ? { rateLimiter: shared } : {}) }));
  }
  return out;
}
