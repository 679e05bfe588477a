// Scheme defaulting and Service address allocation. The goldens in test/golden/defaults pair a
// request body with what kube-apiserver 1.32 answered (recorded wire replays where one exists;
// each file's `source` says which); fields another part of the apiserver sets (admission
// plugins, the Job strategy, the allocators) are listed with why under `ignore`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../model/fixtures.js';
import type { KubeObject } from '../../model/object.js';
import { applyDefaults, defaultPullPolicy } from '../../model/registry/defaulting.js';
import {
  allocateServiceAddresses, NODE_PORT_MAX, NODE_PORT_MIN, takenBy, type TakenAddresses,
} from '../../model/registry/service-ips.js';
import { seededRng } from '../../model/rng.js';
import { startTestServer } from '../helpers/server.js';

const GOLDEN = join(repoRoot(), 'test', 'golden', 'defaults');

interface Golden {
  source: string;
  group: string;
  resource: string;
  request: KubeObject;
  response: KubeObject;
  ignore: Record<string, string>;
}

type Json = Record<string, unknown>;

function golden(name: string): Golden {
  return JSON.parse(readFileSync(join(GOLDEN, `${name}.json`), 'utf8')) as Golden;
}

function dropPath(o: unknown, path: string): void {
  const parts = path.split('.');
  let cur = o as Json | undefined;
  for (const p of parts.slice(0, -1)) cur = cur?.[p] as Json | undefined;
  if (cur) delete cur[parts[parts.length - 1]];
}

/** What the comparison leaves out: server bookkeeping, status, and each golden's ignored fields. */
function comparable(o: KubeObject, ignore: Record<string, string>): KubeObject {
  const c = structuredClone(o);
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields', 'generation', 'name']) delete c.metadata[k];
  delete c.status;
  for (const path of Object.keys(ignore)) dropPath(c, path);
  return c;
}

const NONE_TAKEN: TakenAddresses = { clusterIP: () => false, nodePort: () => false };

for (const name of ['deployment', 'pod', 'service', 'job', 'statefulset', 'daemonset', 'cronjob']) {
  test(`${name}: the defaulted request equals the 1.32 response`, () => {
    const g = golden(name);
    const obj = structuredClone(g.request);
    // The registry fills the namespace from the URL before storing.
    obj.metadata.namespace ??= g.response.metadata.namespace;
    applyDefaults(g.group, g.resource, obj);
    if (g.resource === 'services') assert.equal(allocateServiceAddresses(obj, NONE_TAKEN, seededRng(1)), []);
    assert.equal(comparable(obj, g.ignore), comparable(g.response, g.ignore));
  });
}

test('defaulting is idempotent on what a real server stored (deployment-list, pod-list)', () => {
  const replay = JSON.parse(readFileSync(join(GOLDEN, 'replay-specs.json'), 'utf8')) as Record<string, { name: string; spec: Json }[]>;
  let n = 0;
  for (const [group, resource] of [['apps', 'deployments'], ['', 'pods']]) {
    for (const item of replay[resource]) {
      const obj: KubeObject = { metadata: { name: item.name }, spec: structuredClone(item.spec) };
      applyDefaults(group, resource, obj);
      assert.equal(obj.spec, item.spec, `${resource}/${item.name}`);
      n++;
    }
  }
  assert.ok(n >= 9);
});

test('client values are kept', () => {
  const d: KubeObject = {
    metadata: { name: 'd' },
    spec: {
      replicas: 0, revisionHistoryLimit: 2, strategy: { type: 'Recreate' },
      template: { spec: { restartPolicy: 'Never', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'x:latest', imagePullPolicy: 'Never', ports: [{ containerPort: 53, protocol: 'UDP' }] }] } },
    },
  };
  applyDefaults('apps', 'deployments', d);
  const spec = d.spec as Json;
  assert.is(spec.replicas, 0);
  assert.is(spec.revisionHistoryLimit, 2);
  assert.equal(spec.strategy, { type: 'Recreate' });
  const pod = (spec.template as Json).spec as Json;
  assert.is(pod.restartPolicy, 'Never');
  assert.is(pod.terminationGracePeriodSeconds, 0);
  const c = (pod.containers as Json[])[0];
  assert.is(c.imagePullPolicy, 'Never');
  assert.equal(c.ports, [{ containerPort: 53, protocol: 'UDP' }]);

  const s: KubeObject = { metadata: { name: 's' }, spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, externalTrafficPolicy: 'Local', ports: [{ port: 80, targetPort: 'http' }] } };
  applyDefaults('', 'services', s);
  const ss = s.spec as Json;
  assert.is(ss.allocateLoadBalancerNodePorts, false);
  assert.is(ss.externalTrafficPolicy, 'Local');
  assert.equal(ss.ports, [{ port: 80, targetPort: 'http', protocol: 'TCP' }]);

  const secret: KubeObject = { metadata: { name: 'x' }, type: 'kubernetes.io/tls' };
  applyDefaults('', 'secrets', secret);
  assert.is(secret.type, 'kubernetes.io/tls');
  const plain: KubeObject = { metadata: { name: 'y' } };
  applyDefaults('', 'secrets', plain);
  assert.is(plain.type, 'Opaque');
});

