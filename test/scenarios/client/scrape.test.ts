// /metrics scraping: the text-format parser on crafted input, and kemu's own figures read back
// (request counts, in-flight by kind, APF seats, rejections), with refusals answered by null.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { RestClient, Transport } from '../../../scenarios/client/rest.js';
import { parsePrometheusText, readInflight, readProcess, readRejections, scrapeMetrics } from '../../../scenarios/client/scrape.js';
import { fromKemu } from '../../../scenarios/client/target.js';

let ts: TestServer;
let transport: Transport;

test.before(async () => {
  ts = await startTestServer();
  transport = new Transport();
});

test.after(async () => {
  await transport.close();
  await ts.close();
});

function client(cluster = 'hub', token = ts.server.adminToken): RestClient {
  return new RestClient({ connection: fromKemu(ts.server.url, ts.server.caCertPem, token, ['hub', 'spoke-1']).connection(cluster), transport, qps: 0 });
}

const TEXT = `# HELP apiserver_flowcontrol_rejected_requests_total Number of requests rejected
# TYPE apiserver_flowcontrol_rejected_requests_total counter
apiserver_flowcontrol_rejected_requests_total{priority_level="workload-low",flow_schema="service-accounts",reason="queue-full",cluster="hub"} 3
apiserver_flowcontrol_rejected_requests_total{priority_level="workload-low",flow_schema="global-default",reason="queue-full",cluster="hub"} 2
apiserver_flowcontrol_rejected_requests_total{priority_level="global-default",flow_schema="global-default",reason="time-out",cluster="spoke-1"} 1
apiserver_current_inflight_requests{request_kind="readOnly",cluster="hub"} 7
apiserver_current_inflight_requests{request_kind="readOnly",cluster="spoke-1"} 1
apiserver_current_inflight_requests{request_kind="mutating",cluster="hub"} 2
weird{msg="a \\"quoted\\", comma\\\\ and\\nnewline",le="+Inf"} 1.5e3 1700000000000
req_duration_seconds_bucket{le="0.1"} 4
req_duration_seconds_bucket{le="+Inf"} 6
req_duration_seconds_sum 0.75
req_duration_seconds_count 6
gauge_inf +Inf
gauge_nan NaN
process_resident_memory_bytes 1.048576e+08
process_cpu_seconds_total 12.5
broken{a="unterminated} 1
novalue
`;

test('the text format: labels with escapes, timestamps, +Inf/NaN, histogram series, broken lines skipped', () => {
  const m = parsePrometheusText(TEXT);
  assert.equal(m.get('weird'), [{ name: 'weird', labels: { msg: 'a "quoted", comma\\ and\nnewline', le: '+Inf' }, value: 1500 }]);
  assert.equal(m.get('req_duration_seconds_bucket').map((s) => [s.labels.le, s.value]), [['0.1', 4], ['+Inf', 6]]);
  assert.equal(m.sum('req_duration_seconds_count'), 6);
  assert.equal(m.sum('req_duration_seconds_sum'), 0.75);
  assert.equal(m.sum('gauge_inf'), Infinity);
  assert.ok(Number.isNaN(m.sum('gauge_nan')));
  assert.equal(m.has('broken'), false);
  assert.equal(m.has('novalue'), false);
  assert.equal(m.sum('absent'), null);

  assert.equal(readInflight(m).byKind, { readOnly: 8, mutating: 2 });
  assert.equal(readInflight(m, 'hub').byKind, { readOnly: 7, mutating: 2 });
  assert.equal(readRejections(m), [
    { reason: 'time-out', priorityLevel: 'global-default', count: 1 },
    { reason: 'queue-full', priorityLevel: 'workload-low', count: 5 },
  ]);
  assert.equal(readRejections(m, 'spoke-1'), [{ reason: 'time-out', priorityLevel: 'global-default', count: 1 }]);
  const maxInFlight = parsePrometheusText([
    'apiserver_request_terminations_total{verb="create",group="",resource="configmaps",subresource="",component="apiserver",code="429",cluster="hub"} 4',
    'apiserver_request_terminations_total{verb="list",group="",resource="pods",subresource="",component="apiserver",code="429",cluster="hub"} 2',
    'apiserver_request_terminations_total{verb="patch",group="apps",resource="deployments",subresource="",component="apiserver",code="429",cluster="spoke-1"} 1',
    'apiserver_request_terminations_total{verb="get",group="",resource="pods",subresource="",component="apiserver",code="504",cluster="hub"} 9',
  ].join('\n'));
  assert.equal(readRejections(maxInFlight), [
    { reason: 'max-in-flight mutating', priorityLevel: null, count: 5 },
    { reason: 'max-in-flight readOnly', priorityLevel: null, count: 2 },
  ]);
  assert.equal(readProcess(m), { residentMemoryBytes: 104857600, cpuSecondsTotal: 12.5 });
  assert.equal(readProcess(parsePrometheusText('')), { residentMemoryBytes: null, cpuSecondsTotal: null });
});

test("kemu's /metrics: request counts, in-flight by kind, APF levels, per cluster", async () => {
  const spoke = client('spoke-1');
  for (let i = 0; i < 3; i++) assert.equal((await spoke.request({ verb: 'get', resource: 'namespaces', method: 'GET', path: '/api/v1/namespaces/default' })).status, 200);
  const m = await scrapeMetrics(client());
  assert.ok(m !== null);
  const gets = m.sum('apiserver_request_total', { verb: 'GET', resource: 'namespaces', cluster: 'spoke-1', code: '200' });
  assert.equal(gets, 3);
  assert.ok(m.has('apiserver_request_duration_seconds_bucket'));
  assert.equal(m.sum('apiserver_request_duration_seconds_count', { verb: 'GET', resource: 'namespaces', cluster: 'spoke-1' }), 3);

  const inflight = readInflight(m, 'hub');
  assert.equal(Object.keys(inflight.byKind).sort(), ['mutating', 'readOnly']);
  // APF is on by default: the bootstrap priority levels report seats, and the scrape itself
  // (the admin is in system:masters) executes in exempt.
  assert.ok(['exempt', 'workload-low', 'global-default', 'catch-all'].every((l) => l in inflight.executingSeats), JSON.stringify(inflight));
  assert.ok(inflight.executingSeats.exempt >= 1);
  assert.ok(inflight.executingRequests.exempt >= 1);
  assert.equal(inflight.inqueueRequests['workload-low'], 0);
  assert.equal(readRejections(m, 'hub'), []);
  const proc = readProcess(m);
  assert.ok(proc.residentMemoryBytes === null || proc.residentMemoryBytes > 0);
});

test('a refused or missing /metrics is null, not an exception', async () => {
  assert.equal(await scrapeMetrics(client('hub', 'wrong-token')), null);
  const server: Server = createServer((_req, res) => res.writeHead(404).end('404 page not found'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const c = new RestClient({ connection: { cluster: 'hub', baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, insecureSkipTLSVerify: false }, qps: 0 });
  try {
    assert.equal(await scrapeMetrics(c), null);
  } finally {
    await c.close();
    await new Promise((r) => server.close(r));
  }
  const dead = new RestClient({ connection: { cluster: 'hub', baseUrl: 'http://127.0.0.1:1', insecureSkipTLSVerify: false }, qps: 0 });
  assert.equal(await scrapeMetrics(dead), null);
  await dead.close();
});

test.run();
