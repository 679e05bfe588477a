// `--nodes N`: fake Nodes for the scheduler and the node stages, named and labelled as kwokctl
// names the nodes it creates (kwokctl/resource/node.yaml): the node stages make them Ready.
import type { ResourceType } from '../catalog.js';
import type { Registry, RequestScope } from '../registry/registry.js';
import { isStatus } from '../status.js';

const USER = { name: 'system:kemu:nodes', uid: 'kemu-nodes', groups: ['system:masters', 'system:authenticated'] };

export function fakeNode(name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
      labels: { 'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/role': 'agent', 'node-role.kubernetes.io/agent': '', type: 'kwok' },
    },
    spec: {},
    status: {
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
    },
  };
}

/** Creates `kwok-node-0` … `kwok-node-<n-1>` in a cluster (existing ones are kept). */
export async function ensureNodes(registry: Registry, nodes: ResourceType, cluster: string, n: number): Promise<void> {
  const scope: RequestScope = { cluster, user: USER };
  const results = await Promise.all(Array.from({ length: n }, (_, i) => registry.create(scope, nodes, '', fakeNode(`kwok-node-${i}`), {})));
  for (const r of results) if (isStatus(r) && r.code !== 409) throw new Error(`creating nodes in ${cluster}: ${r.message}`);
}
