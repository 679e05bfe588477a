// ClusterIP and NodePort allocation for a new Service (pkg/registry/core/service/storage/alloc.go
// with ipallocator and portallocator). kemu has one single-stack IPv4 service range per virtual
// cluster, the kubeadm/kind default, and no allocator bitmaps: what is taken is read from the
// cluster's existing Services when a Service is created.
import { isPlainObject, type KubeObject } from '../object.js';
import type { Rng } from '../rng.js';
import type { FieldError } from '../status.js';

/** kubeadm's and kind's default --service-cluster-ip-range. */
export const SERVICE_CIDR = '10.96.0.0/12';
/** kube-apiserver's default --service-node-port-range. */
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

const CIDR_BASE = ipToInt('10.96.0.0');
const CIDR_SIZE = 2 ** (32 - 12);
// Dynamic allocation skips the network address and .1, which the apiserver reserves for the
// `kubernetes` Service (a client may still ask for .1 explicitly, as that Service does).
const FIRST_DYNAMIC = 2;
// The broadcast address is never handed out either (ipallocator's range excludes it).
const LAST_USABLE = CIDR_SIZE - 2;
// ipallocator keeps the bottom of the range for clients that pick their own IP and allocates
// dynamically from above it first: min(max(16, size/16), 256) addresses (KEP-3070).
const STATIC_BAND = Math.min(Math.max(16, CIDR_SIZE / 16), 256);
// portallocator does the same for NodePorts (KEP-3668): min(max(16, size/32), 128).
const NODE_PORT_STATIC_BAND = Math.min(Math.max(16, Math.floor((NODE_PORT_MAX - NODE_PORT_MIN + 1) / 32)), 128);
// Random probes before falling back to a scan; the range is so large a scan is rarely needed.
const RANDOM_TRIES = 64;

/** What the cluster's existing Services already hold. */
export interface TakenAddresses {
  clusterIP(ip: string): boolean;
  nodePort(port: number): boolean;
}

