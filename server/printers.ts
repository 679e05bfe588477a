// Per-type Table printers: the columns and cells kube-apiserver 1.32 serves for `kubectl get`
// (kubernetes pkg/printers/internalversion/printers.go, which the apiserver runs with Wide on, so
// every row carries the priority-1 cells too; kubectl hides them without `-o wide`). Objects
// here are the stored v1 JSON; where upstream reads a field the internal type always has after
// defaulting, the printer applies that default so a sparsely stored object prints the same.
import type { KubeObject } from '../model/object.js';

export interface ColumnDefinition {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

export interface TableRowCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface TablePrinter {
  readonly columns: readonly ColumnDefinition[];
  /** One cell per column; ages are relative to `now` (ms since the epoch). */
  cells(obj: KubeObject, now: number): unknown[];
  /** metav1.TableRow conditions; only pods have them (Completed for Succeeded/Failed). */
  conditions?(obj: KubeObject): readonly TableRowCondition[] | undefined;
}

// SwaggerDoc() strings the upstream column definitions quote, as the 1.32 k8s.io/api Go comments
// render them (fixtures/k8s/proto holds the same comments). Upstream takes some from older group
// versions (extensions/v1beta1, batch/v1beta1), whose wording differs from apps/v1 and batch/v1.
const NAME_DOC = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const CREATED_DOC = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
const DOC = {
  podIP: "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
  nodeName: "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
  nominatedNodeName: "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.",
  readinessGates: "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates",
  svcType: "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types",
  clusterIP: "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
  externalIPs: "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.",
  ports: "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
  svcSelector: "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/",
  kubeletVersion: "Kubelet Version reported by the node.",
  addresses: "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).",
  osImage: "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
  kernelVersion: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
  containerRuntimeVersion: "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).",
  evLast: "The time at which the most recent occurrence of this event was recorded.",
  evType: "Type of this event (Normal, Warning), new types could be added in the future",
  evReason: "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
  evInvolved: "The object that this event is about.",
  evFieldPath: "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.",
  evSource: "The component reporting this event. Should be a short machine understandable string.",
  evMessage: "A human-readable description of the status of this operation.",
  evFirst: "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
  evCount: "The number of times this event has occurred.",
  secretType: "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types",
  secretData: "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4",
  cmData: "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.",
  saSecrets: "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret",
  epSubsets: "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.",
  pvcPhase: "phase represents the current phase of PersistentVolumeClaim.",
  pvcVolumeName: "volumeName is the binding reference to the PersistentVolume backing this claim.",
  pvcCapacity: "capacity represents the actual resources of the underlying volume.",
  pvcAccessModes: "accessModes contains the actual access modes the volume backing the PVC has. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1",
  pvcVolumeMode: "volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.",
  rsReplicas: "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller",
  rsStatusReplicas: "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller",
  rsReady: "The number of ready replicas for this replica set.",
  rsSelector: "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
  dsDesired: "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
  dsCurrent: "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
  dsReady: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.",
  dsUpdated: "The total number of nodes that are running updated daemon pod",
  dsAvailable: "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
  nodeSelector: "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
  dsSelector: "A label query over pods that are managed by the daemon set. Must match in order to be controlled. If empty, defaulted to labels on Pod template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
  depUpdated: "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
  depAvailable: "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
  depSelector: "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.",
  jobSucceeded: "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.",
  jobSelector: "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
  cjSchedule: "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.",
  cjTimeZone: "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones",
  cjSuspend: "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.",
  cjActive: "A list of pointers to currently running jobs.",
  cjLast: "Information when was the last time the job was successfully scheduled.",
  leaseHolder: "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.",
} as const;


// ---- reading untyped JSON ----

type Obj = Record<string, unknown>;

function rec(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Obj : {};
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function int(v: unknown, dflt = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : dflt;
}

function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(rec(v))) if (typeof x === 'string') out[k] = x;
  return out;
}

function path(o: unknown, ...keys: string[]): unknown {
  let v = o;
  for (const k of keys) v = rec(v)[k];
  return v;
}

// ---- time ----

