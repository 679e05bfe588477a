// Which field labels each type accepts and the values an object has for them: the
// AddFieldLabelConversionFunc registrations (pkg/apis/*/v*/conversion.go) and the strategies'
// ToSelectableFields.
import { badRequest, type Status } from '../status.js';
import type { ObjectMeta } from '../object.js';
import type { FieldSelector } from './fields.js';


/** The custom resource facts field selection needs; absent for built-in types. */
export interface CustomResourceFieldInfo {
  readonly namespaced: boolean;
  /** spec.versions[].selectableFields[].jsonPath of the served version, e.g. ".spec.color". */
  readonly selectableFields?: readonly string[];
}

interface FieldLabelRules {
  readonly accepted: readonly string[];
  readonly reject: (label: string) => string;
}

const notSupported = (label: string): string => `field label not supported: ${label}`;

// runtime.DefaultMetaV1FieldSelectorConversion: every kind without its own conversion func,
// which in 1.32 includes all of apps/v1 (so ReplicaSets reject status.replicas).
const DEFAULT_RULES: FieldLabelRules = {
  accepted: ['metadata.name', 'metadata.namespace'],
  reject: (label) => `${JSON.stringify(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
};

const FIELD_LABEL_RULES: ReadonlyMap<string, FieldLabelRules> = new Map<string, FieldLabelRules>([
  ['/pods', {
    accepted: [
      'metadata.name', 'metadata.namespace', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName',
      'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.podIPs',
      'status.nominatedNodeName',
      // Legacy alias of spec.nodeName; fieldsOf fills both so no rewrite is needed.
      'spec.host',
    ],
    reject: notSupported,
  }],
  // Cluster-scoped types that register a func do not accept metadata.namespace at all.
  ['/nodes', { accepted: ['metadata.name', 'spec.unschedulable'], reject: notSupported }],
  ['/namespaces', { accepted: ['metadata.name', 'status.phase'], reject: notSupported }],
  ['/secrets', { accepted: ['metadata.name', 'metadata.namespace', 'type'], reject: notSupported }],
  ['/services', { accepted: ['metadata.name', 'metadata.namespace', 'spec.clusterIP', 'spec.type'], reject: notSupported }],
  ['/replicationcontrollers', { accepted: ['metadata.name', 'metadata.namespace', 'status.replicas'], reject: notSupported }],
  ['/events', {
    accepted: [
      'metadata.name', 'metadata.namespace', 'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name',
      'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath',
      'reason', 'reportingComponent', 'source', 'type',
    ],
    reject: notSupported,
  }],
  ['batch/jobs', {
    accepted: ['metadata.name', 'metadata.namespace', 'status.successful'],
    reject: (label) => `field label ${JSON.stringify(label)} not supported for batchv1.Job`,
  }],
  ['certificates.k8s.io/certificatesigningrequests', { accepted: ['metadata.name', 'spec.signerName'], reject: notSupported }],
]);

function customResourceRules(crd: CustomResourceFieldInfo): FieldLabelRules {
  const accepted = crd.namespaced ? ['metadata.name', 'metadata.namespace'] : ['metadata.name'];
  for (const p of crd.selectableFields ?? []) accepted.push(p.replace(/^\./, ''));
  return { accepted, reject: notSupported };
}

function rulesFor(group: string, resource: string, crd?: CustomResourceFieldInfo): FieldLabelRules {
  if (crd) return customResourceRules(crd);
  return FIELD_LABEL_RULES.get(`${group}/${resource}`) ?? DEFAULT_RULES;
}

/** The field labels a list/watch of this type may select on. */
export function supportedFields(group: string, resource: string, crd?: CustomResourceFieldInfo): readonly string[] {
  return rulesFor(group, resource, crd).accepted;
}

/** The 400 text kube-apiserver gives for an unsupported field label on this type. */
/**
 * The first requirement (in evaluation order) on a field outside `supported` → 400. The default
 * text is the one most conversion funcs use; pass `message` (or use validateFieldSelectorFor) for
 * types whose text differs.
 */
export function validateFieldSelector(
  sel: FieldSelector,
  supported: readonly string[],
  message: (field: string) => string = notSupported,
): Status | undefined {
  for (const r of sel.requirements) if (!supported.includes(r.field)) return badRequest(message(r.field));
  return undefined;
}

/** validateFieldSelector with the type's own list and error text. */
export function validateFieldSelectorFor(
  sel: FieldSelector, group: string, resource: string, crd?: CustomResourceFieldInfo,
): Status | undefined {
  const rules = rulesFor(group, resource, crd);
  return validateFieldSelector(sel, rules.accepted, rules.reject);
}

// ---- the selectable field values of an object (strategies' ToSelectableFields) ----

/** Any object as stored: metadata plus opaque JSON. */
export interface SelectableObject {
  readonly metadata?: Readonly<ObjectMeta>;
  readonly [k: string]: unknown;
}

function at(obj: unknown, path: readonly string[]): unknown {
  let cur: unknown = obj;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

// strconv.FormatBool / fmt.Sprint(bool): an unset bool is false.
function bool(v: unknown): string {
  return v === true ? 'true' : 'false';
}

// strconv.Itoa of an int32 count: an unset count is 0.
function int(v: unknown): string {
  return typeof v === 'number' && Number.isFinite(v) ? String(Math.trunc(v)) : '0';
}

function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return '';
}

function podFields(o: SelectableObject, out: Record<string, string>): void {
  const spec = (p: string): unknown => at(o, ['spec', p]);
  const status = (p: string): unknown => at(o, ['status', p]);
  out['spec.nodeName'] = str(spec('nodeName'));
  out['spec.host'] = out['spec.nodeName'];
  out['spec.restartPolicy'] = str(spec('restartPolicy'));
  out['spec.schedulerName'] = str(spec('schedulerName'));
  // v1 → internal conversion: the deprecated serviceAccount fills in when serviceAccountName is empty.
  out['spec.serviceAccountName'] = str(spec('serviceAccountName')) || str(spec('serviceAccount'));
  out['spec.hostNetwork'] = bool(spec('hostNetwork'));
  out['status.phase'] = str(status('phase'));
  // Upstream reads podIPs[0]; v1 clients may have set only the scalar.
  const podIPs = status('podIPs');
  const first = Array.isArray(podIPs) && podIPs.length > 0 ? str(at(podIPs[0], ['ip'])) : '';
  out['status.podIP'] = first || str(status('podIP'));
  out['status.nominatedNodeName'] = str(status('nominatedNodeName'));
  // status.podIPs is accepted but ToSelectableFields never sets it, so it always reads "".
}

function coreEventFields(o: SelectableObject, out: Record<string, string>): void {
  for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
    out[`involvedObject.${k}`] = str(at(o, ['involvedObject', k]));
  }
  out.reason = str(o.reason);
  out.reportingComponent = str(o.reportingComponent);
  out.source = str(at(o, ['source', 'component'])) || str(o.reportingComponent);
  out.type = str(o.type);
}

// events.k8s.io/v1 shares the core Event storage, so its objects expose the core field names.
function eventsV1Fields(o: SelectableObject, out: Record<string, string>): void {
  for (const k of ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath']) {
    out[`involvedObject.${k}`] = str(at(o, ['regarding', k]));
  }
  out.reason = str(o.reason);
  out.reportingComponent = str(o.reportingController);
  out.source = str(at(o, ['deprecatedSource', 'component'])) || str(o.reportingController);
  out.type = str(o.type);
}

/**
 * The field set a type's selectors match against. Booleans read "true"/"false", counts as
 * decimal, unset strings as "". CR selectable fields are read from their JSON paths.
 */
export function fieldsOf(
  group: string, resource: string, obj: SelectableObject, crd?: CustomResourceFieldInfo,
): Record<string, string> {
  const meta = obj.metadata;
  const out: Record<string, string> = {
    'metadata.name': str(meta?.name),
    'metadata.namespace': str(meta?.namespace),
  };
  if (crd) {
    for (const p of crd.selectableFields ?? []) {
      const label = p.replace(/^\./, '');
      out[label] = scalar(at(obj, label.split('.')));
    }
    return out;
  }
  switch (`${group}/${resource}`) {
    case '/pods': podFields(obj, out); break;
    case '/nodes': out['spec.unschedulable'] = bool(at(obj, ['spec', 'unschedulable'])); break;
    case '/namespaces': out['status.phase'] = str(at(obj, ['status', 'phase'])); break;
    case '/secrets': out.type = str(obj.type); break;
    case '/services':
      out['spec.clusterIP'] = str(at(obj, ['spec', 'clusterIP']));
      out['spec.type'] = str(at(obj, ['spec', 'type']));
      break;
    case '/replicationcontrollers':
    case 'apps/replicasets':
      out['status.replicas'] = int(at(obj, ['status', 'replicas']));
      break;
    case '/events': coreEventFields(obj, out); break;
    case 'events.k8s.io/events': eventsV1Fields(obj, out); break;
    case 'batch/jobs': out['status.successful'] = int(at(obj, ['status', 'succeeded'])); break;
    case 'certificates.k8s.io/certificatesigningrequests': out['spec.signerName'] = str(at(obj, ['spec', 'signerName'])); break;
  }
  return out;
}

/**
 * All a label and field selector read of an object: the labels (the object's own map, by
 * reference) and its type's selectable fields. The watch cache keeps this instead of the object.
 */
export interface SelectableView {
  readonly labels: Readonly<Record<string, string>> | undefined;
  readonly fields: Readonly<Record<string, string>>;
}

/** The view of an object as selectors of this type see it. */
export function selectableView(group: string, resource: string, obj: SelectableObject, crd?: CustomResourceFieldInfo): SelectableView {
  return { labels: obj.metadata?.labels, fields: fieldsOf(group, resource, obj, crd) };
}

/**
 * `b`, or `a` when both select the same (equal labels and fields): a change that leaves what
 * selectors read alone shares one view.
 */
export function sameViewOr(a: SelectableView, b: SelectableView): SelectableView {
  return sameRecord(a.labels, b.labels) && sameRecord(a.fields, b.fields) ? a : b;
}

// Without allocating: this runs for every MODIFIED event the watch cache takes in.
function sameRecord(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  if (a === b) return true;
  let n = 0;
  if (a) {
    for (const k in a) {
      if (b === undefined || !Object.hasOwn(b, k) || a[k] !== b[k]) return false;
      n++;
    }
  }
  if (b) for (const _ in b) n--;
  return n === 0;
}
