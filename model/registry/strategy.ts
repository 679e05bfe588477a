// Per-type behaviour, looked up by group/resource, as the generic registry's strategies do in
// kube-apiserver (pkg/registry/<group>/<resource>/strategy.go). Everything not listed here uses
// the default strategy.
import type { FieldError } from '../status.js';
import type { KubeObject } from '../object.js';
import type { Rng } from '../rng.js';
import { allocateServiceAddresses, takenBy } from './service-ips.js';
import type { NameRule } from '../validation.js';

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

function define(overrides: Partial<Strategy>): Strategy {
  return Object.freeze({ ...base, ...overrides });
}

const generation = define({ tracksGeneration: true });

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
  'apps/deployments': generation,
  'apps/replicasets': generation,
  'apps/statefulsets': generation,
  'apps/daemonsets': generation,
  'batch/jobs': generation,
  'batch/cronjobs': generation,
  'networking.k8s.io/ingresses': generation,
  'networking.k8s.io/networkpolicies': generation,
  'policy/poddisruptionbudgets': generation,
  'apiextensions.k8s.io/customresourcedefinitions': generation,
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

export function strategyFor(group: string, resource: string): Strategy {
  return STRATEGIES[`${group}/${resource}`] ?? base;
}