test('image pull policy follows the tag', () => {
  assert.is(defaultPullPolicy('nginx'), 'Always');
  assert.is(defaultPullPolicy('nginx:latest'), 'Always');
  assert.is(defaultPullPolicy('nginx:1.27'), 'IfNotPresent');
  assert.is(defaultPullPolicy('localhost:5000/nginx'), 'Always');
  assert.is(defaultPullPolicy('localhost:5000/nginx:1'), 'IfNotPresent');
  assert.is(defaultPullPolicy('nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'), 'IfNotPresent');
});

test('pod-only defaults do not reach templates', () => {
  const limits = { cpu: '1' };
  const pod: KubeObject = { metadata: { name: 'p' }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'x:1', resources: { limits }, ports: [{ containerPort: 8080 }] }] } };
  applyDefaults('', 'pods', pod);
  const pc = ((pod.spec as Json).containers as Json[])[0];
  assert.is((pod.spec as Json).enableServiceLinks, true);
  assert.equal(pc.resources, { limits, requests: limits });
  assert.equal(pc.ports, [{ containerPort: 8080, protocol: 'TCP', hostPort: 8080 }]);

  const rs: KubeObject = { metadata: { name: 'r' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1', resources: { limits } }] } } } };
  applyDefaults('apps', 'replicasets', rs);
  const tpl = (((rs.spec as Json).template as Json).spec) as Json;
  assert.is(tpl.enableServiceLinks, undefined);
  assert.equal((tpl.containers as Json[])[0].resources, { limits });
});

// ---- allocation ----

function svc(name: string, spec: Json): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec };
}

function inServiceCIDR(ip: string): boolean {
  const [a, b, c, d] = ip.split('.').map(Number);
  const n = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  const base = ((10 << 24) | (96 << 16)) >>> 0;
  return n > base + 1 && n < base + 2 ** 20 - 1;
}

test('clusterIPs are in 10.96.0.0/12, never .0/.1, and unique; nodePorts in range and unique', () => {
  const existing: KubeObject[] = [svc('kubernetes', { clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ port: 443 }] })];
  // A tiny random source would collide constantly; a stuck one shows the fallback scan works.
  for (const rng of [seededRng(7), { next: () => 0.5 }]) {
    const made = [...existing];
    for (let i = 0; i < 50; i++) {
      const s = svc(`s${i}`, { type: i % 2 ? 'NodePort' : 'LoadBalancer', ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }, { port: 80 }] });
      applyDefaults('', 'services', s);
      assert.equal(allocateServiceAddresses(s, takenBy(made), rng), []);
      made.push(s);
    }
    const ips = made.slice(1).map((s) => (s.spec as Json).clusterIP as string);
    assert.ok(ips.every(inServiceCIDR), ips.join(' '));
    assert.is(new Set([...ips, '10.96.0.1']).size, 51);
    for (const s of made.slice(1)) assert.equal((s.spec as Json).clusterIPs, [(s.spec as Json).clusterIP]);
    const ports = made.slice(1).flatMap((s) => ((s.spec as Json).ports as Json[]).map((p) => p.nodePort as number));
    assert.ok(ports.every((p) => p >= NODE_PORT_MIN && p <= NODE_PORT_MAX));
    // TCP and UDP 53 share one NodePort; distinct port numbers and services never do.
    for (const s of made.slice(1)) {
      const [udp, tcp, http] = ((s.spec as Json).ports as Json[]).map((p) => p.nodePort);
      assert.is(udp, tcp);
      assert.is.not(udp, http);
    }
    assert.is(new Set(ports).size, 100);
  }
});

