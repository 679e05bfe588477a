// The functions kwok adds to Stage templates (pkg/utils/gotpl/funcs.go and the node and pod
// controllers' FuncMaps), bound to one object and one StageContext. Time, addresses and the
// version come from the context, so a render is a pure function of its inputs.
import { stringify } from 'yaml';
import { rfc3339 } from '../../clock.js';
import { isPlainObject, type KubeObject } from '../../object.js';
import type { AddressSource, PodAddressKey } from './addresses.js';
import type { FuncSpec, TplFunc } from './gotpl/template.js';

export const KWOK_FUNC_NAMES: readonly string[] = [
  'Quote', 'Now', 'StartTime', 'YAML', 'Version', 'NodeConditions',
  'NodeIP', 'NodeName', 'NodePort', 'PodIP', 'NodeIPWith', 'NodeIPsWith', 'PodIPWith', 'PodIPsWith',
];

/** consts.Version of the kwok release the shipped stages come from. */
export const KWOK_VERSION = 'v0.8.0';

/** The kubelet port, which kwok's NodePort reports when a real kubelet endpoint is configured. */
export const DEFAULT_NODE_PORT = 10250;

export interface StageContext {
  /** Milliseconds since the epoch: `{{ Now }}`, and what durationFrom times are measured from. */
  readonly now: number;
  /** Addresses for NodeIP, PodIP and the …With forms (see sequentialAddresses). */
  readonly addresses: AddressSource;
  /** `{{ Version }}`; node-initialize reports nodeInfo.kubeletVersion as `kwok-<version>`. Default KWOK_VERSION. */
  readonly version?: string;
  /** `{{ NodePort }}`, the kubeletEndpoint port; 0 leaves daemonEndpoints out. Default 10250. */
  readonly nodePort?: number;
  /** `{{ StartTime }}` (ms); default `now`. */
  readonly startTime?: number;
  /** Replacements for any of the functions above, by name (kwok's own stage tests use placeholders). */
  readonly funcs?: Readonly<Record<string, TplFunc>>;
}

// kubernetes.io/docs/concepts/architecture/nodes/#condition, in the JSON form kwok passes on
// (zero metav1.Time fields marshal as null).
const NODE_CONDITIONS: readonly (readonly [string, string, string, string])[] = [
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['NetworkUnavailable', 'False', 'RouteCreated', 'RouteController created a route'],
];

/** kwok's Quote: JSON for strings, a quoted JSON text for anything else (nil becomes "null"). */
export function quote(v: unknown): string {
  const data = JSON.stringify(v === undefined ? null : v) ?? 'null';
  return data.startsWith('"') ? data : JSON.stringify(data);
}

/** kwok's YAML: sigs.k8s.io/yaml's Marshal, each line indented by 2*indent spaces after a newline. */
export function toYAML(v: unknown, indent?: unknown): string {
  const data = stringify(v === undefined ? null : v, { sortMapEntries: true, lineWidth: 0 });
  if (typeof indent !== 'number' || indent <= 0) return data;
  const pad = ' '.repeat(indent * 2);
  return `\n${data}`.replaceAll('\n', `\n${pad}`);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function spec0(fn: TplFunc, min: number, max = min): FuncSpec {
  return { fn, min, max };
}

/** The kwok functions for rendering a template over `obj`. */
export function kwokFuncs(obj: KubeObject, ctx: StageContext): Map<string, FuncSpec> {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  // kwok's node controller answers NodeName with its own --node-name; a fake Node's Hostname
  // address reads better as the node's name, and for pods this is the node they are bound to.
  const nodeName = obj.kind === 'Node' ? str(obj.metadata?.name) : str(spec.nodeName);
  const podKey = (n: unknown, uid: unknown, name: unknown, ns: unknown): PodAddressKey => ({ nodeName: str(n), uid: str(uid), name: str(name), namespace: str(ns) });
  const nodeIPs = (n: unknown): string[] => [...ctx.addresses.nodeIPs(str(n))];
  const podIPs = (n: unknown, hostNetwork: unknown, uid: unknown, name: unknown, ns: unknown): string[] =>
    hostNetwork === true ? nodeIPs(n) : [...ctx.addresses.podIPs(podKey(n, uid, name, ns))];
  const m = new Map<string, FuncSpec>([
    ['Quote', spec0((v) => quote(v), 1)],
    ['Now', spec0(() => rfc3339(ctx.now), 0)],
    ['StartTime', spec0(() => rfc3339(ctx.startTime ?? ctx.now), 0)],
    ['YAML', spec0((v, indent) => toYAML(v, indent), 1, 2)],
    ['Version', spec0(() => ctx.version ?? KWOK_VERSION, 0)],
    ['NodeConditions', spec0(() => NODE_CONDITIONS.map(([type, status, reason, message]) => ({ lastHeartbeatTime: null, lastTransitionTime: null, message, reason, status, type })), 0)],
    ['NodeIP', spec0(() => nodeIPs(nodeName)[0] ?? '', 0)],
    ['NodeName', spec0(() => nodeName, 0)],
    ['NodePort', spec0(() => ctx.nodePort ?? DEFAULT_NODE_PORT, 0)],
    ['PodIP', spec0(() => podIPs(nodeName, false, obj.metadata?.uid, obj.metadata?.name, obj.metadata?.namespace)[0] ?? '', 0)],
    ['NodeIPWith', spec0((n) => nodeIPs(n)[0] ?? '', 1)],
    ['NodeIPsWith', spec0((n) => nodeIPs(n), 1)],
    ['PodIPWith', spec0((n, h, uid, name, ns) => podIPs(n, h, uid, name, ns)[0] ?? '', 5)],
    ['PodIPsWith', spec0((n, h, uid, name, ns) => podIPs(n, h, uid, name, ns), 5)],
  ]);
  for (const [name, fn] of Object.entries(ctx.funcs ?? {})) m.set(name, { fn, min: 0, max: Infinity });
  return m;
}
