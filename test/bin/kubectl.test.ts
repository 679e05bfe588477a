// kubectl 1.32 (/usr/bin/kubectl) against two clusters of one kemu: `hub` and `spoke-1`.
// Every check is what kubectl prints against a real kube-apiserver 1.32; objects made in one
// cluster must be absent from the other.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fixturesDir } from '../../model/fixtures.js';
import { Kubectl, type Run } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait-until.js';

const GUESTBOOK = join(fixturesDir(), 'manifests', 'guestbook');
type Context = 'hub' | 'spoke-1';

let ts: TestServer;
let k: Kubectl;
let work: string; // cwd for kubectl: holds the YAML files, HOME and the discovery cache

const kubectl = (ctx: Context, ...args: string[]): Promise<Run> => k.run(ctx, ...args);
const ok = (ctx: Context, ...args: string[]): Promise<string> => k.ok(ctx, ...args);
const fails = (ctx: Context, ...args: string[]): Promise<string> => k.fails(ctx, ...args);
const spawnKubectl = (ctx: Context, ...args: string[]): ReturnType<Kubectl['spawn']> => k.spawn(ctx, ...args);

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l !== '');
}

function configMapYaml(name: string, namespace: string, labels: Record<string, string> = {}, data: Record<string, string> = { a: 'b' }): string {
  const lbl = Object.entries(labels).map(([k, v]) => `\n    ${k}: "${v}"`).join('');
  const d = Object.entries(data).map(([k, v]) => `\n  ${k}: "${v}"`).join('');
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\n  labels:${lbl || ' {}'}\ndata:${d}\n`;
}

test.before(async () => {
  ts = await startTestServer({ spokes: 1 });
  k = await Kubectl.create(ts);
  work = k.work;
  const files: Record<string, string> = {
    'ns-demo.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n',
    'cm-c1.yaml': configMapYaml('c1', 'demo', { app: 'demo' }),
    'cm-spoke.yaml': configMapYaml('c1', 'demo', { app: 'demo' }, { a: 'spoke' }),
    'cm-bad.yaml': configMapYaml('Bad_Name', 'default'),
    'cm-nons.yaml': configMapYaml('c1', 'nope'),
    'cm-w1.yaml': configMapYaml('w1', 'default', { w: '1' }),
    'cm-w2.yaml': configMapYaml('w2', 'default', { w: '1' }),
    'cm-wspoke.yaml': configMapYaml('w-spoke', 'default', { w: '1' }),
  };
  await Promise.all(Object.entries(files).map(([f, text]) => writeFile(join(work, f), text)));
});

test.after(async () => {
  await k?.close();
  await ts?.close();
});

// --- typed commands (kubectl sends protobuf bodies for these) ---

test('kubectl create namespace (typed, protobuf body) creates it in hub only', async () => {
  assert.is(await ok('hub', 'create', 'namespace', 'typed'), 'namespace/typed created\n');
  assert.is(await ok('hub', 'get', 'namespace', 'typed', '-o', 'name'), 'namespace/typed\n');
  assert.is(await fails('spoke-1', 'get', 'namespace', 'typed'), 'Error from server (NotFound): namespaces "typed" not found\n');
});

test('kubectl create configmap --from-literal (typed, protobuf body)', async () => {
  assert.is(await ok('hub', '-n', 'default', 'create', 'configmap', 'typed-cm', '--from-literal=a=b'), 'configmap/typed-cm created\n');
  assert.is(await ok('hub', '-n', 'default', 'get', 'configmap', 'typed-cm', '-o', 'jsonpath={.data.a}'), 'b');
  assert.is(await fails('spoke-1', '-n', 'default', 'get', 'configmap', 'typed-cm'), 'Error from server (NotFound): configmaps "typed-cm" not found\n');
});

// --- create -f ---

test('create -f namespace and configmap in hub; spoke-1 does not see them', async () => {
  assert.is(await ok('hub', 'create', '-f', 'ns-demo.yaml'), 'namespace/demo created\n');
  assert.is(await ok('hub', 'create', '-f', 'cm-c1.yaml'), 'configmap/c1 created\n');
  assert.is(await ok('hub', '-n', 'demo', 'get', 'configmap', 'c1', '-o', 'jsonpath={.data.a}'), 'b');
  assert.is(await fails('spoke-1', 'get', 'namespace', 'demo'), 'Error from server (NotFound): namespaces "demo" not found\n');
  const r = await kubectl('spoke-1', '-n', 'demo', 'get', 'configmaps');
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, '');
  assert.is(r.stderr, 'No resources found in demo namespace.\n');
});

test('the same name in spoke-1 is a separate object', async () => {
  assert.is(await ok('spoke-1', 'create', '-f', 'ns-demo.yaml'), 'namespace/demo created\n');
  assert.is(await ok('spoke-1', 'create', '-f', 'cm-spoke.yaml'), 'configmap/c1 created\n');
  assert.is(await ok('spoke-1', '-n', 'demo', 'get', 'configmap', 'c1', '-o', 'jsonpath={.data.a}'), 'spoke');
  assert.is(await ok('hub', '-n', 'demo', 'get', 'configmap', 'c1', '-o', 'jsonpath={.data.a}'), 'b');
  const hubUid = await ok('hub', '-n', 'demo', 'get', 'configmap', 'c1', '-o', 'jsonpath={.metadata.uid}');
  const spokeUid = await ok('spoke-1', '-n', 'demo', 'get', 'configmap', 'c1', '-o', 'jsonpath={.metadata.uid}');
  assert.match(hubUid, /^[0-9a-f-]{36}$/);
  assert.is.not(hubUid, spokeUid);
});

test('create -f of the guestbook directory in hub', async () => {
  const out = await ok('hub', '-n', 'demo', 'create', '-f', GUESTBOOK);
  // kubectl walks the directory in lexical order and skips SOURCE.txt.
  assert.equal(lines(out), [
    'deployment.apps/frontend created',
    'service/frontend created',
    'deployment.apps/redis-master created',
    'service/redis-master created',
    'deployment.apps/redis-replica created',
    'service/redis-replica created',
  ]);
  assert.equal(lines(await ok('hub', '-n', 'demo', 'get', 'deployments,services', '-o', 'name')), [
    'deployment.apps/frontend', 'deployment.apps/redis-master', 'deployment.apps/redis-replica',
    'service/frontend', 'service/redis-master', 'service/redis-replica',
  ]);
  // Short names resolve through discovery.
  assert.equal(lines(await ok('hub', '-n', 'demo', 'get', 'deploy', '-o', 'name')),
    ['deployment.apps/frontend', 'deployment.apps/redis-master', 'deployment.apps/redis-replica']);
  const spoke = await kubectl('spoke-1', '-n', 'demo', 'get', 'deploy,svc', '-o', 'name');
  assert.is(spoke.code, 0, spoke.stderr);
  assert.is(spoke.stdout, '', 'the guestbook must not appear in spoke-1');
});

test('create -f of one guestbook file in spoke-1', async () => {
  assert.is(await ok('spoke-1', '-n', 'demo', 'create', '-f', join(GUESTBOOK, 'redis-master-deployment.yaml')), 'deployment.apps/redis-master created\n');
  assert.equal(lines(await ok('spoke-1', '-n', 'demo', 'get', 'deploy', '-o', 'name')), ['deployment.apps/redis-master']);
});

// --- get with label selectors and output formats ---

test('get -l with =, !=, in, notin, exists and !exists', async () => {
  const names = async (sel: string, res = 'services') => lines(await ok('hub', '-n', 'demo', 'get', res, '-l', sel, '-o', 'name'));
  assert.equal(await names('app=guestbook'), ['service/frontend']);
  assert.equal(await names('app==redis'), ['service/redis-master', 'service/redis-replica']);
  assert.equal(await names('app=redis,role=replica'), ['service/redis-replica']);
  assert.equal(await names('tier!=frontend'), ['service/redis-master', 'service/redis-replica']);
  // != matches objects without the key: the Deployments carry no labels.
  assert.equal(await names('tier!=frontend', 'deployments,services'), [
    'deployment.apps/frontend', 'deployment.apps/redis-master', 'deployment.apps/redis-replica',
    'service/redis-master', 'service/redis-replica',
  ]);
  assert.equal(await names('role in (master,replica)'), ['service/redis-master', 'service/redis-replica']);
  assert.equal(await names('role notin (master)'), ['service/frontend', 'service/redis-replica']);
  assert.equal(await names('role'), ['service/redis-master', 'service/redis-replica']);
  assert.equal(await names('!role'), ['service/frontend']);
  const none = await kubectl('hub', '-n', 'demo', 'get', 'services', '-l', 'app=nothing');
  assert.is(none.code, 0, none.stderr);
  assert.is(none.stderr, 'No resources found in demo namespace.\n');
  // Selectors are per cluster: spoke-1 has no Services in demo at all.
  const spoke = await kubectl('spoke-1', '-n', 'demo', 'get', 'services', '-l', 'role', '-o', 'name');
  assert.is(spoke.stdout, '');
});

test('get -o json', async () => {
  const list = JSON.parse(await ok('hub', '-n', 'demo', 'get', 'services', '-l', 'tier=backend', '-o', 'json'));
  assert.is(list.kind, 'List');
  assert.is(list.apiVersion, 'v1');
  assert.equal(list.items.map((i: any) => i.metadata.name), ['redis-master', 'redis-replica']);
  for (const i of list.items) {
    assert.is(i.kind, 'Service');
    assert.is(i.apiVersion, 'v1');
    assert.is(i.metadata.namespace, 'demo');
    assert.is(i.spec.ports[0].port, 6379);
  }
  const one = JSON.parse(await ok('hub', '-n', 'demo', 'get', 'configmap', 'c1', '-o', 'json'));
  assert.is(one.kind, 'ConfigMap');
  assert.equal(one.data, { a: 'b' });
  assert.equal(one.metadata.labels, { app: 'demo' });
  assert.match(one.metadata.resourceVersion, /^[1-9][0-9]*$/);
  assert.match(one.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('get -o yaml', async () => {
  const d = parseYaml(await ok('hub', '-n', 'demo', 'get', 'deployment', 'frontend', '-o', 'yaml'));
  assert.is(d.kind, 'Deployment');
  assert.is(d.apiVersion, 'apps/v1');
  assert.is(d.metadata.name, 'frontend');
  assert.is(d.metadata.generation, 1);
  assert.is(d.spec.replicas, 3);
  assert.equal(d.spec.selector.matchLabels, { app: 'guestbook', tier: 'frontend' });
  assert.is(d.spec.template.spec.containers[0].image, 'gcr.io/google-samples/gb-frontend:v5');
  const list = parseYaml(await ok('spoke-1', '-n', 'demo', 'get', 'deployments', '-o', 'yaml'));
  assert.is(list.kind, 'List');
  assert.equal(list.items.map((i: any) => `${i.kind}/${i.metadata.name}`), ['Deployment/redis-master']);
  assert.is(list.items[0].spec.template.spec.containers[0].image, 'registry.k8s.io/redis:e2e');
});

test('get prints a table with a NAME column', async () => {
  const out = lines(await ok('hub', '-n', 'demo', 'get', 'services'));
  assert.match(out[0], /^NAME\s/);
  assert.equal(out.slice(1).map((l) => l.split(/\s+/)[0]), ['frontend', 'redis-master', 'redis-replica']);
});

// --- watch ---

test('get -w sees changes made by other kubectl commands, per cluster', async () => {
  assert.is(await ok('hub', 'create', '-f', 'cm-w1.yaml'), 'configmap/w1 created\n');
  assert.is(await ok('spoke-1', 'create', '-f', 'cm-wspoke.yaml'), 'configmap/w-spoke created\n');
  const args = ['-n', 'default', 'get', 'configmaps', '-l', 'w=1', '-w', '--output-watch-events', '--request-timeout=30s'];
  const hub = spawnKubectl('hub', ...args);
  const spoke = spawnKubectl('spoke-1', ...args);
  await waitUntil('hub watch lists w1', () => /^ADDED\s+w1\s/m.test(hub.out()));
  await waitUntil('spoke watch lists w-spoke', () => /^ADDED\s+w-spoke\s/m.test(spoke.out()));

  assert.is(await ok('hub', '-n', 'default', 'label', 'configmap', 'w1', 'step=2'), 'configmap/w1 labeled\n');
  await waitUntil('hub watch: MODIFIED w1', () => /^MODIFIED\s+w1\s/m.test(hub.out()));
  assert.is(await ok('hub', 'create', '-f', 'cm-w2.yaml'), 'configmap/w2 created\n');
  await waitUntil('hub watch: ADDED w2', () => /^ADDED\s+w2\s/m.test(hub.out()));
  assert.is(await ok('hub', '-n', 'default', 'delete', 'configmap', 'w1'), 'configmap "w1" deleted\n');
  await waitUntil('hub watch: DELETED w1', () => /^DELETED\s+w1\s/m.test(hub.out()));

  // A change in spoke-1 reaches only the spoke watch; it also proves that watch is still live.
  assert.is(await ok('spoke-1', '-n', 'default', 'label', 'configmap', 'w-spoke', 'step=2'), 'configmap/w-spoke labeled\n');
  await waitUntil('spoke watch: MODIFIED w-spoke', () => /^MODIFIED\s+w-spoke\s/m.test(spoke.out()));
  await new Promise((r) => setTimeout(r, 200));
  hub.child.kill();
  spoke.child.kill();

  assert.not.match(spoke.out(), /\sw1\s|\sw2\s/, `spoke watch saw hub objects:\n${spoke.out()}`);
  assert.not.match(hub.out(), /w-spoke/, `hub watch saw spoke objects:\n${hub.out()}`);
  const events = (o: string) => lines(o).filter((l) => !l.startsWith('EVENT')).map((l) => l.split(/\s+/).slice(0, 2).join(' '));
  assert.equal(events(hub.out()), ['ADDED w1', 'MODIFIED w1', 'ADDED w2', 'DELETED w1']);
  assert.equal(events(spoke.out()), ['ADDED w-spoke', 'MODIFIED w-spoke']);
});

// --- delete ---

test('delete a configmap: it is gone from hub, the spoke-1 one stays', async () => {
  assert.is(await ok('hub', '-n', 'demo', 'delete', 'configmap', 'c1'), 'configmap "c1" deleted\n');
  assert.is(await fails('hub', '-n', 'demo', 'get', 'configmap', 'c1'), 'Error from server (NotFound): configmaps "c1" not found\n');
  assert.is(await ok('spoke-1', '-n', 'demo', 'get', 'configmap', 'c1', '-o', 'name'), 'configmap/c1\n');
});

test('delete a deployment: it is gone from hub, the spoke-1 one stays', async () => {
  assert.is(await ok('hub', '-n', 'demo', 'delete', 'deployment', 'redis-master'), 'deployment.apps "redis-master" deleted\n');
  assert.is(await fails('hub', '-n', 'demo', 'get', 'deployment', 'redis-master'),
    'Error from server (NotFound): deployments.apps "redis-master" not found\n');
  assert.equal(lines(await ok('hub', '-n', 'demo', 'get', 'deploy', '-o', 'name')), ['deployment.apps/frontend', 'deployment.apps/redis-replica']);
  assert.is(await ok('spoke-1', '-n', 'demo', 'get', 'deployment', 'redis-master', '-o', 'name'), 'deployment.apps/redis-master\n');
  assert.is(await fails('hub', '-n', 'demo', 'delete', 'deployment', 'redis-master'),
    'Error from server (NotFound): deployments.apps "redis-master" not found\n');
});

// --- errors, as kubectl prints them ---

test('get of a missing object', async () => {
  assert.is(await fails('hub', 'get', 'configmap', 'nope'), 'Error from server (NotFound): configmaps "nope" not found\n');
  assert.is(await fails('spoke-1', 'get', 'configmap', 'nope'), 'Error from server (NotFound): configmaps "nope" not found\n');
});

test('creating a duplicate', async () => {
  // c1 in demo was deleted above in hub but still exists in spoke-1.
  assert.is(await fails('spoke-1', 'create', '-f', 'cm-spoke.yaml'),
    'Error from server (AlreadyExists): error when creating "cm-spoke.yaml": configmaps "c1" already exists\n');
  assert.is(await ok('hub', 'create', '-f', 'cm-c1.yaml'), 'configmap/c1 created\n');
  assert.is(await fails('hub', 'create', '-f', 'cm-c1.yaml'),
    'Error from server (AlreadyExists): error when creating "cm-c1.yaml": configmaps "c1" already exists\n');
});

test('a bad name is Invalid with the RFC 1123 message', async () => {
  // For a 422 with details, kubectl's checkErr prints `The <Kind> "<name>" is invalid: <field>: <cause>`
  // (not `Error from server (Invalid): …`; KC/pkg/cmd/util/helpers.go).
  const rfc1123 = `metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
  assert.is(await fails('hub', 'create', '-f', 'cm-bad.yaml'), `The ConfigMap "Bad_Name" is invalid: ${rfc1123}\n`);
  // The Status on the wire that kubectl formatted.
  const r = await ts.req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } });
  assert.is(r.status, 422);
  const st = r.json<any>();
  assert.is(st.reason, 'Invalid');
  assert.is(st.message, `ConfigMap "Bad_Name" is invalid: ${rfc1123}`);
  assert.equal(st.details.causes, [{ reason: 'FieldValueInvalid', message: rfc1123.slice('metadata.name: '.length), field: 'metadata.name' }]);
});