// Go's zero time.Time serializes as this; upstream prints it as unknown, like a missing stamp.
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** Milliseconds since the epoch of an RFC 3339 stamp, or undefined for none, zero or garbage. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) || t === GO_ZERO_TIME ? undefined : t;
}

/** apimachinery duration.HumanDuration: two significant units at most, coarser as it grows. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  // Up to a second or so in the future is clock skew between machines, read as "now".
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    const y = Math.trunc(hours / 24 / 365);
    return dy === 0 ? `${y}y` : `${y}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** printers.go translateTimestampSince: the age of a stamp, `<unknown>` when there is none. */
export function translateTimestampSince(ts: unknown, now: number): string {
  const t = parseTime(ts);
  return t === undefined ? '<unknown>' : humanDuration(now - t);
}

function age(obj: KubeObject, now: number): string {
  return translateTimestampSince(obj.metadata.creationTimestamp, now);
}

// ---- shared formatting ----

/** labels.FormatLabels: sorted `k=v` pairs, `<none>` when empty. */
function formatLabels(m: Record<string, string>): string {
  const s = Object.keys(m).sort().map((k) => `${k}=${m[k]}`).join(',');
  return s === '' ? '<none>' : s;
}

const SELECTOR_OPS: Record<string, string> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key; undefined when the
 * selector is invalid. No selector and an empty selector both print as ''.
 */
function labelSelectorString(sel: unknown): string | undefined {
  if (sel === undefined || sel === null) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(strMap(path(sel, 'matchLabels')))) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of list(path(sel, 'matchExpressions'))) {
    const key = str(path(e, 'key'));
    const op = SELECTOR_OPS[str(path(e, 'operator'))];
    const values = list(path(e, 'values')).filter((x): x is string => typeof x === 'string').sort();
    if (op === undefined) return undefined;
    if (op === 'exists') reqs.push({ key, text: key });
    else if (op === '!') reqs.push({ key, text: `!${key}` });
    else reqs.push({ key, text: `${key} ${op} (${values.join(',')})` });
  }
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: `<none>` for an empty selector, `<error>` for an invalid one. */
function formatLabelSelector(sel: unknown): string {
  const s = labelSelectorString(sel);
  return s === undefined ? '<error>' : s === '' ? '<none>' : s;
}

/** layoutContainerCells: container names and images, comma separated. */
function containerCells(podSpec: unknown): [string, string] {
  const cs = list(path(podSpec, 'containers'));
  return [cs.map((c) => str(path(c, 'name'))).join(','), cs.map((c) => str(path(c, 'image'))).join(',')];
}

function col(name: string, type: string, description: string, priority = 0, format = ''): ColumnDefinition {
  return { name, type, format, description, priority };
}

const NAME = col('Name', 'string', NAME_DOC, 0, 'name');
const AGE = col('Age', 'string', CREATED_DOC);
const CONTAINERS = col('Containers', 'string', 'Names of each container in the template.', 1);
const IMAGES = col('Images', 'string', 'Images referenced by each container in the template.', 1);

function printer(columns: ColumnDefinition[], cells: (obj: KubeObject, now: number) => unknown[]): TablePrinter {
  return { columns, cells };
}

// ---- pods ----

const podSucceeded: readonly TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const podFailed: readonly TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

function isRestartableInit(c: unknown): boolean {
  return str(path(c, 'restartPolicy')) === 'Always';
}

function conditionTrue(conditions: unknown, type: string): boolean {
  return list(conditions).some((c) => str(path(c, 'type')) === type && str(path(c, 'status')) === 'True');
}

