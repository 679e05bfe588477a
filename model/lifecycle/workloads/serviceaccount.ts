// The serviceaccounts controller (pkg/controller/serviceaccount/serviceaccounts_controller.go):
// every active namespace gets a ServiceAccount named "default". Since 1.24 no token Secret is
// made for it; pods get projected tokens instead.
import type { KubeObject } from '../../object.js';
import { status } from './meta.js';
import type { Writes } from './writes.js';

/** The `default` ServiceAccount a new namespace gets. */
export function defaultServiceAccount(namespace: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } };
}

/** syncNamespace: create `default` unless it exists or the namespace is going away. */
export function reconcileServiceAccounts(namespace: KubeObject, serviceAccounts: readonly KubeObject[]): Writes {
  const ns = namespace.metadata.name ?? '';
  if (namespace.metadata.deletionTimestamp !== undefined || status(namespace).phase === 'Terminating') return {};
  if (serviceAccounts.some((sa) => sa.metadata.namespace === ns && sa.metadata.name === 'default')) return {};
  return { create: [defaultServiceAccount(ns)] };
}
