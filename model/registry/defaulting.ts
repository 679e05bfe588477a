// Scheme defaulting, as kube-apiserver runs it when it decodes a create, update or patch body
// (pkg/apis/{core,apps,batch}/v1/defaults.go and the declarative `+default` markers in
// k8s.io/api). Clients read these fields back, and controllers and `kubectl diff` rely on them
// being there, so an emulator that stores bodies verbatim looks subtly unlike a real server.
//
// Only fields the client left unset are filled: a value the client sent always wins.
// Server-owned fields that are not scheme defaults (Service ClusterIPs, a Job's generated
// selector, admission plugins' serviceAccountName/tolerations/priority) live elsewhere.
import { isPlainObject, type KubeObject } from '../object.js';

type Json = Record<string, unknown>;

// ---- small helpers: every body is untrusted JSON, so each step checks the shape it expects ----

function obj(v: unknown): Json | undefined {
  return isPlainObject(v) ? v : undefined;
}

function each(v: unknown, fn: (item: Json) => void): void {
  if (!Array.isArray(v)) return;
  for (const item of v) if (isPlainObject(item)) fn(item);
}

/** Sets each key of `defaults` the target lacks; descends where both sides are objects. */
function fill(target: Json, defaults: Json): void {
  for (const [k, v] of Object.entries(defaults)) {
    if (target[k] === undefined || target[k] === null) target[k] = structuredClone(v);
    else if (isPlainObject(v) && isPlainObject(target[k])) fill(target[k] as Json, v);
  }
}

/** The object at `key`, created empty when absent (Go structs that are not pointers). */
function ensure(target: Json, key: string): Json | undefined {
  if (target[key] === undefined || target[key] === null) target[key] = {};
  return obj(target[key]);
}

// Go's metav1.Time has no omitempty, so every embedded ObjectMeta (pod templates, job templates,
// claim templates) serializes an unset creationTimestamp as null; real responses show it.
function templateMeta(template: Json): void {
  const meta = ensure(template, 'metadata');
  if (meta && !('creationTimestamp' in meta)) meta.creationTimestamp = null;
}

// ---- pod spec (SetDefaults_PodSpec, _Container, _Probe, _Volume and friends) ----

const POD_SPEC_DEFAULTS: Json = {
  dnsPolicy: 'ClusterFirst',
  restartPolicy: 'Always',
  securityContext: {},
  terminationGracePeriodSeconds: 30,
  schedulerName: 'default-scheduler',
};

const PROBE_DEFAULTS: Json = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 };

// 0644: SecretVolumeSourceDefaultMode and its ConfigMap/DownwardAPI/Projected siblings.
const FILE_MODE = 0o644;

// Per volume source, the fields the scheme defaults (declarative +default markers included).
const VOLUME_SOURCE_DEFAULTS: Record<string, Json> = {
  secret: { defaultMode: FILE_MODE },
  configMap: { defaultMode: FILE_MODE },
  downwardAPI: { defaultMode: FILE_MODE },
  projected: { defaultMode: FILE_MODE },
  hostPath: { type: '' },
  iscsi: { iscsiInterface: 'default' },
  rbd: { pool: 'rbd', user: 'admin', keyring: '/etc/ceph/keyring' },
};

/**
 * The pull policy an image gets (SetDefaults_Container via parsers.ParseImageName): Always for
 * an explicit or implied `latest` tag, IfNotPresent for any other tag or a digest.
 */
