// Objects walked through the shipped stage sets in virtual time: match, wait, apply, repeat,
// as a controller driving this engine would.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  applyStage, bundledStages, delayOf, matchStage, sequentialAddresses, type StageContext, type StageOutcome, type Stage,
} from '../../../../model/lifecycle/kwok/index.js';
import type { KubeObject } from '../../../../model/object.js';
import { seededRng } from '../../../../model/rng.js';
import { isStatus } from '../../../../model/status.js';

const T0 = Date.parse('2026-03-01T08:00:00Z');

function stages(...sets: string[]): Stage[] {
  const s = bundledStages(...sets);
  if (isStatus(s)) throw new Error(s.message);
  return s;
}

interface Walk {
  readonly obj: KubeObject;
  readonly path: string[];
  readonly outcomes: StageOutcome[];
  readonly elapsed: number;
}

/** Applies matching stages until none matches (or `limit` steps), advancing a virtual clock by each delay. */
function walk(set: Stage[], start: KubeObject, ctx: Omit<StageContext, 'now'>, limit = 10, seed = 1): Walk {
  const rng = seededRng(seed);
  let now = T0;
  let obj = start;
  const path: string[] = [];
  const outcomes: StageOutcome[] = [];
  for (let i = 0; i < limit; i++) {
    const stage = matchStage(set, obj, rng);
    if (!stage) break;
    now += delayOf(stage, obj, now, rng);
    const out = applyStage(stage, obj, { ...ctx, now });
    if (isStatus(out)) throw new Error(out.message);
    path.push(stage.name);
    outcomes.push(out);
    obj = out.object;
    if (out.deleted) break;
  }
  return { obj, path, outcomes, elapsed: now - T0 };
}

// Loosely typed on purpose: the assertions below state the shapes.
const status = (o: KubeObject) => o.status as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function jobPod(extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'pi-x7k2q', namespace: 'batch', uid: 'uid-1', creationTimestamp: '2026-03-01T07:59:59Z', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'job-uid', controller: true }] },
    spec: { nodeName: 'node-0', containers: [{ name: 'pi', image: 'perl:5.34' }], restartPolicy: 'Never', ...extra },
    status: { phase: 'Pending', qosClass: 'BestEffort' },
  };
}

