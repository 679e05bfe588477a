// kubectl 1.32's write paths against kemu: client-side apply (three-way strategic merge patch
// with the last-applied annotation), patch of all three types, scale, label, annotate, edit-style
// replace, server-side apply with a conflict and --force-conflicts, and the Hive/OCM custom
// resources of fixtures/crds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixturesDir } from '../../model/fixtures.js';
import { Kubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let ts: TestServer;
let k: Kubectl;

function deployment(opts: { image: string; env: Record<string, string>; labels: Record<string, string>; sidecar: boolean }): string {
  const env = Object.entries(opts.env).map(([n, v]) => `\n        - name: ${n}\n          value: "${v}"`).join('');
  const labels = Object.entries(opts.labels).map(([n, v]) => `\n    ${n}: ${v}`).join('');
  const sidecar = opts.sidecar ? '\n      - name: sidecar\n        image: busybox:1.36' : '';
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: default
  labels:${labels}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: ${opts.image}
        env:${env}${sidecar}
`;
}

const write = (name: string, text: string): Promise<void> => writeFile(join(k.work, name), text);
const jsonpath = (kind: string, expr: string): Promise<string> => k.ok('hub', '-n', 'default', 'get', kind, '-o', `jsonpath=${expr}`);

test.before(async () => {
  ts = await startTestServer({ spokes: 1, crdsDir: join(fixturesDir(), 'crds') });
  k = await Kubectl.create(ts);
});

test.after(async () => {
  await k?.close();
  await ts?.close();
});

test('client-side apply creates, then a changed manifest configures: removed fields go, others\' fields stay', async () => {
  await write('web-1.yaml', deployment({ image: 'nginx:1.25', env: { A: '1', B: '2' }, labels: { tier: 'front', team: 'x' }, sidecar: true }));
  assert.is(await k.ok('hub', 'apply', '-f', 'web-1.yaml'), 'deployment.apps/web created\n');
  const annotation = await jsonpath('deployment/web', '{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}');
  assert.match(annotation, /"image":"nginx:1.25"/);
  // Someone else's change, which apply must keep.
  assert.is(await k.ok('hub', '-n', 'default', 'label', 'deployment/web', 'owner=ops'), 'deployment.apps/web labeled\n');
  assert.is(await k.ok('hub', 'apply', '-f', 'web-1.yaml'), 'deployment.apps/web unchanged\n');

  await write('web-2.yaml', deployment({ image: 'nginx:1.27', env: { A: '1' }, labels: { tier: 'front' }, sidecar: false }));
  assert.is(await k.ok('hub', 'apply', '-f', 'web-2.yaml'), 'deployment.apps/web configured\n');
  assert.is(await jsonpath('deployment/web', '{.spec.template.spec.containers[*].name}'), 'web');
  assert.is(await jsonpath('deployment/web', '{.spec.template.spec.containers[0].image}'), 'nginx:1.27');
  assert.is(await jsonpath('deployment/web', '{.spec.template.spec.containers[0].env[*].name}'), 'A');
  assert.is(await jsonpath('deployment/web', '{.metadata.labels}'), '{"owner":"ops","tier":"front"}');
  assert.is(await jsonpath('deployment/web', '{.metadata.generation}'), '2');
});

test('kubectl patch: strategic (merge by container name), merge and json', async () => {
  const smp = '{"spec":{"template":{"spec":{"containers":[{"name":"web","env":[{"name":"C","value":"3"}]}]}}}}';
  assert.is(await k.ok('hub', '-n', 'default', 'patch', 'deployment', 'web', '-p', smp), 'deployment.apps/web patched\n');
  // New list items go before the existing ones, as in the docs' kubectl patch example.
  assert.is(await jsonpath('deployment/web', '{.spec.template.spec.containers[0].env[*].name}'), 'C A');
  assert.is(await k.ok('hub', '-n', 'default', 'patch', 'deployment', 'web', '--type', 'merge', '-p', '{"metadata":{"annotations":{"m":"1"}}}'), 'deployment.apps/web patched\n');
  assert.is(await k.ok('hub', '-n', 'default', 'patch', 'deployment', 'web', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.28"}]'), 'deployment.apps/web patched\n');
  assert.is(await jsonpath('deployment/web', '{.spec.template.spec.containers[0].image}'), 'nginx:1.28');
  const failed = await k.fails('hub', '-n', 'default', 'patch', 'deployment', 'web', '--type', 'json', '-p', '[{"op":"test","path":"/spec/replicas","value":7}]');
  // The apiserver's 422 for a patch that does not apply carries no causes, so kubectl prints its message.
  assert.is(failed, 'The request is invalid: the server rejected our request due to an error in our request\n');
  assert.is(await k.ok('hub', '-n', 'default', 'patch', 'deployment', 'web', '-p', '{"spec":{"replicas":1}}'), 'deployment.apps/web patched (no change)\n');
});

test('kubectl scale, label, annotate and replace', async () => {
  assert.is(await k.ok('hub', '-n', 'default', 'scale', 'deployment/web', '--replicas=3'), 'deployment.apps/web scaled\n');
  assert.is(await jsonpath('deployment/web', '{.spec.replicas}'), '3');
  assert.is(await k.ok('hub', '-n', 'default', 'annotate', 'deployment/web', 'note=hello'), 'deployment.apps/web annotated\n');
  assert.is(await k.ok('hub', '-n', 'default', 'label', 'deployment/web', 'owner-'), 'deployment.apps/web unlabeled\n');
  const live = await k.ok('hub', '-n', 'default', 'get', 'deployment/web', '-o', 'yaml');
  await write('web-edited.yaml', live.replace('note: hello', 'note: edited'));
  assert.is(await k.ok('hub', 'replace', '-f', 'web-edited.yaml'), 'deployment.apps/web replaced\n');
  assert.is(await jsonpath('deployment/web', '{.metadata.annotations.note}'), 'edited');
});

test('server-side apply: managedFields, a conflict, and --force-conflicts', async () => {
  await write('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: default\ndata:\n  a: "1"\n  b: "2"\n');
  assert.is(await k.ok('hub', 'apply', '--server-side', '-f', 'cm.yaml'), 'configmap/ssa serverside-applied\n');
  const managers = await jsonpath('configmap/ssa', '{.metadata.managedFields[*].manager}');
  assert.is(managers, 'kubectl');
  await write('cm-other.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: default\ndata:\n  a: "changed"\n');
  const conflict = await k.fails('hub', 'apply', '--server-side', '--field-manager', 'other', '-f', 'cm-other.yaml');
  // An applier is named without "using <version>", which marks updaters.
  assert.match(conflict, /^error: Apply failed with 1 conflict: conflict with "kubectl": \.data\.a\n/);
  assert.is(await jsonpath('configmap/ssa', '{.data.a}'), '1');
  assert.is(await k.ok('hub', 'apply', '--server-side', '--field-manager', 'other', '--force-conflicts', '-f', 'cm-other.yaml'), 'configmap/ssa serverside-applied\n');
  assert.is(await jsonpath('configmap/ssa', '{.data.a}'), 'changed');
  // kubectl no longer owns .data.a, so dropping b from its config removes only b.
  await write('cm-2.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: default\ndata:\n  c: "3"\n');
  assert.is(await k.ok('hub', 'apply', '--server-side', '-f', 'cm-2.yaml'), 'configmap/ssa serverside-applied\n');
  assert.is(await jsonpath('configmap/ssa', '{.data}'), '{"a":"changed","c":"3"}');
});

test('Hive and OCM custom resources from fixtures/crds', async () => {
  const none = await k.run('hub', 'get', 'syncsets,manifestworks', '-A');
  assert.is(none.code, 0, none.stderr);
  assert.is(none.stderr, 'No resources found\n');
  await write('ss.yaml', `apiVersion: hive.openshift.io/v1
kind: SyncSet
metadata:
  name: ss1
  namespace: default
spec:
  clusterDeploymentRefs:
  - name: cd1
  resources:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: synced
      namespace: default
    data:
      k: v
`);
  await write('mw.yaml', `apiVersion: work.open-cluster-management.io/v1
kind: ManifestWork
metadata:
  name: mw1
  namespace: default
spec:
  workload:
    manifests:
    - apiVersion: v1
      kind: ConfigMap
      metadata:
        name: worked
        namespace: default
      data:
        k: v
`);
  assert.is(await k.ok('hub', 'apply', '-f', 'ss.yaml'), 'syncset.hive.openshift.io/ss1 created\n');
  assert.is(await k.ok('hub', 'apply', '-f', 'mw.yaml'), 'manifestwork.work.open-cluster-management.io/mw1 created\n');
  assert.is(await k.ok('hub', 'apply', '-f', 'mw.yaml'), 'manifestwork.work.open-cluster-management.io/mw1 unchanged\n');
  const both = await k.ok('hub', 'get', 'syncsets,manifestworks', '-n', 'default', '-o', 'name');
  assert.is(both, 'syncset.hive.openshift.io/ss1\nmanifestwork.work.open-cluster-management.io/mw1\n');
  assert.is(await jsonpath('manifestwork/mw1', '{.spec.workload.manifests[0].data.k}'), 'v');
  assert.is(await jsonpath('syncset/ss1', '{.spec.resources[0].metadata.name}'), 'synced');
});

test('KubeVirt: a VirtualMachineInstance example applies and prints the CRD\'s columns', async () => {
  const vmi = join(fixturesDir(), 'manifests', 'kubevirt', 'vmi-fedora.yaml');
  assert.is(await k.ok('hub', '-n', 'default', 'apply', '--server-side', '-f', vmi), 'virtualmachineinstance.kubevirt.io/vmi-fedora serverside-applied\n');
  assert.is(await jsonpath('vmi/vmi-fedora', '{.spec.domain.memory.guest}'), '1024M');
  const header = (await k.ok('hub', '-n', 'default', 'get', 'vmis')).split('\n')[0];
  assert.equal(header.split(/\s+/), ['NAME', 'AGE', 'PHASE', 'IP', 'NODENAME', 'READY']);
});

test.run();
