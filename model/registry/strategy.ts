// Per-type behaviour, looked up by group/resource, as the generic registry's strategies do in
// kube-apiserver (pkg/registry/<group>/<resource>/strategy.go). Everything not listed here uses
// the default strategy.
import type { FieldError } from '../status.js';
import type { KubeObject } from '../object.js';
import type { Rng } from '../rng.js';
import { allocateServiceAddresses, takenBy } from './service-ips.js';
import type { ResourceType } from '../catalog.js';
import type { NameRule } from '../validation.js';
import { CLEANUP_FINALIZER } from '../crd/resource-types.js';
import { validateCRD } from '../crd/validate-crd.js';

export interface Strategy {
  readonly nameRule: NameRule;
  /** metadata.generation is set to 1 on create and bumped when the spec changes. */
  readonly tracksGeneration: boolean;
  /** PUT of a missing object creates it (Events, Leases, Endpoints). */
  readonly allowCreateOnUpdate: boolean;
  /** DELETE answers with the deleted object instead of a Success Status. */
  readonly returnDeletedObject: boolean;
  /** Sets server-owned fields on a new object (status defaults, finalizers). */
  prepareForCreate(obj: KubeObject): void;
  /** Restores or sets server-owned fields on an update of the main resource. */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
  validate(obj: KubeObject): FieldError[];
  /**
   * Schema defaulting and pruning after decoding (custom resources); returns the paths of the
   * unknown fields it dropped, for fieldValidation.
   */
  normalize?(obj: KubeObject): string[];
  /** A finalizer every delete adds, holding the object until a controller has cleaned up. */
  readonly deleteFinalizer?: string;
  /**
   * Writes to /status keep the annotations they carry (the apps status strategies reset only
   * spec and labels: the deployment controller records its revision annotation with the status).
   */
  readonly statusKeepsAnnotations?: boolean;
  /**
   * Hands out what must be unique among the type's objects in a cluster (a Service's ClusterIP
   * and NodePorts). `existing` are the stored objects plus creates still in flight.
   */
  allocate?(obj: KubeObject, existing: Iterable<KubeObject>, rng: Rng): FieldError[];
}

interface ServiceSpec {
  type?: string;
  clusterIP?: string;
  clusterIPs?: string[];
  ipFamilies?: string[];
  ipFamilyPolicy?: string;
  ports?: { port?: number; protocol?: string; nodePort?: number }[];
}

const base: Strategy = {
  nameRule: 'subdomain',
  tracksGeneration: false,
  allowCreateOnUpdate: false,
  returnDeletedObject: false,
  prepareForCreate() {},
  prepareForUpdate() {},
  validate: () => [],
};

export function define(overrides: Partial<Strategy>): Strategy {
  return Object.freeze({ ...base, ...overrides });
}

const generation = define({ tracksGeneration: true });
const appsWorkload = define({ tracksGeneration: true, statusKeepsAnnotations: true });

