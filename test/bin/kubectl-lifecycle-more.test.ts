// The job, statefulset, daemonset, serviceaccount, kwok-vmi and nodelease controllers seen
// through kubectl 1.32: a Job of 3 completions completes, a StatefulSet's pods web-0..2 run, a
// DaemonSet runs a pod on each fake node, a new namespace gets its `default` ServiceAccount, a
// KubeVirt VMI goes to Running, and every node's Lease in kube-node-lease is renewed.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fixturesDir } from '../../model/fixtures.js';
import { Kubectl } from '../helpers/kubectl.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let ts: TestServer;
let k: Kubectl;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function manifest(name: string, text: string): Promise<string> {
  const path = join(k.work, name);
  await writeFile(path, text);
  return path;
}

/** Polls `kubectl args` until its output passes `done` (or ~`ms` pass); returns the last output. */
async function until(ms: number, done: (out: string) => boolean, ...args: string[]): Promise<string> {
  const end = Date.now() + ms;
  let out = '';
  for (;;) {
    out = await k.ok('hub', ...args);
    if (done(out) || Date.now() > end) return out;
    await sleep(100);
  }
}

test.before(async () => {
  ts = await startTestServer({ spokes: 0, crdsDir: join(fixturesDir(), 'crds') });
  k = await Kubectl.create(ts);
  await k.ok('hub', 'create', 'namespace', 'more');
});

test.after(async () => {
  await k?.close();
  await ts?.close();
});

test('a Job with completions 3 completes', async () => {
  const file = await manifest('job.yaml', `apiVersion: batch/v1
kind: Job
metadata:
  name: x
  namespace: more
spec:
  completions: 3
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox
`);
  assert.is(await k.ok('hub', 'apply', '-f', file), 'job.batch/x created\n');
  assert.is(await k.ok('hub', '-n', 'more', 'wait', '--for=condition=complete', 'job/x', '--timeout=30s'), 'job.batch/x condition met\n');
  assert.is(await k.ok('hub', '-n', 'more', 'get', 'job', 'x', '-o', 'jsonpath={.status.succeeded}'), '3');
  // The Job's pods by owner (kemu does not yet generate the Job's selector and job-name labels).
  const pods = (await k.ok('hub', '-n', 'more', 'get', 'pods', '--no-headers', '-o', 'custom-columns=OWNER:.metadata.ownerReferences[0].kind,PHASE:.status.phase'))
    .trim().split('\n').map((l) => l.split(/\s+/).join(' ')).filter((l) => l.startsWith('Job '));
  assert.equal(pods, ['Job Succeeded', 'Job Succeeded', 'Job Succeeded']);
});

