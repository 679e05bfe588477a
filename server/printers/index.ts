// Per-type Table printers: the columns and cells kube-apiserver 1.32 serves for `kubectl get`
// (kubernetes pkg/printers/internalversion/printers.go, which the apiserver runs with Wide on, so
// every row carries the priority-1 cells too; kubectl hides them without `-o wide`). Objects
// here are the stored v1 JSON; where upstream reads a field the internal type always has after
// defaulting, the printer applies that default so a sparsely stored object prints the same.
import type { TablePrinter } from './base.js';
import { pods } from './pods.js';
import { configmaps, endpoints, events, leases, namespaces, nodes, persistentvolumeclaims, secrets, serviceaccounts, services } from './core.js';
import { cronjobs, daemonsets, deployments, jobs, replicasets, statefulsets } from './workloads.js';

export { humanDuration, translateTimestampSince, type ColumnDefinition, type TablePrinter } from './base.js';
export { customResourcePrinter } from './custom.js';

const PRINTERS: ReadonlyMap<string, TablePrinter> = new Map([
  ['/pods', pods],
  ['/nodes', nodes],
  ['/namespaces', namespaces],
  ['/services', services],
  ['/configmaps', configmaps],
  ['/secrets', secrets],
  ['/serviceaccounts', serviceaccounts],
  ['/endpoints', endpoints],
  ['/persistentvolumeclaims', persistentvolumeclaims],
  ['/events', events],
  ['apps/deployments', deployments],
  ['apps/replicasets', replicasets],
  ['apps/statefulsets', statefulsets],
  ['apps/daemonsets', daemonsets],
  ['batch/jobs', jobs],
  ['batch/cronjobs', cronjobs],
  ['coordination.k8s.io/leases', leases],
]);

/** The printer kube-apiserver registers for a built-in resource; undefined means the Name/Created At fallback. */
export function printerFor(group: string, resource: string): TablePrinter | undefined {
  return PRINTERS.get(`${group}/${resource}`);
}