/** printPod: READY, STATUS and RESTARTS the way kubectl has always shown them. */
function podCells(pod: KubeObject, now: number): unknown[] {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const initSpecs = list(spec.initContainers);
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = list(spec.containers).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined): number | undefined => (b !== undefined && (a === undefined || b > a) ? b : a);

  const phase = str(status.phase);
  let reason = str(status.reason) || phase;
  for (const c of list(status.conditions)) {
    if (str(path(c, 'type')) === 'PodScheduled' && str(path(c, 'reason')) === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initByName = new Map<string, unknown>();
  for (const c of initSpecs) {
    initByName.set(str(path(c, 'name')), c);
    if (isRestartableInit(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = list(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const restartable = isRestartableInit(initByName.get(str(path(cs, 'name'))));
    const count = int(path(cs, 'restartCount'));
    const finished = parseTime(path(cs, 'lastState', 'terminated', 'finishedAt'));
    restarts += count;
    lastRestart = later(lastRestart, finished);
    if (restartable) {
      restartableInitRestarts += count;
      lastRestartableInitRestart = later(lastRestartableInitRestart, finished);
    }
    const terminated = path(cs, 'state', 'terminated');
    const waitingReason = str(path(cs, 'state', 'waiting', 'reason'));
    if (terminated !== undefined && int(path(terminated, 'exitCode')) === 0) continue;
    if (restartable && path(cs, 'started') === true) {
      if (path(cs, 'ready') === true) readyContainers++;
      continue;
    }
    if (terminated !== undefined) {
      const r = str(path(terminated, 'reason'));
      const signal = int(path(terminated, 'signal'));
      reason = r !== '' ? `Init:${r}` : signal !== 0 ? `Init:Signal:${signal}` : `Init:ExitCode:${int(path(terminated, 'exitCode'))}`;
    } else if (waitingReason !== '' && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = list(status.containerStatuses);
    // Backwards, so the first container's state is the one that names the pod's status.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += int(path(cs, 'restartCount'));
      lastRestart = later(lastRestart, parseTime(path(cs, 'lastState', 'terminated', 'finishedAt')));
      const waitingReason = str(path(cs, 'state', 'waiting', 'reason'));
      const terminated = path(cs, 'state', 'terminated');
      if (waitingReason !== '') {
        reason = waitingReason;
      } else if (terminated !== undefined && str(path(terminated, 'reason')) !== '') {
        reason = str(path(terminated, 'reason'));
      } else if (terminated !== undefined) {
        const signal = int(path(terminated, 'signal'));
        reason = signal !== 0 ? `Signal:${signal}` : `ExitCode:${int(path(terminated, 'exitCode'))}`;
      } else if (path(cs, 'ready') === true && path(cs, 'state', 'running') !== undefined) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A sidecar still running keeps a pod whose main containers completed from reading Completed.
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && str(status.reason) === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartsCell = restarts !== 0 && lastRestart !== undefined ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);

  // The internal type keeps only podIPs; converting v1 fills it from podIP when absent.
  const podIP = str(path(list(status.podIPs)[0], 'ip')) || str(status.podIP) || '<none>';
  let gates = '<none>';
  const readinessGates = list(spec.readinessGates);
  if (readinessGates.length > 0) {
    let ok = 0;
    for (const g of readinessGates) {
      const c = list(status.conditions).find((x) => str(path(x, 'type')) === str(path(g, 'conditionType')));
      if (c !== undefined && str(path(c, 'status')) === 'True') ok++;
    }
    gates = `${ok}/${readinessGates.length}`;
  }
  return [
    pod.metadata.name ?? '', `${readyContainers}/${totalContainers}`, reason, restartsCell, age(pod, now),
    podIP, str(spec.nodeName) || '<none>', str(status.nominatedNodeName) || '<none>', gates,
  ];
}

const pods: TablePrinter = {
  columns: [
    NAME,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE,
    col('IP', 'string', DOC.podIP, 1),
    col('Node', 'string', DOC.nodeName, 1),
    col('Nominated Node', 'string', DOC.nominatedNodeName, 1),
    col('Readiness Gates', 'string', DOC.readinessGates, 1),
  ],
  cells: podCells,
  conditions(pod) {
    const phase = str(path(pod.status, 'phase'));
    return phase === 'Succeeded' ? podSucceeded : phase === 'Failed' ? podFailed : undefined;
  },
};

// ---- workloads ----

const deployments = printer([
  NAME,
  col('Ready', 'string', 'Number of the pod with ready state'),
  col('Up-to-date', 'string', DOC.depUpdated),
  col('Available', 'string', DOC.depAvailable),
  AGE, CONTAINERS, IMAGES,
  col('Selector', 'string', DOC.depSelector, 1),
], (o, now) => {
  const status = rec(o.status);
  const [names, images] = containerCells(path(o.spec, 'template', 'spec'));
  // printDeployment prints the selector bare (no `<none>`), unlike the other workloads.
  const selector = labelSelectorString(path(o.spec, 'selector'));
  return [
    o.metadata.name ?? '', `${int(status.readyReplicas)}/${int(path(o.spec, 'replicas'), 1)}`,
    int(status.updatedReplicas), int(status.availableReplicas), age(o, now),
    names, images, selector ?? '<invalid>',
  ];
});

const replicasets = printer([
  NAME,
  col('Desired', 'integer', DOC.rsReplicas),
  col('Current', 'integer', DOC.rsStatusReplicas),
  col('Ready', 'integer', DOC.rsReady),
  AGE, CONTAINERS, IMAGES,
  col('Selector', 'string', DOC.rsSelector, 1),
], (o, now) => {
  const status = rec(o.status);
  const [names, images] = containerCells(path(o.spec, 'template', 'spec'));
  return [
    o.metadata.name ?? '', int(path(o.spec, 'replicas'), 1), int(status.replicas), int(status.readyReplicas), age(o, now),
    names, images, formatLabelSelector(path(o.spec, 'selector')),
  ];
});

const statefulsets = printer([
  NAME,
  col('Ready', 'string', 'Number of the pod with ready state'),
  AGE, CONTAINERS, IMAGES,
], (o, now) => {
  const [names, images] = containerCells(path(o.spec, 'template', 'spec'));
  return [o.metadata.name ?? '', `${int(path(o.status, 'readyReplicas'))}/${int(path(o.spec, 'replicas'), 1)}`, age(o, now), names, images];
});

const daemonsets = printer([
  NAME,
  col('Desired', 'integer', DOC.dsDesired),
  col('Current', 'integer', DOC.dsCurrent),
  col('Ready', 'integer', DOC.dsReady),
  col('Up-to-date', 'integer', DOC.dsUpdated),
  col('Available', 'integer', DOC.dsAvailable),
  col('Node Selector', 'string', DOC.nodeSelector),
  AGE, CONTAINERS, IMAGES,
  col('Selector', 'string', DOC.dsSelector, 1),
], (o, now) => {
  const status = rec(o.status);
  const podSpec = path(o.spec, 'template', 'spec');
  const [names, images] = containerCells(podSpec);
  return [
    o.metadata.name ?? '', int(status.desiredNumberScheduled), int(status.currentNumberScheduled), int(status.numberReady),
    int(status.updatedNumberScheduled), int(status.numberAvailable), formatLabels(strMap(path(podSpec, 'nodeSelector'))), age(o, now),
    names, images, formatLabelSelector(path(o.spec, 'selector')),
  ];
});

function jobCondition(status: Obj, type: string): boolean {
  // hasJobCondition: the first condition of the type decides.
  const c = list(status.conditions).find((x) => str(path(x, 'type')) === type);
  return c !== undefined && str(path(c, 'status')) === 'True';
}

const jobs = printer([
  NAME,
  col('Status', 'string', 'Status of the job.'),
  col('Completions', 'string', DOC.jobSucceeded),
  col('Duration', 'string', 'Time required to complete the job.'),
  AGE, CONTAINERS, IMAGES,
  col('Selector', 'string', DOC.jobSelector, 1),
], (o, now) => {
  const spec = rec(o.spec);
  const status = rec(o.status);
  const succeeded = int(status.succeeded);
  let completions: string;
  if (typeof spec.completions === 'number') completions = `${succeeded}/${int(spec.completions)}`;
  else if (int(spec.parallelism) > 1) completions = `${succeeded}/1 of ${int(spec.parallelism)}`;
  else completions = `${succeeded}/1`;
  const start = parseTime(status.startTime);
  const end = parseTime(status.completionTime);
  const duration = start === undefined ? '' : humanDuration((end ?? now) - start);
  const state = jobCondition(status, 'Complete') ? 'Complete'
    : jobCondition(status, 'Failed') ? 'Failed'
      : o.metadata.deletionTimestamp ? 'Terminating'
        : jobCondition(status, 'Suspended') ? 'Suspended'
          : jobCondition(status, 'FailureTarget') ? 'FailureTarget'
            : 'Running';
  const [names, images] = containerCells(path(spec, 'template', 'spec'));
  return [o.metadata.name ?? '', state, completions, duration, age(o, now), names, images, formatLabelSelector(spec.selector)];
});

const cronjobs = printer([
  NAME,
  col('Schedule', 'string', DOC.cjSchedule),
  col('Timezone', 'string', DOC.cjTimeZone),
  col('Suspend', 'boolean', DOC.cjSuspend),
  col('Active', 'integer', DOC.cjActive),
  col('Last Schedule', 'string', DOC.cjLast),
  AGE, CONTAINERS, IMAGES,
  col('Selector', 'string', DOC.jobSelector, 1),
], (o, now) => {
  const spec = rec(o.spec);
  const status = rec(o.status);
  const jobSpec = path(spec, 'jobTemplate', 'spec');
  const [names, images] = containerCells(path(jobSpec, 'template', 'spec'));
  // suspend defaults to false, so `<unset>` (printBoolPtr of nil) never shows for a stored object.
  const suspend = spec.suspend === true ? 'True' : 'False';
  const last = status.lastScheduleTime === undefined || status.lastScheduleTime === null ? '<none>' : translateTimestampSince(status.lastScheduleTime, now);
  return [
    o.metadata.name ?? '', str(spec.schedule), typeof spec.timeZone === 'string' ? spec.timeZone : '<none>', suspend,
    list(status.active).length, last, age(o, now), names, images, formatLabelSelector(path(jobSpec, 'selector')),
  ];
});

// ---- core ----

const nodes = printer([
  NAME,
  col('Status', 'string', 'The status of the node'),
  col('Roles', 'string', 'The roles of the node'),
  AGE,
  col('Version', 'string', DOC.kubeletVersion),
  col('Internal-IP', 'string', DOC.addresses, 1),
  col('External-IP', 'string', DOC.addresses, 1),
  col('OS-Image', 'string', DOC.osImage, 1),
  col('Kernel-Version', 'string', DOC.kernelVersion, 1),
  col('Container-Runtime', 'string', DOC.containerRuntimeVersion, 1),
], (o, now) => {
  const status = rec(o.status);
  const info = rec(status.nodeInfo);
  // Only the Ready condition counts (NodeAllConditions); the last condition of a type wins.
  let ready: unknown;
  for (const c of list(status.conditions)) if (str(path(c, 'type')) === 'Ready') ready = c;
  const states = ready === undefined ? ['Unknown'] : [str(path(ready, 'status')) === 'True' ? 'Ready' : 'NotReady'];
  if (path(o.spec, 'unschedulable') === true) states.push('SchedulingDisabled');
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role !== '') roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.add(v);
    }
  }
  const address = (type: string): string => str(path(list(status.addresses).find((a) => str(path(a, 'type')) === type), 'address')) || '<none>';
  return [
    o.metadata.name ?? '', states.join(','), [...roles].sort().join(',') || '<none>', age(o, now), str(info.kubeletVersion),
    address('InternalIP'), address('ExternalIP'),
    str(info.osImage) || '<unknown>', str(info.kernelVersion) || '<unknown>', str(info.containerRuntimeVersion) || '<unknown>',
  ];
});

const namespaces = printer([
  NAME,
  col('Status', 'string', 'The status of the namespace'),
  AGE,
], (o, now) => [o.metadata.name ?? '', str(path(o.status, 'phase')), age(o, now)]);

/** loadBalancerStatusStringer (wide): distinct ingress IPs or hostnames, sorted. */
function loadBalancerIngress(status: unknown): string[] {
  const out = new Set<string>();
  for (const i of list(path(status, 'loadBalancer', 'ingress'))) {
    const v = str(path(i, 'ip')) || str(path(i, 'hostname'));
    if (v !== '') out.add(v);
  }
  return [...out].sort();
}

function serviceExternalIP(svc: KubeObject, type: string): string {
  const externalIPs = list(path(svc.spec, 'externalIPs')).filter((x): x is string => typeof x === 'string');
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc.status);
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(path(svc.spec, 'externalName'));
    default:
      return '<unknown>';
  }
}