test('create in a missing namespace', async () => {
  assert.is(await fails('hub', 'create', '-f', 'cm-nons.yaml'),
    'Error from server (NotFound): error when creating "cm-nons.yaml": namespaces "nope" not found\n');
});

// --- discovery, OpenAPI, identity, version ---

test('api-resources lists short names', async () => {
  const out = lines(await ok('hub', 'api-resources'));
  assert.match(out[0], /^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/);
  const row = (name: string, version: string) => out.map((l) => l.split(/\s+/)).find((c) => c[0] === name && c.includes(version));
  assert.equal(row('pods', 'v1'), ['pods', 'po', 'v1', 'true', 'Pod']);
  assert.equal(row('deployments', 'apps/v1'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
  assert.equal(row('namespaces', 'v1'), ['namespaces', 'ns', 'v1', 'false', 'Namespace']);
  assert.equal(row('horizontalpodautoscalers', 'autoscaling/v2'), ['horizontalpodautoscalers', 'hpa', 'autoscaling/v2', 'true', 'HorizontalPodAutoscaler']);
  const spoke = lines(await ok('spoke-1', 'api-resources', '--api-group=apps', '-o', 'name'));
  assert.ok(spoke.includes('deployments.apps'), spoke.join(','));
});

test('api-versions', async () => {
  const out = lines(await ok('hub', 'api-versions'));
  for (const gv of ['v1', 'apps/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1', 'rbac.authorization.k8s.io/v1']) {
    assert.ok(out.includes(gv), `${gv} missing from ${out.join(',')}`);
  }
  assert.equal(out, [...out].sort(), 'kubectl sorts api-versions');
});

test('explain deployment.spec.replicas', async () => {
  const out = await ok('hub', 'explain', 'deployment.spec.replicas');
  assert.match(out, /^GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n/);
  assert.match(out, /FIELD: replicas <integer>/);
  assert.match(out, /Number of desired pods\. This is a pointer to distinguish between explicit\n\s+zero and not specified\. Defaults to 1\./);
});

test('auth whoami prints kemu-admin (typed, protobuf body)', async () => {
  const out = await ok('hub', 'auth', 'whoami');
  assert.match(out, /^ATTRIBUTE\s+VALUE\n/);
  assert.match(out, /^Username\s+kemu-admin$/m);
  assert.match(await ok('spoke-1', 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'), /^kemu-admin$/);
});

test('version -o json shows server 1.32', async () => {
  for (const ctx of ['hub', 'spoke-1'] as const) {
    const v = JSON.parse(await ok(ctx, 'version', '-o', 'json'));
    assert.is(v.serverVersion.major, '1');
    assert.is(v.serverVersion.minor, '32');
    assert.match(v.serverVersion.gitVersion, /^v1\.32\./);
  }
});

test.run();
