// kemu's own health: /healthz, /livez and /readyz as kube-apiserver words them, with the store
// checked; /metrics with the process's memory, CPU and event-loop lag and the store's size.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apiserverHealthChecks, healthAnswer, singleCheckAnswer } from '../../server/health.js';
import { httpRequest, startTestServer } from '../helpers/server.js';

const text = (a: { body: Buffer }) => a.body.toString('utf8');

test('every check passing: "ok", or one line per check with ?verbose', () => {
  const checks = apiserverHealthChecks(() => undefined, () => false);
  const plain = healthAnswer('readyz', checks.of('readyz'), new URLSearchParams());
  assert.is(plain.statusCode, 200);
  assert.is(text(plain), 'ok');
  assert.equal(plain.headers, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  assert.is(text(healthAnswer('readyz', checks.of('readyz'), new URLSearchParams('verbose'))), [
    '[+]ping ok', '[+]log ok', '[+]etcd ok', '[+]etcd-readiness ok', '[+]poststarthook/start-kube-apiserver-admission-initializer ok', '[+]shutdown ok', 'readyz check passed', '',
  ].join('\n'));
  assert.is(text(healthAnswer('livez', checks.of('livez'), new URLSearchParams('verbose'))), [
    '[+]ping ok', '[+]log ok', '[+]etcd ok', '[+]poststarthook/start-kube-apiserver-admission-initializer ok', 'livez check passed', '',
  ].join('\n'));
});

test('a failing check: 500, every check listed, the reason withheld; excluded checks and unknown exclusions', () => {
  const storeDown = apiserverHealthChecks(() => 'The environment is already closed.', () => false);
  const failed = healthAnswer('healthz', storeDown.of('healthz'), new URLSearchParams());
  assert.is(failed.statusCode, 500);
  assert.is(text(failed), [
    '[+]ping ok', '[+]log ok', '[-]etcd failed: reason withheld', '[+]poststarthook/start-kube-apiserver-admission-initializer ok', 'healthz check failed', '',
  ].join('\n'));
  const excluded = healthAnswer('healthz', storeDown.of('healthz'), new URLSearchParams('exclude=etcd&exclude=nope&verbose'));
  assert.is(excluded.statusCode, 200);
  assert.match(text(excluded), /\[\+\]etcd excluded: ok\n/);
  assert.match(text(excluded), /warn: some health checks cannot be excluded: no matches for "nope"\n/);
  const one = singleCheckAnswer(storeDown.of('readyz').find((c) => c.name === 'etcd'));
  assert.is(one?.statusCode, 500);
  assert.is(one && text(one), 'internal server error: The environment is already closed.\n');
});

test('shutting down fails readyz only', () => {
  const draining = apiserverHealthChecks(() => undefined, () => true);
  const ready = healthAnswer('readyz', draining.of('readyz'), new URLSearchParams());
  assert.is(ready.statusCode, 500);
  assert.match(text(ready), /\[-\]shutdown failed: reason withheld\nreadyz check failed\n$/);
  assert.is(healthAnswer('livez', draining.of('livez'), new URLSearchParams()).statusCode, 200);
  assert.is(healthAnswer('healthz', draining.of('healthz'), new URLSearchParams()).statusCode, 200);
});

test('a server: public health endpoints, per-check endpoints for authenticated clients, metrics of its own health', async () => {
  const t = await startTestServer({ spokes: 0, controllers: 'namespace', maxDbSizeBytes: 64 * 1024 * 1024 });
  try {
    const verbose = await httpRequest(t.server.url, t.server.caCertPem, undefined, 'GET', '/readyz?verbose');
    assert.is(verbose.status, 200);
    assert.match(verbose.text, /^\[\+\]ping ok\n[\s\S]*\[\+\]etcd ok\n\[\+\]etcd-readiness ok\n[\s\S]*readyz check passed\n$/);
    assert.is((await t.req('GET', '/livez/etcd')).text, 'ok');
    assert.is((await httpRequest(t.server.url, t.server.caCertPem, undefined, 'GET', '/livez/etcd')).status, 401);
    assert.is((await t.req('GET', '/readyz/nope')).status, 404);

    const metrics = (await t.req('GET', '/metrics')).text;
    const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1]);
    assert.ok(value('process_resident_memory_bytes') > 10 * 1024 * 1024, 'resident memory');
    assert.ok(value('process_cpu_seconds_total') > 0, 'CPU');
    assert.ok(value('nodejs_eventloop_lag_seconds') >= 0, 'event-loop lag');
    assert.ok(value('nodejs_eventloop_lag_p99_seconds') > 0, 'event-loop lag p99');
    assert.ok(value('nodejs_heap_size_used_bytes') > 0, 'heap');
    assert.ok(value('apiserver_storage_size_bytes') > 0, 'store size');
    assert.is(value('kemu_store_max_size_bytes'), 64 * 1024 * 1024, 'store limit');
    assert.match(metrics, /^apiserver_request_total\{/m, 'the request metrics are there too');
  } finally {
    await t.close();
  }
});

test.run();