/** The ClusterIPs and NodePorts (healthCheckNodePort included) held by `services`. */
export function takenBy(services: Iterable<KubeObject>): TakenAddresses {
  const ips = new Set<string>();
  const ports = new Set<number>();
  for (const svc of services) {
    const spec = isPlainObject(svc.spec) ? svc.spec : {};
    if (typeof spec.clusterIP === 'string') ips.add(spec.clusterIP);
    if (Array.isArray(spec.clusterIPs)) for (const ip of spec.clusterIPs) if (typeof ip === 'string') ips.add(ip);
    if (typeof spec.healthCheckNodePort === 'number') ports.add(spec.healthCheckNodePort);
    if (Array.isArray(spec.ports)) {
      for (const p of spec.ports) if (isPlainObject(p) && typeof p.nodePort === 'number') ports.add(p.nodePort);
    }
  }
  return { clusterIP: (ip) => ips.has(ip), nodePort: (port) => ports.has(port) };
}

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function isIPv4(ip: string): boolean {
  const parts = ip.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

/** Offset of an IPv4 address inside the service range, or undefined when outside. */
function offsetInRange(ip: string): number | undefined {
  if (!isIPv4(ip)) return undefined;
  const off = ipToInt(ip) - CIDR_BASE;
  return off >= 0 && off < CIDR_SIZE ? off : undefined;
}

/**
 * Picks a free value in [lo, hi] by random probing, then by a scan from a random start;
 * dynamic picks try [dynLo, hi] before the static band [lo, dynLo).
 */
function pick(lo: number, dynLo: number, hi: number, free: (n: number) => boolean, rng: Rng): number | undefined {
  for (const [a, b] of [[dynLo, hi], [lo, dynLo - 1]]) {
    const size = b - a + 1;
    if (size <= 0) continue;
    for (let i = 0; i < RANDOM_TRIES; i++) {
      const n = a + Math.floor(rng.next() * size);
      if (free(n)) return n;
    }
    const start = Math.floor(rng.next() * size);
    for (let i = 0; i < size; i++) {
      const n = a + ((start + i) % size);
      if (free(n)) return n;
    }
  }
  return undefined;
}

/**
 * Fills in spec.clusterIP(s), ipFamilies, ipFamilyPolicy and NodePorts of a Service being
 * created, keeping whatever the client chose; returns the errors kube-apiserver would give for
 * a chosen address that is taken or out of range. Call after scheme defaulting (spec.type set).
 */
export function allocateServiceAddresses(svc: KubeObject, taken: TakenAddresses, rng: Rng): FieldError[] {
  if (!isPlainObject(svc.spec)) return [];
  const spec = svc.spec;
  if (spec.type === 'ExternalName') return [];
  const errs = allocateClusterIP(spec, taken, rng);
  if (errs.length) return errs;
  return allocateNodePorts(spec, taken, rng);
}

function allocateClusterIP(spec: Record<string, unknown>, taken: TakenAddresses, rng: Rng): FieldError[] {
  // clusterIP and clusterIPs[0] mirror each other; a client may set either.
  const ips = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : undefined;
  if ((spec.clusterIP === undefined || spec.clusterIP === '') && typeof ips?.[0] === 'string') spec.clusterIP = ips[0];
  const chosen = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
  const headless = chosen === 'None';
  if (headless) {
    // A headless Service without a selector serves any family (alloc.go initIPFamilyFields).
    const selectorless = !isPlainObject(spec.selector) || Object.keys(spec.selector).length === 0;
    if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = selectorless ? 'RequireDualStack' : 'SingleStack';
  } else if (chosen !== '') {
    const off = offsetInRange(chosen);
    const field = 'spec.clusterIPs';
    if (off === undefined || off < 1 || off > LAST_USABLE) {
      return [{ type: 'FieldValueInvalid', field, value: [chosen], detail: `failed to allocate IP ${chosen}: the provided IP (${chosen}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}` }];
    }
    if (taken.clusterIP(chosen)) {
      return [{ type: 'FieldValueInvalid', field, value: [chosen], detail: `failed to allocate IP ${chosen}: provided IP is already allocated` }];
    }
  } else {
    const off = pick(FIRST_DYNAMIC, STATIC_BAND, LAST_USABLE, (n) => !taken.clusterIP(intToIp(CIDR_BASE + n)), rng);
    if (off === undefined) {
      return [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs', value: [], detail: 'failed to allocate IP: range is full' }];
    }
    spec.clusterIP = intToIp(CIDR_BASE + off);
  }
  spec.clusterIPs = ips && ips.length ? ips : [spec.clusterIP];
  if (spec.ipFamilies === undefined) spec.ipFamilies = ['IPv4'];
  if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = 'SingleStack';
  return [];
}

function allocateNodePorts(spec: Record<string, unknown>, taken: TakenAddresses, rng: Rng): FieldError[] {
  const wants = spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  const used = new Set<number>();
  const isFree = (n: number): boolean => !taken.nodePort(n) && !used.has(n);
  // Ports that share a port number (TCP and UDP 53) share a NodePort (alloc.go allocNodePorts).
  const byPort = new Map<unknown, number>();
  const errs: FieldError[] = [];
  ports.forEach((p: unknown, i: number) => {
    if (!isPlainObject(p) || typeof p.nodePort !== 'number' || p.nodePort === 0) return;
    const field = `spec.ports[${i}].nodePort`;
    if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX) {
      errs.push({ type: 'FieldValueInvalid', field, value: p.nodePort, detail: `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}` });
    } else if (taken.nodePort(p.nodePort)) {
      errs.push({ type: 'FieldValueInvalid', field, value: p.nodePort, detail: 'provided port is already allocated' });
    } else {
      used.add(p.nodePort);
      byPort.set(p.port, p.nodePort);
    }
  });
  if (errs.length) return errs;
  for (const p of wants ? ports : []) {
    if (!isPlainObject(p) || (typeof p.nodePort === 'number' && p.nodePort !== 0)) continue;
    let n = byPort.get(p.port);
    if (n === undefined) {
      n = pick(NODE_PORT_MIN, NODE_PORT_MIN + NODE_PORT_STATIC_BAND, NODE_PORT_MAX, (v) => isFree(v), rng);
      if (n === undefined) return [{ type: 'FieldValueInvalid', field: 'spec.ports', value: p.port, detail: 'failed to allocate a nodePort: range is full' }];
      used.add(n);
      byPort.set(p.port, n);
    }
    p.nodePort = n;
  }
  if (spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && !spec.healthCheckNodePort) {
    const n = pick(NODE_PORT_MIN, NODE_PORT_MIN + NODE_PORT_STATIC_BAND, NODE_PORT_MAX, isFree, rng);
    if (n !== undefined) spec.healthCheckNodePort = n;
  }
  return [];
}