const services = printer([
  NAME,
  col('Type', 'string', DOC.svcType),
  col('Cluster-IP', 'string', DOC.clusterIP),
  col('External-IP', 'string', DOC.externalIPs),
  col('Port(s)', 'string', DOC.ports),
  AGE,
  col('Selector', 'string', DOC.svcSelector, 1),
], (o, now) => {
  const spec = rec(o.spec);
  const type = str(spec.type) || 'ClusterIP';
  // The internal type has only clusterIPs; conversion from v1 fills it from clusterIP.
  const clusterIP = str(list(spec.clusterIPs)[0]) || str(spec.clusterIP) || '<none>';
  const ports = list(spec.ports).map((p) => {
    const port = int(path(p, 'port'));
    const nodePort = int(path(p, 'nodePort'));
    const protocol = str(path(p, 'protocol')) || 'TCP';
    return nodePort > 0 ? `${port}:${nodePort}/${protocol}` : `${port}/${protocol}`;
  }).join(',');
  return [o.metadata.name ?? '', type, clusterIP, serviceExternalIP(o, type), ports || '<none>', age(o, now), formatLabels(strMap(spec.selector))];
});

const configmaps = printer([
  NAME,
  col('Data', 'string', DOC.cmData),
  AGE,
], (o, now) => [o.metadata.name ?? '', Object.keys(rec(o.data)).length + Object.keys(rec(o.binaryData)).length, age(o, now)]);