test('headless stays None; chosen addresses are kept or refused when taken', () => {
  const headless = svc('h', { clusterIP: 'None', selector: { app: 'x' }, ports: [{ port: 80 }] });
  applyDefaults('', 'services', headless);
  assert.equal(allocateServiceAddresses(headless, NONE_TAKEN, seededRng(1)), []);
  const hs = headless.spec as Json;
  assert.is(hs.clusterIP, 'None');
  assert.equal(hs.clusterIPs, ['None']);
  assert.equal(hs.ipFamilies, ['IPv4']);
  assert.is(hs.ipFamilyPolicy, 'SingleStack');
  const bare = svc('b', { clusterIP: 'None' });
  allocateServiceAddresses(bare, NONE_TAKEN, seededRng(1));
  assert.is((bare.spec as Json).ipFamilyPolicy, 'RequireDualStack');

  const chosen = svc('c', { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80, nodePort: 30080 }] });
  applyDefaults('', 'services', chosen);
  assert.equal(allocateServiceAddresses(chosen, NONE_TAKEN, seededRng(1)), []);
  assert.is((chosen.spec as Json).clusterIP, '10.96.0.10');
  assert.equal((chosen.spec as Json).clusterIPs, ['10.96.0.10']);
  assert.is(((chosen.spec as Json).ports as Json[])[0].nodePort, 30080);

  const taken = takenBy([chosen]);
  const again = svc('d', { type: 'NodePort', clusterIP: '10.96.0.10', ports: [{ port: 80 }] });
  assert.equal(allocateServiceAddresses(again, taken, seededRng(1)).map((e) => e.detail), ['failed to allocate IP 10.96.0.10: provided IP is already allocated']);
  const port = svc('e', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
  assert.equal(allocateServiceAddresses(port, taken, seededRng(1)).map((e) => e.field), ['spec.ports[0].nodePort']);
  const outside = svc('f', { clusterIP: '10.0.0.10' });
  assert.equal(allocateServiceAddresses(outside, NONE_TAKEN, seededRng(1)).map((e) => e.field), ['spec.clusterIPs']);

  const external = svc('x', { type: 'ExternalName', externalName: 'example.com' });
  applyDefaults('', 'services', external);
  assert.equal(allocateServiceAddresses(external, NONE_TAKEN, seededRng(1)), []);
  assert.equal(external.spec, { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
});

test('through the API: creates are defaulted and get unique ClusterIPs, concurrent creates included', async () => {
  const ts = await startTestServer();
  try {
    const SVC = '/api/v1/namespaces/default/services';
    const bodies = Array.from({ length: 50 }, (_, i) => ({ metadata: { name: `svc-${i}` }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }));
    const created = await Promise.all(bodies.map((b) => ts.req('POST', SVC, b)));
    assert.equal(created.map((r) => r.status), bodies.map(() => 201));
    const specs = created.map((r) => r.json<{ spec: Json }>().spec);
    const ips = specs.map((s) => s.clusterIP as string);
    assert.ok(ips.every(inServiceCIDR));
    assert.is(new Set(ips).size, 50);
    const ports = specs.map((s) => (s.ports as Json[])[0].nodePort as number);
    assert.is(new Set(ports).size, 50);
    assert.equal((specs[0].ports as Json[])[0].targetPort, 80);

    const dup = await ts.req('POST', SVC, { metadata: { name: 'dup' }, spec: { clusterIP: ips[0], ports: [{ port: 80 }] } });
    assert.is(dup.status, 422);

    const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
    const g = golden('deployment');
    const d = await ts.req('POST', DEPLOY, g.request);
    assert.is(d.status, 201);
    assert.equal(comparable(d.json<KubeObject>(), {}), comparable(g.response, {}));
    // Updates are defaulted too: a PUT that drops a defaulted field gets it back.
    const cur = d.json<KubeObject>();
    delete (cur.spec as Json).revisionHistoryLimit;
    const put = await ts.req('PUT', `${DEPLOY}/${cur.metadata.name}`, cur);
    assert.is(put.status, 200);
    assert.is((put.json<KubeObject>().spec as Json).revisionHistoryLimit, 10);
    assert.is(put.json<KubeObject>().metadata.resourceVersion, cur.metadata.resourceVersion);
  } finally {
    await ts.close();
  }
});

test.run();
