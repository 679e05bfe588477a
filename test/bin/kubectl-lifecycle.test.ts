// The simulated controllers seen through kubectl 1.32: a Deployment becomes a ReplicaSet and
// Running pods on the fake kwok nodes, `kubectl rollout status` returns, deleting the Deployment
// collects its ReplicaSet and pods, and deleting a populated namespace returns once it is gone.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Kubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let ts: TestServer;
let k: Kubectl;

test.before(async () => {
  ts = await startTestServer({ spokes: 0 });
  k = await Kubectl.create(ts);
});

test.after(async () => {
  await k?.close();
  await ts?.close();
});

test('the hub has three Ready fake nodes', async () => {
  const out = await k.ok('hub', 'get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}');
  assert.is(out.trim(), 'kwok-node-0=True kwok-node-1=True kwok-node-2=True');
});

test('create deployment --replicas=20: rollout status returns and 20 pods run on the fake nodes', async () => {
  await k.ok('hub', 'create', 'namespace', 'apps');
  assert.is(await k.ok('hub', '-n', 'apps', 'create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=20'), 'deployment.apps/web created\n');
  const status = await k.ok('hub', '-n', 'apps', 'rollout', 'status', 'deployment/web', '--timeout=30s');
  assert.match(status, /deployment "web" successfully rolled out\n$/);
  const pods = (await k.ok('hub', '-n', 'apps', 'get', 'pods', '--no-headers', '-o', 'custom-columns=PHASE:.status.phase,NODE:.spec.nodeName')).trim().split('\n');
  assert.is(pods.length, 20);
  for (const line of pods) assert.match(line, /^Running\s+kwok-node-[0-2]$/);
  const nodes = new Set(pods.map((l) => l.split(/\s+/)[1]));
  assert.is(nodes.size, 3, 'pods spread over the three nodes');
});

test('the controllers write through the request path: their requests are counted and flow-controlled', async () => {
  const text = (await ts.req('GET', '/metrics')).text;
  // 20 pods created by the replicaset controller, as any client's POSTs are counted.
  const created = /apiserver_request_total\{verb="POST",dry_run="",group="",version="v1",resource="pods",subresource="",scope="namespace",component="apiserver",cluster="hub",code="201"\} (\d+)/.exec(text);
  assert.ok(created && Number(created[1]) >= 20, String(created?.[1]));
  // kube-controller-manager's service accounts in kube-system have a FlowSchema of their own.
  assert.match(text, /apiserver_flowcontrol_dispatched_requests_total\{priority_level="workload-high",flow_schema="kube-system-service-accounts",cluster="hub"\} [1-9]\d*/);
});

test('a rolling update to a new image: rollout status returns, revision 2, all pods on the new ReplicaSet', async () => {
  assert.is(await k.ok('hub', '-n', 'apps', 'set', 'image', 'deployment/web', 'nginx=nginx:1.28'), 'deployment.apps/web image updated\n');
  assert.match(await k.ok('hub', '-n', 'apps', 'rollout', 'status', 'deployment/web', '--timeout=30s'), /deployment "web" successfully rolled out\n$/);
  assert.is(await k.ok('hub', '-n', 'apps', 'get', 'deployment/web', '-o', 'jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}'), '2');
  const rs = (await k.ok('hub', '-n', 'apps', 'get', 'rs', '--no-headers', '-o', 'custom-columns=REPLICAS:.spec.replicas,IMAGE:.spec.template.spec.containers[0].image')).trim().split('\n').sort();
  assert.equal(rs.map((l) => l.split(/\s+/).join(' ')), ['0 nginx:1.27', '20 nginx:1.28']);
});

test('deleting the Deployment collects its ReplicaSet and pods (background propagation)', async () => {
  assert.is(await k.ok('hub', '-n', 'apps', 'delete', 'deployment', 'web'), 'deployment.apps "web" deleted\n');
  for (let i = 0; i < 200; i++) {
    const left = await k.ok('hub', '-n', 'apps', 'get', 'replicasets,pods', '-o', 'name');
    if (left === '') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.is(await k.ok('hub', '-n', 'apps', 'get', 'replicasets,pods', '-o', 'name'), '');
});

test('controllers switch per cluster at run time: with the scheduler off a pod stays unbound', async () => {
  const off = await ts.req('PUT', '/kemu/v1/clusters/hub/controllers', { controllers: '*,-scheduler' });
  assert.is(off.status, 200, off.text);
  assert.ok(!off.json<{ controllers: string[] }>().controllers.includes('scheduler'));
  await k.ok('hub', '-n', 'apps', 'run', 'lonely', '--image=nginx');
  await new Promise((r) => setTimeout(r, 500));
  assert.is(await k.ok('hub', '-n', 'apps', 'get', 'pod', 'lonely', '-o', 'jsonpath={.status.phase}/{.spec.nodeName}'), 'Pending/');
  // Switched back on, the scheduler looks at what the cluster holds and binds the pod.
  assert.is((await ts.req('PUT', '/kemu/v1/clusters/hub/controllers', { controllers: '*' })).status, 200);
  for (let i = 0; i < 100; i++) {
    if ((await k.ok('hub', '-n', 'apps', 'get', 'pod', 'lonely', '-o', 'jsonpath={.status.phase}')) === 'Running') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(await k.ok('hub', '-n', 'apps', 'get', 'pod', 'lonely', '-o', 'jsonpath={.status.phase}/{.spec.nodeName}'), /^Running\/kwok-node-[0-2]$/);
  const bad = await ts.req('PUT', '/kemu/v1/clusters/hub/controllers', { controllers: '*,-nosuch' });
  assert.is(bad.status, 400);
});

test('kubectl delete namespace of a populated namespace returns when it is gone', async () => {
  await k.ok('hub', 'create', 'namespace', 'full');
  await k.ok('hub', '-n', 'full', 'create', 'deployment', 'd', '--image=nginx', '--replicas=5');
  await k.ok('hub', '-n', 'full', 'create', 'configmap', 'c', '--from-literal=a=b');
  await k.ok('hub', '-n', 'full', 'rollout', 'status', 'deployment/d', '--timeout=30s');
  assert.is(await k.ok('hub', 'delete', 'namespace', 'full', '--timeout=30s'), 'namespace "full" deleted\n');
  const gone = await k.run('hub', 'get', 'namespace', 'full');
  assert.is(gone.stderr, 'Error from server (NotFound): namespaces "full" not found\n');
});

test.run();