test('a StatefulSet of 3 gets Running pods web-0..2', async () => {
  const file = await manifest('sts.yaml', `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  namespace: more
spec:
  replicas: 3
  serviceName: web
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
`);
  assert.is(await k.ok('hub', 'apply', '-f', file), 'statefulset.apps/web created\n');
  const status = await k.ok('hub', '-n', 'more', 'rollout', 'status', 'statefulset/web', '--timeout=30s');
  assert.match(status, /partitioned roll out complete: 3 new pods have been updated...\n$/);
  const pods = await k.ok('hub', '-n', 'more', 'get', 'pods', '-l', 'app=web', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,PHASE:.status.phase');
  assert.equal(pods.trim().split('\n').map((l) => l.split(/\s+/).join(' ')), ['web-0 Running', 'web-1 Running', 'web-2 Running']);
});

test('a DaemonSet runs one pod on each of the three nodes', async () => {
  const file = await manifest('ds.yaml', `apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  namespace: more
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: busybox
`);
  assert.is(await k.ok('hub', 'apply', '-f', file), 'daemonset.apps/agent created\n');
  const status = await k.ok('hub', '-n', 'more', 'rollout', 'status', 'daemonset/agent', '--timeout=30s');
  assert.match(status, /daemon set "agent" successfully rolled out\n$/);
  const pods = await k.ok('hub', '-n', 'more', 'get', 'pods', '-l', 'app=agent', '--no-headers', '-o', 'custom-columns=NODE:.spec.nodeName,PHASE:.status.phase');
  assert.equal(pods.trim().split('\n').map((l) => l.split(/\s+/).join(' ')).sort(), ['kwok-node-0 Running', 'kwok-node-1 Running', 'kwok-node-2 Running']);
  assert.is(await k.ok('hub', '-n', 'more', 'get', 'daemonset', 'agent', '-o', 'jsonpath={.status.desiredNumberScheduled}/{.status.numberReady}'), '3/3');
});

test('a new namespace gets its default ServiceAccount, and gets it back when deleted', async () => {
  await k.ok('hub', 'create', 'namespace', 'fresh');
  const out = await until(10_000, (o) => o !== '', '-n', 'fresh', 'get', 'serviceaccounts', '-o', 'name');
  assert.is(out, 'serviceaccount/default\n');
  await k.ok('hub', '-n', 'fresh', 'delete', 'serviceaccount', 'default');
  assert.is(await until(10_000, (o) => o !== '', '-n', 'fresh', 'get', 'serviceaccounts', '-o', 'name'), 'serviceaccount/default\n');
});

test('the VMI example goes Pending → Scheduling → Scheduled → Running', async () => {
  const watch = k.spawn('hub', '-n', 'more', 'get', 'vmis', '--watch', '--output-watch-events', '-o', 'custom-columns=EVENT:.type,PHASE:.object.status.phase');
  await sleep(300);
  assert.is(await k.ok('hub', '-n', 'more', 'apply', '-f', join(fixturesDir(), 'manifests', 'kubevirt', 'vmi-fedora.yaml')), 'virtualmachineinstance.kubevirt.io/vmi-fedora created\n');
  assert.is(await k.ok('hub', '-n', 'more', 'wait', "--for=jsonpath={.status.phase}=Running", 'vmi/vmi-fedora', '--timeout=30s'), 'virtualmachineinstance.kubevirt.io/vmi-fedora condition met\n');
  const table = await k.ok('hub', '-n', 'more', 'get', 'vmis');
  assert.match(table, /^NAME\s+AGE\s+PHASE\s+IP\s+NODENAME\s+READY\n/);
  assert.match(table, /\nvmi-fedora\s+\S+\s+Running\s+10\.\d+\.\d+\.\d+\s+kwok-node-0\s+True\n$/);
  const phases = [...watch.out().matchAll(/^(ADDED|MODIFIED)\s+(\S+)$/gm)].map((m) => m[2]).filter((p, i, all) => p !== all[i - 1]);
  assert.equal(phases, ['<none>', 'Pending', 'Scheduling', 'Scheduled', 'Running'], watch.out());
  watch.child.kill('SIGKILL');
});

test('each node has a Lease in kube-node-lease, renewed every 10 s', async () => {
  const read = async (): Promise<Map<string, string>> => {
    const out = await k.ok('hub', '-n', 'kube-node-lease', 'get', 'leases', '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.spec.holderIdentity} {.spec.leaseDurationSeconds} {.spec.renewTime}{"\\n"}{end}');
    const m = new Map<string, string>();
    for (const line of out.trim().split('\n').filter((l) => l !== '')) {
      const [name, holder, duration, renew] = line.split(' ');
      assert.is(holder, name);
      assert.is(duration, '40');
      m.set(name, renew);
    }
    return m;
  };
  const first = await read();
  assert.equal([...first.keys()].sort(), ['kwok-node-0', 'kwok-node-1', 'kwok-node-2']);
  for (const t of first.values()) assert.match(t, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  const end = Date.now() + 15_000;
  let now = first;
  while (Date.now() < end) {
    now = await read();
    if ([...now].every(([n, t]) => Date.parse(t) > Date.parse(first.get(n)!))) break;
    await sleep(250);
  }
  for (const [n, t] of now) {
    const gap = Date.parse(t) - Date.parse(first.get(n)!);
    assert.ok(gap >= 9_900 && gap <= 10_500, `${n} renewed after ${gap} ms`);
  }
});

test.run();
