// /healthz, /livez and /readyz as kube-apiserver serves them (AS/pkg/server/healthz/healthz.go):
// "ok", or with ?verbose one line per check; ?exclude=NAME skips a check; any failing check makes
// the answer a 500 listing every check, the failure's reason withheld because the endpoint is
// public. /<endpoint>/<check> answers one check ("ok", or 500 with the reason) to an
// authenticated client.
import type { HttpAnswer } from './http-answer.js';

export interface HealthCheck {
  readonly name: string;
  /** Undefined when healthy, else why not. */
  check(): string | undefined;
}

export type HealthEndpoint = 'healthz' | 'livez' | 'readyz';

const HEADERS = { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' };

export interface HealthChecks {
  /** The checks of one endpoint, in the order they are reported. */
  of(endpoint: HealthEndpoint): readonly HealthCheck[];
}

/**
 * kube-apiserver's checks, kemu's store standing in for etcd: healthz and livez share ping, log,
 * etcd and the admission post-start hook; readyz adds etcd-readiness and shutdown, which fails
 * once a graceful shutdown has begun so load balancers stop sending work.
 */
export function apiserverHealthChecks(store: () => string | undefined, shuttingDown: () => boolean): HealthChecks {
  const ok = (name: string): HealthCheck => ({ name, check: () => undefined });
  const etcd: HealthCheck = { name: 'etcd', check: store };
  const hook = ok('poststarthook/start-kube-apiserver-admission-initializer');
  const base = [ok('ping'), ok('log'), etcd];
  const ready = [...base, { name: 'etcd-readiness', check: store }, hook,
    { name: 'shutdown', check: () => (shuttingDown() ? 'process is shutting down' : undefined) }];
  const live = [...base, hook];
  return { of: (endpoint) => (endpoint === 'readyz' ? ready : live) };
}

/** The answer of /healthz, /livez or /readyz. */
export function healthAnswer(endpoint: HealthEndpoint, checks: readonly HealthCheck[], query: URLSearchParams): HttpAnswer {
  const excluded = new Set(query.getAll('exclude'));
  let lines = '';
  let failed = false;
  for (const c of checks) {
    if (excluded.delete(c.name)) {
      lines += `[+]${c.name} excluded: ok\n`;
    } else if (c.check() !== undefined) {
      failed = true;
      lines += `[-]${c.name} failed: reason withheld\n`;
    } else {
      lines += `[+]${c.name} ok\n`;
    }
  }
  if (excluded.size > 0) {
    lines += `warn: some health checks cannot be excluded: no matches for ${[...excluded].map((n) => JSON.stringify(n)).join(',')}\n`;
  }
  // http.Error appends a newline to the text it is given.
  if (failed) return { statusCode: 500, headers: HEADERS, body: Buffer.from(`${lines}${endpoint} check failed\n`) };
  const body = query.has('verbose') ? `${lines}${endpoint} check passed\n` : 'ok';
  return { statusCode: 200, headers: HEADERS, body: Buffer.from(body) };
}

/** `/<endpoint>/<check>`: one check, its reason shown (adaptCheckToHandler); undefined for an unknown check. */
export function singleCheckAnswer(check: HealthCheck | undefined): HttpAnswer | undefined {
  if (!check) return undefined;
  const why = check.check();
  return why === undefined
    ? { statusCode: 200, headers: HEADERS, body: Buffer.from('ok') }
    : { statusCode: 500, headers: HEADERS, body: Buffer.from(`internal server error: ${why}\n`) };
}
