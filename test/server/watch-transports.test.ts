import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { request } from 'node:https';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { openWatch, type WatchEvent } from '../helpers/watch.js';

let ts: TestServer;
const CM = '/api/v1/namespaces/default/configmaps';
// Small enough that a client that stops reading is cut off after a few large events.
const MAX_BUFFERED = 256 * 1024;

test.before(async () => {
  ts = await startTestServer({ watchMaxBufferedBytes: MAX_BUFFERED });
});
test.after(async () => {
  await ts.close();
});

async function listRV(): Promise<string> {
  return (await ts.req('GET', CM)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
}

function wsWatch(path: string, opts: { token?: 'header' | 'protocol' } = {}): Promise<{ events: WatchEvent[]; socket: WebSocket; waitFor(n: number): Promise<WatchEvent[]> }> {
  const url = ts.server.url.replace('https://', 'wss://') + path;
  const token = ts.server.adminToken;
  const protocols = opts.token === 'protocol' ? [`base64url.bearer.authorization.k8s.io.${Buffer.from(token).toString('base64url')}`, 'base64.binary.k8s.io'] : undefined;
  const socket = new WebSocket(url, protocols, { ca: ts.server.caCertPem, headers: opts.token === 'protocol' ? {} : { Authorization: `Bearer ${token}` } });
  const events: WatchEvent[] = [];
  const waiters: Array<() => void> = [];
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    assert.not.ok(isBinary, 'events are text messages');
    events.push(JSON.parse(data.toString('utf8')) as WatchEvent);
    for (const w of [...waiters]) w();
  });
  return new Promise((resolve, reject) => {
    socket.on('open', () => resolve({
      events, socket,
      waitFor: (n) => new Promise((ok, fail) => {
        const timer = setTimeout(() => fail(new Error(`only ${events.length} of ${n} events`)), 5000);
        const check = () => {
          if (events.length >= n) { clearTimeout(timer); ok(events.slice(0, n)); }
        };
        waiters.push(check);
        check();
      }),
    }));
    socket.on('error', reject);
  });
}

test('a WebSocket watch gets the same events as an HTTP watch, one text message each', async () => {
  const rv = await listRV();
  const http = await openWatch(ts, `${CM}?watch=true&resourceVersion=${rv}`);
  const ws = await wsWatch(`${CM}?watch=true&resourceVersion=${rv}`);
  await ts.req('POST', CM, { metadata: { name: 'ws1' } });
  await ts.req('DELETE', `${CM}/ws1`);
  const a = await http.waitFor(2);
  const b = await ws.waitFor(2);
  http.close();
  ws.socket.close();
  assert.equal(b, a);
  assert.equal(b.map((e) => e.type), ['ADDED', 'DELETED']);
});

test('a WebSocket watch may carry its bearer token as a subprotocol, as browsers must', async () => {
  const ws = await wsWatch(`${CM}?watch=true&resourceVersion=${await listRV()}`, { token: 'protocol' });
  assert.is(ws.socket.protocol, 'base64.binary.k8s.io');
  await ts.req('POST', CM, { metadata: { name: 'ws2' } });
  const [e] = await ws.waitFor(1);
  ws.socket.close();
  assert.is(e.object.metadata.name, 'ws2');
  await ts.req('DELETE', `${CM}/ws2`);
});

test('a WebSocket upgrade without credentials is refused with 401', async () => {
  const url = ts.server.url.replace('https://', 'wss://') + `${CM}?watch=true`;
  const status = await new Promise<number>((resolve) => {
    const s = new WebSocket(url, { ca: ts.server.caCertPem });
    s.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    s.on('open', () => resolve(101));
    s.on('error', () => undefined);
  });
  assert.is(status, 401);
});

test('a watcher that stops reading is cut off while a fast one gets every event', async () => {
  const rv = await listRV();
  const fast = await openWatch(ts, `${CM}?watch=true&resourceVersion=${rv}`);
  let slowEnded = false;
  const slow = await new Promise<import('node:http').IncomingMessage>((resolve) => {
    const req = request(new URL(`${CM}?watch=true&resourceVersion=${rv}`, ts.server.url), { ca: ts.server.caCertPem, headers: { Authorization: `Bearer ${ts.server.adminToken}` } }, resolve);
    req.end();
  });
  slow.pause();
  slow.on('end', () => { slowEnded = true; });
  // 12 objects of ~1 MiB: far more than the kernel's socket buffers plus MAX_BUFFERED.
  const big = 'x'.repeat(1024 * 1024);
  for (let i = 0; i < 12; i++) {
    const r = await ts.req('POST', CM, { metadata: { name: `big-${i}` }, data: { big } });
    assert.is(r.status, 201);
  }
  const events = await fast.waitFor(12, 15_000);
  fast.close();
  assert.equal(events.map((e) => e.object.metadata.name), Array.from({ length: 12 }, (_, i) => `big-${i}`));
  const metrics = (await ts.req('GET', '/metrics')).text;
  assert.match(metrics, /apiserver_terminated_watchers_total\{resource="configmaps",cluster="hub"\} 1/);
  // Once it reads again it finds its stream ended by the server.
  slow.resume();
  slow.on('data', () => undefined);
  const deadline = Date.now() + 10_000;
  while (!slowEnded && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.ok(slowEnded, 'the slow watcher\'s stream was ended');
  for (let i = 0; i < 12; i++) await ts.req('DELETE', `${CM}/big-${i}`);
});

test('metadata-only watches carry PartialObjectMetadata', async () => {
  const w = await openWatch(ts, `${CM}?watch=true&resourceVersion=${await listRV()}`, { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json' });
  assert.is(w.headers['content-type'], 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io');
  await ts.req('POST', CM, { metadata: { name: 'meta-only' }, data: { secret: 'not shown' } });
  const [e] = await w.waitFor(1);
  w.close();
  assert.is(e.object.kind, 'PartialObjectMetadata');
  assert.is(e.object.apiVersion, 'meta.k8s.io/v1');
  assert.is(e.object.data, undefined);
  assert.is(e.object.metadata.name, 'meta-only');
});

test.run();
