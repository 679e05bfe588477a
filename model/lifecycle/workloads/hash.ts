// The hashes controllers put in names and labels: pod-template-hash (Deployment -> ReplicaSet)
// and controller-revision-hash (StatefulSet, DaemonSet -> ControllerRevision), computed the way
// kube-controller-manager 1.32 does (pkg/controller/controller_utils.go ComputeHash,
// controller_history.go HashControllerRevision, apimachinery util/rand SafeEncodeString).
import { spewPodTemplate } from './spew.js';

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32 bits (hash/fnv New32a). */
export function fnv32a(bytes: Uint8Array, seed = FNV_OFFSET): number {
  let h = seed;
  for (const b of bytes) h = Math.imul(h ^ b, FNV_PRIME) >>> 0;
  return h;
}

/** FNV-1, 32 bits (hash/fnv New32): multiply, then xor. */
export function fnv32(bytes: Uint8Array, seed = FNV_OFFSET): number {
  let h = seed;
  for (const b of bytes) h = (Math.imul(h, FNV_PRIME) ^ b) >>> 0;
  return h;
}

// Consonants and digits without vowels or look-alikes, so hashes never spell words.
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += ALPHANUMS[ch.codePointAt(0)! % ALPHANUMS.length];
  return out;
}

/** The 8 bytes ComputeHash appends: uint32 little-endian collision count, then four zeros. */
function collisionBytes(collisionCount: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, collisionCount >>> 0, true);
  return b;
}

/** controller.ComputeHash: the pod-template-hash of a PodTemplateSpec (JSON as stored). */
export function computePodTemplateHash(template: unknown, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(spewPodTemplate(template), 'utf8'));
  if (collisionCount !== undefined) h = fnv32a(collisionBytes(collisionCount), h);
  return safeEncodeString(String(h));
}

/**
 * history.HashControllerRevision over a revision whose Data.Raw is `raw`: FNV-1 (not 1a) of the
 * bytes, then the collision count as decimal text when there is one.
 */
export function hashControllerRevision(raw: string, collisionCount?: number): string {
  let h = fnv32(Buffer.from(raw, 'utf8'));
  if (collisionCount !== undefined) h = fnv32(Buffer.from(String(collisionCount), 'utf8'), h);
  return safeEncodeString(String(h));
}

/**
 * encoding/json's Marshal of a map[string]interface{}: keys sorted, and <, >, & escaped as Go
 * does for HTML safety. The StatefulSet and DaemonSet controllers build ControllerRevision data
 * this way (getPatch unmarshals the object into a map and marshals it back).
 */
export function goJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
    return `{${keys.map((k) => `${goString(k)}:${goJSON(o[k])}`).join(',')}}`;
  }
  if (typeof v === 'string') return goString(v);
  return JSON.stringify(v);
}

function goString(s: string): string {
  return JSON.stringify(s)
    .replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
