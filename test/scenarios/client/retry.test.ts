// client-go's retry rules against a scripted local server: Retry-After on 429 and 5xx, no retry
// for a bare 5xx (unless backoff is asked for), broken connections retried for GETs only, and
// every wait taken on the injected clock.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../../model/clock.js';
import { ClientMetrics } from '../../../scenarios/client/metrics.js';
import { RestClient, Transport, type RestClientOptions } from '../../../scenarios/client/rest.js';

type Step = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let script: Step[] = [];
let seen: Array<{ method: string; url: string; ua: string }> = [];
let transport: Transport;

const ok: Step = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"kind":"ConfigMap"}');
const answer = (code: number, headers: Record<string, string> = {}, body = ''): Step => (_req, res) => res.writeHead(code, headers).end(body);
const reset: Step = (req) => req.socket.destroy();

test.before(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', ua: String(req.headers['user-agent']) });
    req.resume();
    (script.shift() ?? ok)(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/clusters/spoke-7`;
  transport = new Transport();
});

test.after(async () => {
  await transport.close();
  await new Promise((r) => server.close(r));
});

test.before.each(() => {
  script = [];
  seen = [];
});

function client(opts: Partial<RestClientOptions> = {}): RestClient {
  return new RestClient({ connection: { cluster: 'spoke-7', baseUrl, insecureSkipTLSVerify: false }, transport, qps: 0, ...opts });
}

const get = (c: RestClient) => c.request({ verb: 'get', resource: 'configmaps', method: 'GET', path: '/api/v1/namespaces/default/configmaps/x', query: { a: 'b c', skip: undefined } });
const post = (c: RestClient) => c.request({ verb: 'create', resource: 'configmaps', method: 'POST', path: '/api/v1/namespaces/default/configmaps', body: {} });

test('429 with Retry-After: 1 twice, then 200: two retries a second apart', async () => {
  script = [answer(429, { 'retry-after': '1' }, 'Too many requests, please try again later.'), answer(429, { 'retry-after': '1' })];
  const metrics = new ClientMetrics();
  const started = Date.now();
  const r = await get(client({ metrics }));
  assert.equal([r.status, r.retries], [200, 2]);
  assert.ok(Date.now() - started >= 1900, `took ${Date.now() - started} ms`);
  assert.equal(seen.length, 3);
  // The cluster prefix is kept and the query encoded.
  assert.equal(seen[0].url, '/clusters/spoke-7/api/v1/namespaces/default/configmaps/x?a=b%20c');
  assert.equal(metrics.responses(), [{ code: 429, reason: 'TooManyRequests', count: 2 }]);
  assert.equal(metrics.retryAfterStats(), { count: 2, maxSeconds: 1, totalWaitSeconds: 2 });
  assert.equal(metrics.summary()[0].retries, 2);
  assert.equal(metrics.summary()[0].errors, 0);
});

test('waits are taken on the injected clock', async () => {
  const waits: number[] = [];
  const clock: Clock = {
    now: () => 0,
    setTimeout: (fn, ms) => { waits.push(ms); return { id: setImmediate(fn) }; },
    clearTimeout: (h) => clearImmediate(h.id as NodeJS.Immediate),
  };
  script = [answer(429, { 'retry-after': '30' }), answer(503, { 'retry-after': '7' })];
  const started = Date.now();
  const r = await get(client({ clock }));
  assert.equal([r.status, r.retries], [200, 2]);
  assert.equal(waits, [30_000, 7_000]);
  assert.ok(Date.now() - started < 5000);
});

test('5xx with Retry-After is retried, for any verb; maxRetries caps it', async () => {
  script = [answer(503, { 'retry-after': '0' }), answer(500, { 'retry-after': '0' })];
  assert.equal((await post(client())).retries, 2);
  script = Array.from({ length: 5 }, () => answer(429, { 'retry-after': '0' }));
  seen = [];
  const metrics = new ClientMetrics();
  const r = await post(client({ maxRetries: 2, metrics }));
  assert.equal([r.status, r.retries, seen.length], [429, 2, 3]);
  assert.equal(metrics.summary()[0].errors, 1);
  assert.equal(metrics.responses(), [{ code: 429, reason: 'TooManyRequests', count: 3 }]);
});

test('5xx without Retry-After is final, as in client-go; serverErrorBackoff retries GETs only', async () => {
  const status = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'boom', reason: 'InternalError', code: 500 });
  script = [answer(500, { 'content-type': 'application/json' }, status)];
  const metrics = new ClientMetrics();
  const r = await get(client({ metrics }));
  assert.equal([r.status, r.retries], [500, 0]);
  assert.equal((r.body as { message: string }).message, 'boom');
  assert.equal(metrics.responses(), [{ code: 500, reason: 'InternalError', count: 1 }]);

  const backoff = { serverErrorBackoff: { initialMs: 10, maxMs: 20 }, maxRetries: 3 };
  script = Array.from({ length: 4 }, () => answer(502));
  const g = await get(client(backoff));
  assert.equal([g.status, g.retries], [502, 3]);
  script = [answer(502)];
  assert.equal((await post(client(backoff))).retries, 0);
});

test('a broken connection: a GET is retried after 1 s, a POST is not', async () => {
  script = [reset];
  const metrics = new ClientMetrics();
  const started = Date.now();
  const r = await get(client({ metrics }));
  assert.equal([r.status, r.retries], [200, 1]);
  assert.ok(Date.now() - started >= 950);
  const [broken] = metrics.responses();
  assert.equal(broken.code, 0);
  assert.ok(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE'].includes(broken.reason), broken.reason);

  script = [reset];
  const p = await post(client({ metrics }));
  assert.equal([p.status, p.retries], [0, 0]);
  assert.ok(p.error !== undefined && p.error.length > 0);
  assert.equal(metrics.summary().find((s) => s.verb === 'create')?.errors, 1);
});

test('an abort ends the request and its waits', async () => {
  script = [answer(429, { 'retry-after': '60' })];
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const started = Date.now();
  const r = await client().request({ verb: 'get', resource: 'x', method: 'GET', path: '/x', signal: ac.signal });
  assert.ok(Date.now() - started < 5000);
  assert.ok(r.status === 429 || r.status === 0);
});

test('one Transport pool per origin: clients of two clusters on one server share it', async () => {
  const t = new Transport();
  const a = new RestClient({ connection: { cluster: 'a', baseUrl: `${baseUrl}/../a`, insecureSkipTLSVerify: false }, transport: t, qps: 0 });
  const b = new RestClient({ connection: { cluster: 'b', baseUrl, insecureSkipTLSVerify: false }, transport: t, qps: 0 });
  assert.equal((await get(a)).status, 200);
  assert.equal((await get(b)).status, 200);
  assert.equal((t as unknown as { pools: Map<string, unknown> }).pools.size, 1);
  await t.close();
});

test.run();