test('a new Node becomes Ready under node/fast, then only heartbeats', () => {
  const addresses = sequentialAddresses();
  const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-0', creationTimestamp: '2026-03-01T07:00:00Z', labels: { type: 'kwok' } } };
  const { obj, path, outcomes } = walk(stages('fast'), node, { addresses, version: 'v1.32.0' }, 3);
  assert.equal(path, ['node-initialize', 'node-heartbeat-with-lease', 'node-heartbeat-with-lease']);
  const first = outcomes[0];
  assert.equal(first.actions.map((a) => (a.kind === 'patch' ? `${a.type} ${a.subresource}` : a.kind)), ['application/merge-patch+json status']);
  const s0 = status(first.object);
  assert.equal(s0.conditions.map((c: { type: string; status: string }) => `${c.type}=${c.status}`), ['Ready=True', 'MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'NetworkUnavailable=False']);
  assert.is(s0.conditions[0].lastTransitionTime, '2026-03-01T07:00:00Z');
  assert.is(s0.conditions[0].lastHeartbeatTime, '2026-03-01T08:00:00Z');
  assert.equal(s0.addresses, [{ address: '172.16.0.1', type: 'InternalIP' }, { address: 'node-0', type: 'Hostname' }]);
  assert.equal(s0.allocatable, { cpu: '1k', memory: '1Ti', pods: '1M' });
  assert.equal(s0.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
  assert.is(s0.nodeInfo.kubeletVersion, 'kwok-v1.32.0');
  assert.is(s0.phase, 'Running');
  assert.equal(first.object.metadata, node.metadata, 'a status patch leaves metadata alone');
  // Heartbeats every 600–610 s refresh lastHeartbeatTime and keep what the node had.
  const beat = status(obj);
  const gap = Date.parse(beat.conditions[0].lastHeartbeatTime) - Date.parse(status(outcomes[1].object).conditions[0].lastHeartbeatTime);
  assert.ok(gap >= 600_000 && gap <= 610_000, String(gap));
  assert.equal(beat.addresses, s0.addresses);
  assert.is(beat.conditions[0].lastTransitionTime, '2026-03-01T07:00:00Z');
  assert.equal(beat.nodeInfo, s0.nodeInfo);
});

test('node-initialize keeps a node\'s own capacity, allocatable and nodeInfo', () => {
  const node: KubeObject = {
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'big' },
    status: { capacity: { cpu: '64', memory: '256Gi', pods: '110' }, allocatable: { cpu: '63', 'nvidia.com/gpu': '8' }, nodeInfo: { architecture: 'arm64' } },
  };
  const { obj } = walk(stages('node/fast'), node, { addresses: sequentialAddresses(), nodePort: 0 }, 1);
  const s = status(obj);
  assert.equal(s.capacity, { cpu: '64', memory: '256Gi', pods: '110' });
  assert.equal(s.allocatable, { cpu: '63', 'nvidia.com/gpu': '8' });
  assert.is(s.nodeInfo.architecture, 'arm64');
  assert.is(s.nodeInfo.kubeletVersion, 'kwok-v0.8.0');
  assert.is(s.daemonEndpoints, undefined, 'NodePort 0 leaves daemonEndpoints out');
});

test('a Job pod goes Pending -> Running -> Succeeded under pod/fast, on its node\'s IP', () => {
  const addresses = sequentialAddresses();
  assert.is(addresses.nodeIPs('node-0')[0], '172.16.0.1');
  const { obj, path, outcomes, elapsed } = walk(stages('pod/fast'), jobPod(), { addresses });
  assert.equal(path, ['pod-ready', 'pod-complete']);
  assert.is(elapsed, 0, 'pod/fast has no delays');
  const running = status(outcomes[0].object);
  assert.is(running.phase, 'Running');
  assert.is(running.podIP, '10.0.0.1');
  assert.equal(running.podIPs, [{ ip: '10.0.0.1' }]);
  assert.is(running.hostIP, '172.16.0.1');
  assert.is(running.startTime, '2026-03-01T08:00:00Z');
  assert.equal(running.conditions.map((c: { type: string }) => c.type), ['Initialized', 'Ready', 'ContainersReady']);
  assert.equal(running.containerStatuses, [{ image: 'perl:5.34', name: 'pi', ready: true, restartCount: 0, state: { running: { startedAt: '2026-03-01T08:00:00Z' } } }]);
  assert.is(running.qosClass, 'BestEffort', 'fields the template does not render are kept');
  assert.not.ok('initContainerStatuses' in running, 'an empty list renders as null, which the merge patch removes');
  const done = status(obj);
  assert.is(done.phase, 'Succeeded');
  assert.equal(done.containerStatuses[0].state, { terminated: { exitCode: 0, finishedAt: '2026-03-01T08:00:00Z', reason: 'Completed', startedAt: '2026-03-01T08:00:00Z' } });
  assert.is(done.podIP, '10.0.0.1');
  assert.ok(outcomes.every((o) => o.changed && !o.deleted));
});

test('a pod without a Job owner stays Running; a deleted pod is deleted', () => {
  const plain = jobPod();
  plain.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs' }];
  assert.equal(walk(stages('pod/fast'), plain, { addresses: sequentialAddresses() }).path, ['pod-ready']);
  const doomed = jobPod();
  doomed.metadata.deletionTimestamp = '2026-03-01T08:00:30Z';
  doomed.metadata.finalizers = ['example.com/keep'];
  const { path, outcomes } = walk(stages('pod/fast'), doomed, { addresses: sequentialAddresses() });
  assert.equal(path, ['pod-delete']);
  assert.equal(outcomes[0].actions, [{ kind: 'delete' }]);
  assert.ok(outcomes[0].deleted);
});

test('pod/general: a Job pod with an init container walks every stage, 1–5 s apart', () => {
  const pod = jobPod({ initContainers: [{ name: 'init', image: 'busybox' }] });
  const { obj, path, outcomes, elapsed } = walk(stages('pod/general'), pod, { addresses: sequentialAddresses() }, 10, 42);
  assert.equal(path, ['pod-create', 'pod-init-container-running', 'pod-init-container-completed', 'pod-ready', 'pod-complete']);
  assert.ok(elapsed >= 5 * 1000 && elapsed < 5 * 5000, String(elapsed));
  assert.equal(outcomes[0].events, [{ type: 'Normal', reason: 'Created', message: 'Created container' }]);
  assert.is(status(outcomes[0].object).phase, 'Pending');
  assert.is(status(outcomes[0].object).initContainerStatuses[0].state.waiting.reason, 'PodInitializing');
  assert.ok(status(outcomes[1].object).initContainerStatuses[0].started);
  assert.is(status(outcomes[3].object).phase, 'Running');
  // kwok sends merge patches, so pod-ready's two conditions replace the list (Initialized is gone).
  assert.equal(status(outcomes[3].object).conditions.map((c: { type: string }) => c.type), ['Ready', 'ContainersReady']);
  assert.is(status(obj).phase, 'Succeeded');
});

test('delays come from annotations per pod, as pod/general reads them', () => {
  const pod = jobPod();
  pod.metadata.annotations = { 'pod-create.stage.kwok.x-k8s.io/delay': '10s', 'pod-create.stage.kwok.x-k8s.io/jitter-delay': '10s' };
  const { path, elapsed } = walk(stages('pod/general'), pod, { addresses: sequentialAddresses() }, 1);
  assert.equal(path, ['pod-create']);
  assert.is(elapsed, 10_000);
});

test.run();