const secrets = printer([
  NAME,
  col('Type', 'string', DOC.secretType),
  col('Data', 'string', DOC.secretData),
  AGE,
], (o, now) => {
  // Converting v1 to internal merges stringData into data, so both count, once per key.
  const keys = new Set([...Object.keys(rec(o.data)), ...Object.keys(rec(o.stringData))]);
  return [o.metadata.name ?? '', str(o.type) || 'Opaque', keys.size, age(o, now)];
});

const serviceaccounts = printer([
  NAME,
  col('Secrets', 'string', DOC.saSecrets),
  AGE,
], (o, now) => [o.metadata.name ?? '', list(o.secrets).length, age(o, now)]);

/** formatEndpoints: up to three ip:port pairs, then `+ N more...`. */
function formatEndpoints(subsets: unknown[]): string {
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const out: string[] = [];
  let more = false;
  let count = 0;
  const add = (s: string): void => {
    if (out.length === max) more = true;
    else out.push(s);
  };
  for (const ss of subsets) {
    const addresses = list(path(ss, 'addresses'));
    const ports = list(path(ss, 'ports'));
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const a of addresses) {
        add(str(path(a, 'ip')));
        if (more) break;
      }
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) {
        const ip = str(path(a, 'ip'));
        add(`${ip.includes(':') ? `[${ip}]` : ip}:${int(path(p, 'port'))}`);
        if (more) break;
      }
    }
  }
  const s = out.join(',');
  return more ? `${s} + ${count - max} more...` : s;
}

