// kube-controller-manager's workload controllers and garbage collector as pure functions:
// given the objects a controller sees (and the time, and a random source where it names pods),
// the writes it makes in one sync. An engine driven by the store's events runs them and applies
// the writes through the registry; nothing here touches the store.
//
// What upstream watches, so an engine knows when to call what:
//   reconcileDeployment   a Deployment, its ReplicaSets (and, for Recreate, pods) change
//   reconcileReplicaSet   a ReplicaSet or a pod it owns/selects changes
//   reconcileJob          a Job or its pods change (and again after requeueAfterMs)
//   reconcileStatefulSet  a StatefulSet or its pods change
//   reconcileDaemonSet    a DaemonSet, its pods or any Node change
//   reconcileServiceAccounts  a Namespace is added, or its `default` ServiceAccount deleted
//   collectGarbage        any object with ownerReferences, or any owner, changes or goes
// Upstream controllers wait until their own creates and deletes show up in their caches
// ("expectations") before syncing that object again; here the equivalent is to apply a sync's
// writes before calling the same controller for the same object with a fresh snapshot.
export type { DeleteRef, PropagationPolicy, WorkloadEvent, Writes } from './writes.js';
export { reconcileDeployment } from './deployment.js';
export { reconcileReplicaSet, podsToDelete, BURST_REPLICAS } from './replicaset.js';
export { reconcileJob, JOB_TRACKING_FINALIZER, COMPLETION_INDEX } from './job.js';
export { reconcileStatefulSet, type StatefulSetInputs, POD_NAME_LABEL, POD_INDEX_LABEL } from './statefulset.js';
export { reconcileDaemonSet, nodeShouldRunDaemonPod } from './daemonset.js';
export { defaultServiceAccount, reconcileServiceAccounts } from './serviceaccount.js';
export {
  collectGarbage, dependentsOf, dependentsToDelete, FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type OwnerLookup,
} from './gc.js';
export { computePodTemplateHash, hashControllerRevision } from './hash.js';
export { CONTROLLER_REVISION_HASH } from './revisions.js';
export { isPodAvailable, isPodReady } from './pods.js';