// Which types use DNS labels and which keep generation: registry strategies and ValidateObjectMeta
// callers in pkg/apis/*/validation (ValidateNamespaceName, ValidateServiceName, ...).
const STRATEGIES: Record<string, Strategy> = {
  '/namespaces': define({
    nameRule: 'label',
    returnDeletedObject: true,
    prepareForCreate(obj) {
      // The NamespaceDefaultLabelName feature (GA in 1.22) labels every namespace with its name.
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
      const spec = (obj.spec ?? {}) as { finalizers?: string[] };
      if (!spec.finalizers?.includes('kubernetes')) spec.finalizers = [...(spec.finalizers ?? []), 'kubernetes'];
      obj.spec = spec;
      obj.status = { phase: 'Active' };
    },
    prepareForUpdate(obj, old) {
      obj.metadata.labels = { ...obj.metadata.labels, 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
      // spec.finalizers change only through the finalize subresource.
      obj.spec = { ...(obj.spec as object | undefined), finalizers: (old.spec as { finalizers?: string[] } | undefined)?.finalizers };
    },
  }),
  '/services': define({
    nameRule: 'dns1035',
    allocate: (obj, existing, rng) => allocateServiceAddresses(obj, takenBy(existing), rng),
    // Allocated addresses outlive an update that leaves them out (service/strategy.go
    // PrepareForUpdate and the allocator's keep-old rules).
    prepareForUpdate(obj, old) {
      const spec = (obj.spec ?? {}) as ServiceSpec;
      const was = (old.spec ?? {}) as ServiceSpec;
      for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy'] as const) {
        if (spec[k] === undefined && was[k] !== undefined) (spec as Record<string, unknown>)[k] = was[k];
      }
      for (const port of spec.ports ?? []) {
        const prev = was.ports?.find((p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
        if (port.nodePort === undefined && prev?.nodePort !== undefined && spec.type !== 'ClusterIP') port.nodePort = prev.nodePort;
      }
      obj.spec = spec;
    },
  }),
  '/pods': define({
    returnDeletedObject: true,
    prepareForCreate(obj) {
      obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
    },
  }),
  '/serviceaccounts': define({ returnDeletedObject: true }),
  '/replicationcontrollers': generation,
  '/events': define({ allowCreateOnUpdate: true }),
  '/endpoints': define({ allowCreateOnUpdate: true }),
  'events.k8s.io/events': define({ allowCreateOnUpdate: true }),
  'coordination.k8s.io/leases': define({ allowCreateOnUpdate: true }),
  'apps/deployments': define({
    tracksGeneration: true,
    statusKeepsAnnotations: true,
    // apps/validation ValidateDeploymentStrategy: a Recreate Deployment has no rollingUpdate.
    validate(obj) {
      const strategy = (obj.spec as { strategy?: { type?: string; rollingUpdate?: unknown } } | undefined)?.strategy;
      return strategy?.type === 'Recreate' && strategy.rollingUpdate != null
        ? [{ type: 'FieldValueForbidden', field: 'spec.strategy.rollingUpdate', detail: "may not be specified when strategy `type` is 'Recreate'" }]
        : [];
    },
  }),
  'apps/replicasets': appsWorkload,
  'apps/statefulsets': appsWorkload,
  'apps/daemonsets': appsWorkload,
  'batch/jobs': generation,
  'batch/cronjobs': generation,
  'networking.k8s.io/ingresses': generation,
  'networking.k8s.io/networkpolicies': generation,
  'policy/poddisruptionbudgets': generation,
  'apiextensions.k8s.io/customresourcedefinitions': define({
    tracksGeneration: true,
    // customresourcedefinition/etcd.go Delete adds the cleanup finalizer; the CRD controller
    // deletes the custom resources and removes it.
    deleteFinalizer: CLEANUP_FINALIZER,
    prepareForCreate(obj) {
      defaultCRD(obj);
      const versions = (obj.spec as { versions?: { name?: string; storage?: boolean }[] }).versions ?? [];
      const storage = versions.find((v) => v.storage)?.name;
      obj.status = { conditions: [], acceptedNames: { plural: '', kind: '' }, storedVersions: storage ? [storage] : [] };
    },
    prepareForUpdate: (obj) => defaultCRD(obj),
    validate: (obj) => validateCRD(obj as unknown as Record<string, unknown>),
  }),
  'admissionregistration.k8s.io/validatingwebhookconfigurations': generation,
  'admissionregistration.k8s.io/mutatingwebhookconfigurations': generation,
  'admissionregistration.k8s.io/validatingadmissionpolicies': generation,
  'flowcontrol.apiserver.k8s.io/flowschemas': generation,
  'flowcontrol.apiserver.k8s.io/prioritylevelconfigurations': generation,
  'storage.k8s.io/storageclasses': define({ returnDeletedObject: true }),
  'rbac.authorization.k8s.io/roles': define({ nameRule: 'path' }),
  'rbac.authorization.k8s.io/clusterroles': define({ nameRule: 'path' }),
  'rbac.authorization.k8s.io/rolebindings': define({ nameRule: 'path' }),
  'rbac.authorization.k8s.io/clusterrolebindings': define({ nameRule: 'path' }),
};

/**
 * The fields a write to (sub)resource does not own (the strategies' GetResetFields): a type with
 * a status subresource keeps status out of main-resource writes, and spec and metadata out of
 * status writes.
 */
export function resetFieldsOf(rt: ResourceType, subresource: string): string[][] | undefined {
  if (!rt.subresources.some((s) => s.name === 'status')) return undefined;
  if (subresource !== 'status') return [['status']];
  return !rt.custom && strategyFor(rt.group, rt.resource).statusKeepsAnnotations ? [['spec'], ['metadata', 'labels']] : [['spec'], ['metadata']];
}

/** apiextensions v1 SetDefaults_CustomResourceDefinitionSpec. */
function defaultCRD(obj: KubeObject): void {
  const spec = (obj.spec ?? {}) as { conversion?: unknown; names?: { kind?: string; singular?: string; listKind?: string } };
  spec.conversion ??= { strategy: 'None' };
  const names = spec.names;
  if (names && typeof names.kind === 'string') {
    names.singular ??= names.kind.toLowerCase();
    names.listKind ??= `${names.kind}List`;
  }
  obj.spec = spec;
}

export function strategyFor(group: string, resource: string): Strategy {
  return STRATEGIES[`${group}/${resource}`] ?? base;
}