const endpoints = printer([
  NAME,
  col('Endpoints', 'string', DOC.epSubsets),
  AGE,
], (o, now) => [o.metadata.name ?? '', formatEndpoints(list(o.subsets)), age(o, now)]);

const ACCESS_MODES: readonly [string, string][] = [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']];

const persistentvolumeclaims = printer([
  NAME,
  col('Status', 'string', DOC.pvcPhase),
  col('Volume', 'string', DOC.pvcVolumeName),
  col('Capacity', 'string', DOC.pvcCapacity),
  col('Access Modes', 'string', DOC.pvcAccessModes),
  col('StorageClass', 'string', 'StorageClass of the pvc'),
  col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
  AGE,
  col('VolumeMode', 'string', DOC.pvcVolumeMode, 1),
], (o, now) => {
  const spec = rec(o.spec);
  const status = rec(o.status);
  const phase = o.metadata.deletionTimestamp ? 'Terminating' : str(status.phase);
  const volumeName = str(spec.volumeName);
  let capacity = '';
  let modes = '';
  // Capacity and access modes are the bound volume's, so an unbound claim shows neither.
  if (volumeName !== '') {
    const have = new Set(list(status.accessModes));
    modes = ACCESS_MODES.filter(([m]) => have.has(m)).map(([, s]) => s).join(',');
    const q = path(status, 'capacity', 'storage');
    capacity = typeof q === 'string' ? q : '0';
  }
  const storageClass = o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? str(spec.storageClassName);
  const vac = typeof spec.volumeAttributesClassName === 'string' ? spec.volumeAttributesClassName : '<unset>';
  const volumeMode = typeof spec.volumeMode === 'string' ? spec.volumeMode : '<unset>';
  return [o.metadata.name ?? '', phase, volumeName, capacity, modes, storageClass, vac, age(o, now), volumeMode];
});

const events = printer([
  col('Last Seen', 'string', DOC.evLast),
  col('Type', 'string', DOC.evType),
  col('Reason', 'string', DOC.evReason),
  col('Object', 'string', DOC.evInvolved),
  col('Subobject', 'string', DOC.evFieldPath, 1),
  col('Source', 'string', DOC.evSource, 1),
  col('Message', 'string', DOC.evMessage),
  col('First Seen', 'string', DOC.evFirst, 1),
  col('Count', 'string', DOC.evCount, 1),
  col('Name', 'string', NAME_DOC, 1, 'name'),
], (o, now) => {
  // Events written through events.k8s.io carry eventTime and series instead of the old stamps.
  const first = parseTime(o.firstTimestamp) !== undefined ? translateTimestampSince(o.firstTimestamp, now) : translateTimestampSince(o.eventTime, now);
  let last = parseTime(o.lastTimestamp) !== undefined ? translateTimestampSince(o.lastTimestamp, now) : first;
  let count = int(o.count);
  if (o.series !== undefined && o.series !== null) {
    last = translateTimestampSince(path(o.series, 'lastObservedTime'), now);
    count = int(path(o.series, 'count'));
  } else if (count === 0) {
    count = 1;
  }
  const involved = rec(o.involvedObject);
  const kind = str(involved.kind).toLowerCase();
  const target = str(involved.name) !== '' ? `${kind}/${str(involved.name)}` : kind;
  const component = str(path(o.source, 'component')) || str(o.reportingComponent);
  const instance = str(path(o.source, 'host')) || str(o.reportingInstance);
  const source = instance === '' ? component : `${component}, ${instance}`;
  return [last, str(o.type), str(o.reason), target, str(involved.fieldPath), source, str(o.message).trim(), first, count, o.metadata.name ?? ''];
});

const leases = printer([
  NAME,
  col('Holder', 'string', DOC.leaseHolder),
  AGE,
], (o, now) => [o.metadata.name ?? '', str(path(o.spec, 'holderIdentity')), age(o, now)]);

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

// ---- custom resources ----

export interface CustomColumn {
  readonly name: string;
  readonly type: string;
  readonly format?: string;
  readonly description?: string;
  readonly priority?: number;
  readonly jsonPath: string;
}

type Step =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' }
  | { readonly kind: 'filter'; readonly path: readonly Step[]; readonly op: '==' | '!='; readonly value: unknown }
  | { readonly kind: 'exists'; readonly path: readonly Step[] };

/**
 * Parses the JSONPath subset printer columns use: `.a.b`, `['a.b']`, `[0]`, `[-1]`, `[*]`,
 * `[?(@.type=="Ready")]` and `[?(@.x)]`. Undefined for anything else, which the CRD's
 * validation would have rejected as an unparseable path.
 */
export function parseJsonPath(expr: string): Step[] | undefined {
  let s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^\.([A-Za-z0-9_\-/]+|\*)/.exec(s.slice(i));
      if (!m) return undefined;
      steps.push(m[1] === '*' ? { kind: 'all' } : { kind: 'field', name: m[1] });
      i += m[0].length;
    } else if (s[i] === '[') {
      const close = matchingBracket(s, i);
      if (close < 0) return undefined;
      const inner = s.slice(i + 1, close).trim();
      const step = bracketStep(inner);
      if (!step) return undefined;
      steps.push(step);
      i = close + 1;
    } else {
      return undefined;
    }
  }
  return steps;
}