export function defaultPullPolicy(image: unknown): 'Always' | 'IfNotPresent' {
  if (typeof image !== 'string' || image === '') return 'IfNotPresent';
  if (image.includes('@')) {
    // name:tag@digest keeps its tag; a bare digest has none and is not "latest".
    return tagOf(image.slice(0, image.indexOf('@'))) === 'latest' ? 'Always' : 'IfNotPresent';
  }
  const tag = tagOf(image);
  return tag === undefined || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

// The tag follows the last ':' of the last path segment; a ':' before a '/' is a registry port.
function tagOf(ref: string): string | undefined {
  const lastSegment = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon < 0 ? undefined : lastSegment.slice(colon + 1);
}

function handler(h: Json | undefined): void {
  if (!h) return;
  const http = obj(h.httpGet);
  if (http) fill(http, { path: '/', scheme: 'HTTP' });
  const grpc = obj(h.grpc);
  if (grpc) fill(grpc, { service: '' });
}

function fieldRef(holder: Json | undefined): void {
  const ref = obj(holder?.fieldRef);
  if (ref) fill(ref, { apiVersion: 'v1' });
}

function container(c: Json, isPod: boolean, hostNetwork: boolean): void {
  fill(c, {
    imagePullPolicy: defaultPullPolicy(c.image),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    // ResourceRequirements is a struct without omitempty: `resources: {}` is always there.
    resources: {},
  });
  each(c.ports, (p) => {
    fill(p, { protocol: 'TCP' });
    // SetDefaults_Pod only: with host networking a container port is a host port.
    if (isPod && hostNetwork && !p.hostPort && p.containerPort !== undefined) p.hostPort = p.containerPort;
  });
  for (const key of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const probe = obj(c[key]);
    if (!probe) continue;
    fill(probe, PROBE_DEFAULTS);
    handler(probe);
  }
  const lifecycle = obj(c.lifecycle);
  if (lifecycle) for (const key of ['postStart', 'preStop']) handler(obj(lifecycle[key]));
  each(c.env, (e) => fieldRef(obj(e.valueFrom)));
  // SetDefaults_Pod only (not templates): requests default to limits, per resource.
  const resources = obj(c.resources);
  const limits = obj(resources?.limits);
  if (isPod && resources && limits) {
    const requests = ensure(resources, 'requests');
    if (requests) for (const [k, v] of Object.entries(limits)) if (requests[k] === undefined) requests[k] = v;
  }
}

function volume(v: Json): void {
  // A volume that names no source is an emptyDir (SetDefaults_Volume).
  if (Object.keys(v).every((k) => k === 'name')) v.emptyDir = {};
  for (const [source, defaults] of Object.entries(VOLUME_SOURCE_DEFAULTS)) {
    const s = obj(v[source]);
    if (s) fill(s, defaults);
  }
  each(obj(v.downwardAPI)?.items, fieldRef);
  each(obj(v.projected)?.sources, (src) => {
    each(obj(src.downwardAPI)?.items, fieldRef);
    const token = obj(src.serviceAccountToken);
    if (token) fill(token, { expirationSeconds: 3600 });
  });
  const claimSpec = obj(obj(obj(v.ephemeral)?.volumeClaimTemplate)?.spec);
  if (claimSpec) fill(claimSpec, { volumeMode: 'Filesystem' });
}

/** Defaults a PodSpec; `isPod` adds what SetDefaults_Pod sets on Pods but not on templates. */
export function defaultPodSpec(spec: Json, isPod: boolean): void {
  fill(spec, POD_SPEC_DEFAULTS);
  if (isPod) fill(spec, { enableServiceLinks: true });
  const hostNetwork = spec.hostNetwork === true;
  for (const key of ['initContainers', 'containers', 'ephemeralContainers']) {
    each(spec[key], (c) => container(c, isPod, hostNetwork));
  }
  each(spec.volumes, volume);
}

function podTemplate(template: unknown): void {
  const t = obj(template);
  if (!t) return;
  templateMeta(t);
  const spec = obj(t.spec);
  if (spec) defaultPodSpec(spec, false);
}

// ---- per type ----

/** A workload whose labels (and selector) default to its pod template's labels. */
function labelsFromTemplate(o: KubeObject, spec: Json, withSelector: boolean): void {
  const labels = obj(obj(obj(spec.template)?.metadata)?.labels);
  if (!labels) return;
  if (withSelector && (!obj(spec.selector) || Object.keys(spec.selector as Json).length === 0)) spec.selector = { ...labels };
  if (!o.metadata.labels || Object.keys(o.metadata.labels).length === 0) o.metadata.labels = { ...labels as Record<string, string> };
}

function deployment(spec: Json): void {
  fill(spec, { replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 });
  const strategy = ensure(spec, 'strategy');
  if (!strategy) return;
  fill(strategy, { type: 'RollingUpdate' });
  if (strategy.type === 'RollingUpdate') fill(strategy, { rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
}

function daemonSet(spec: Json): void {
  fill(spec, { revisionHistoryLimit: 10 });
  const strategy = ensure(spec, 'updateStrategy');
  if (!strategy) return;
  fill(strategy, { type: 'RollingUpdate' });
  if (strategy.type === 'RollingUpdate') fill(strategy, { rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
}

function statefulSet(spec: Json): void {
  fill(spec, {
    replicas: 1,
    revisionHistoryLimit: 10,
    podManagementPolicy: 'OrderedReady',
    // StatefulSetAutoDeletePVC, beta and on by default since 1.27.
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
  });
  const strategy = ensure(spec, 'updateStrategy');
  if (!strategy) return;
  // rollingUpdate is created only when the type was defaulted, but a partition is filled in
  // whenever a RollingUpdate strategy carries a rollingUpdate.
  if (strategy.type === undefined || strategy.type === '') fill(strategy, { type: 'RollingUpdate', rollingUpdate: {} });
  const rolling = obj(strategy.rollingUpdate);
  if (strategy.type === 'RollingUpdate' && rolling) fill(rolling, { partition: 0 });
  each(spec.volumeClaimTemplates, (claim) => {
    templateMeta(claim);
    const claimSpec = obj(claim.spec);
    if (claimSpec) fill(claimSpec, { volumeMode: 'Filesystem' });
    // The generated defaulter runs SetDefaults_PersistentVolumeClaim on each template too.
    const status = ensure(claim, 'status');
    if (status) fill(status, { phase: 'Pending' });
  });
}

// Job's backoffLimit under backoffLimitPerIndex: effectively unlimited (math.MaxInt32).
const MAX_INT32 = 2147483647;

function job(o: KubeObject, spec: Json): void {
  if (spec.completions == null && spec.parallelism == null) spec.completions = 1;
  fill(spec, {
    parallelism: 1,
    backoffLimit: spec.backoffLimitPerIndex != null ? MAX_INT32 : 6,
    completionMode: 'NonIndexed',
    suspend: false,
    // JobPodReplacementPolicy, beta and on by default since 1.29.
    podReplacementPolicy: spec.podFailurePolicy != null ? 'Failed' : 'TerminatingOrFailed',
  });
  each(obj(spec.podFailurePolicy)?.rules, (rule) => each(rule.onPodConditions, (c) => fill(c, { status: 'True' })));
  labelsFromTemplate(o, spec, false);
}

function cronJob(spec: Json): void {
  fill(spec, { concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
  // The embedded JobSpec gets no SetDefaults_Job (that runs on Job objects), only its template's.
  const jobTemplate = obj(spec.jobTemplate);
  if (!jobTemplate) return;
  templateMeta(jobTemplate);
  podTemplate(obj(jobTemplate.spec)?.template);
}

function service(spec: Json): void {
  fill(spec, { type: 'ClusterIP', sessionAffinity: 'None' });
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') fill(spec, { sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });
  each(spec.ports, (p) => {
    fill(p, { protocol: 'TCP' });
    if ((p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') && p.port !== undefined) {
      p.targetPort = p.port;
    }
  });
  const type = spec.type;
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort'
    || (type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0);
  if (externallyAccessible) fill(spec, { externalTrafficPolicy: 'Cluster' });
  if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') fill(spec, { internalTrafficPolicy: 'Cluster' });
  if (type === 'LoadBalancer') fill(spec, { allocateLoadBalancerNodePorts: true });
}

type Defaulter = (o: KubeObject, spec: Json) => void;

// Keyed by group/resource; each gets the object's .spec (created when a Go struct would be).
const SPEC_DEFAULTERS: Record<string, Defaulter> = {
  '/pods': (_o, spec) => defaultPodSpec(spec, true),
  '/replicationcontrollers': (o, spec) => {
    // Replicas is declaratively defaulted, after the selector and labels.
    labelsFromTemplate(o, spec, true);
    fill(spec, { replicas: 1 });
    podTemplate(spec.template);
  },
  '/services': (_o, spec) => service(spec),
  'apps/deployments': (_o, spec) => { deployment(spec); podTemplate(spec.template); },
  'apps/replicasets': (_o, spec) => { fill(spec, { replicas: 1 }); podTemplate(spec.template); },
  'apps/statefulsets': (_o, spec) => { statefulSet(spec); podTemplate(spec.template); },
  'apps/daemonsets': (_o, spec) => { daemonSet(spec); podTemplate(spec.template); },
  'batch/jobs': (o, spec) => { job(o, spec); podTemplate(spec.template); },
  'batch/cronjobs': (_o, spec) => cronJob(spec),
  '/persistentvolumeclaims': (_o, spec) => fill(spec, { volumeMode: 'Filesystem' }),
};

/** Fills in the scheme defaults of a decoded object in place. Unknown types are left alone. */
export function applyDefaults(group: string, resource: string, o: KubeObject): void {
  const key = `${group}/${resource}`;
  if (key === '/podtemplates') {
    podTemplate(o.template);
    return;
  }
  if (key === '/secrets') {
    if (o.type === undefined || o.type === null || o.type === '') o.type = 'Opaque';
    return;
  }
  if (key === '/endpoints') {
    each(o.subsets, (s) => each(s.ports, (p) => fill(p, { protocol: 'TCP' })));
    return;
  }
  const defaulter = SPEC_DEFAULTERS[key];
  if (!defaulter) return;
  const spec = ensure(o, 'spec');
  if (spec) defaulter(o, spec);
}
