// A hand-written kube-apiserver audit log (fixtures/audit.log: audit.k8s.io/v1 Events as a 1.32
// cluster writes them, with RequestReceived/ResponseStarted/ResponseComplete stages) replayed onto
// a kemu hub: what it creates, what it skips and why, and the report's figures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runReplay } from '../../../scenarios/replay/main.js';
import { startTestServer, tempDir } from '../../helpers/server.js';

const LOG = join(import.meta.dirname, 'fixtures', 'audit.log');

type Obj = Record<string, unknown> & {
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { replicas: number; template: { spec: { containers: Array<{ name: string; image: string }> } } };
};

let dir = '';
test.before(async () => { dir = await tempDir('kemu-replay-audit-'); });
test.after(async () => { await rm(dir, { recursive: true, force: true }); });

test('an audit log replays onto the hub: objects made, skips counted by reason, figures reported', async () => {
  const s = await startTestServer({ spokes: 0 });
  try {
    const caFile = join(dir, 'ca.crt');
    await writeFile(caFile, s.server.caCertPem);
    const { report, files } = await runReplay({
      file: LOG, speed: 10, mapClusters: '*=hub', out: join(dir, 'out'), target: s.server.url, token: s.server.adminToken, caFile,
    });
    assert.ok(files.json.endsWith('report.json'));
    assert.is(report.verdict, 'pass', JSON.stringify(report.responses));
    const c = report.counters;
    assert.is(c['log lines'], 20);
    assert.is(c['logged requests'], 16);
    assert.is(c.replayed, 11);
    assert.is(c.succeeded, 11);
    assert.is(c.failed, 0);
    assert.equal(
      Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith('skipped '))),
      { 'skipped control-plane': 1, 'skipped failed': 1, 'skipped no request body': 1, 'skipped non-resource': 1, 'skipped watch': 1 },
    );
    const count = (verb: string, resource: string) => report.requests.find((r) => r.verb === verb && r.resource === resource)?.count;
    assert.is(count('create', 'namespaces'), 1);
    assert.is(count('create', 'configmaps'), 3);
    assert.is(count('create', 'deployments.apps'), 1);
    assert.is(count('get', 'configmaps'), 1);
    assert.is(count('list', 'configmaps'), 1);
    assert.is(count('update', 'configmaps'), 1);
    assert.is(count('patch', 'configmaps'), 1);
    assert.is(count('patch', 'deployments.apps'), 1);
    assert.is(count('delete', 'configmaps'), 1);
    assert.ok(report.requests.every((r) => r.errors === 0 && r.p99Ms > 0), JSON.stringify(report.requests));
    assert.equal(report.responses, []);
    assert.is(report.timings['recorded latency'].count, 11);
    assert.is(report.timings['recorded latency'].maxMs, 11);
    assert.is(report.timings['behind schedule'].count, 11);
    // 950 ms of recorded traffic at 10x.
    assert.ok(report.durationSeconds >= 0.09, String(report.durationSeconds));
    assert.ok(report.series.seconds.length >= 2);
    assert.ok(Object.keys(report.series.values).some((k) => k.startsWith('inflight/')));
    assert.is(report.scenario.params.mapClusters, '*=hub');

    const cms = (await s.req('GET', '/api/v1/namespaces/shop/configmaps')).json<{ items: Obj[] }>().items;
    assert.equal(cms.map((o) => o.metadata.name), ['app-config', 'feature-flags']);
    // The update carried a stale resourceVersion and uid: sent without them it applied.
    assert.equal(cms[0].data, { LOG_LEVEL: 'debug', CURRENCY: 'EUR' });
    assert.equal(cms[1].data, { beta: 'on', 'dark-mode': 'on' });
    // The patch without a Content-Type was taken as strategic: the sidecar, not in it, stayed.
    const d = (await s.req('GET', '/apis/apps/v1/namespaces/shop/deployments/frontend')).json<Obj>();
    assert.is(d.spec?.replicas, 3);
    assert.equal(d.spec?.template.spec.containers.map((x) => [x.name, x.image]), [['web', 'nginx:1.27.1'], ['log-shipper', 'fluent/fluent-bit:3.2']]);
    assert.is((await s.req('GET', '/api/v1/namespaces/shop/secrets/db-password')).status, 404);
  } finally {
    await s.close();
  }
});

test.run();