function matchingBracket(s: string, open: number): number {
  let depth = 0;
  let quote = '';
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '[') {
      depth++;
    } else if (c === ']' && --depth === 0) {
      return i;
    }
  }
  return -1;
}

function bracketStep(inner: string): Step | undefined {
  if (inner === '*') return { kind: 'all' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const quoted = /^(['"])(.*)\1$/.exec(inner);
  if (quoted) return { kind: 'field', name: quoted[2] };
  const filter = /^\?\(\s*@((?:\.[A-Za-z0-9_\-/]+)+)\s*(?:(==|!=)\s*(.+?))?\s*\)$/.exec(inner);
  if (!filter) return undefined;
  const p = parseJsonPath(filter[1]);
  if (!p) return undefined;
  if (filter[2] === undefined) return { kind: 'exists', path: p };
  const lit = filter[3];
  const str = /^(['"])(.*)\1$/.exec(lit);
  let value: unknown;
  if (str) value = str[2];
  else if (lit === 'true' || lit === 'false') value = lit === 'true';
  else if (!Number.isNaN(Number(lit))) value = Number(lit);
  else return undefined;
  return { kind: 'filter', path: p, op: filter[2] as '==' | '!=', value };
}

/** Every value the path reaches, in document order; missing keys yield nothing. */
export function evalJsonPath(steps: readonly Step[], root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (step.kind) {
        case 'field': {
          const o = rec(v);
          if (Object.prototype.hasOwnProperty.call(o, step.name)) next.push(o[step.name]);
          break;
        }
        case 'index': {
          if (!Array.isArray(v)) break;
          const idx = step.index < 0 ? v.length + step.index : step.index;
          if (idx >= 0 && idx < v.length) next.push(v[idx]);
          break;
        }
        case 'all':
          if (Array.isArray(v)) next.push(...v);
          else if (typeof v === 'object' && v !== null) next.push(...Object.values(v));
          break;
        case 'filter':
        case 'exists':
          for (const item of Array.isArray(v) ? v : []) {
            const found = evalJsonPath(step.path, item);
            if (step.kind === 'exists' ? found.length > 0 : found.some((x) => (x === step.value) === (step.op === '=='))) next.push(item);
          }
          break;
      }
    }
    cur = next;
  }
  return cur;
}

/** jsonpath's text output for one value: strings bare, maps and lists as compact JSON. */
function jsonPathText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && v !== null) return JSON.stringify(v);
  return String(v);
}

/** tableconvertor.cellForJSONValue: a typed cell, or null when the value does not fit the type. */
function customCell(type: string, v: unknown, now: number): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'string': return jsonPathText(v);
    case 'integer': return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number': return typeof v === 'number' ? v : null;
    case 'boolean': return typeof v === 'boolean' ? v : null;
    case 'date': {
      if (typeof v !== 'string') return null;
      if (v === '' || v === 'null') return '<unknown>';
      const t = Date.parse(v);
      if (Number.isNaN(t)) return '<invalid>';
      return t === GO_ZERO_TIME ? '<unknown>' : humanDuration(now - t);
    }
    default: return null;
  }
}

/**
 * The Table of a custom resource (apiextensions-apiserver tableconvertor): Name, then the
 * version's additionalPrinterColumns, or Age when it declares none.
 */
export function customResourcePrinter(columns: readonly CustomColumn[]): TablePrinter {
  const declared = columns.length > 0 ? columns
    : [{ name: 'Age', type: 'date', description: CREATED_DOC, jsonPath: '.metadata.creationTimestamp' }];
  const paths = declared.map((c) => parseJsonPath(c.jsonPath));
  return {
    columns: [NAME, ...declared.map((c) => col(c.name, c.type, c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`, c.priority ?? 0, c.format ?? ''))],
    cells(obj, now) {
      const out: unknown[] = [obj.metadata.name ?? ''];
      declared.forEach((c, i) => {
        const p = paths[i];
        const found = p ? evalJsonPath(p, obj) : [];
        // Simple paths give one result; like upstream, only the first counts.
        out.push(found.length === 0 ? null : customCell(c.type, found[0], now));
      });
      return out;
    },
  };
}
