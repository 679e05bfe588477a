// What a workload is to the suite runner (bench/run.ts), and the pieces most workloads share:
// scratch namespaces, 1 KB ConfigMap bodies, and filling a namespace.
import { randomBytes } from 'node:crypto';
import type { Endpoint, Target } from '../target.js';

export type Figure = number | string | boolean | null;

/** One line of the results table. */
export interface Row {
  /** The workload's name, or `<workload> <variant>` (`list-60k paged`). */
  readonly name: string;
  /** What `requests` counts: requests, events delivered, objects created, clusters added. */
  readonly unit: string;
  readonly requests: number;
  /** Failed requests (non-2xx unless a workload expects them, connection errors), missing or wrong events. */
  readonly errors: number;
  readonly reqPerSec: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly extra: Readonly<Record<string, Figure>>;
  /** The goal for this figure on the reference machine (2 cores, load generator beside the server). */
  readonly goal?: { readonly text: string; readonly met: boolean };
}

export interface Ctx {
  readonly target: Target;
  /** Seconds of each timed phase (a rate workload's load, a LIST's repetitions). */
  readonly duration: number;
  /** autocannon connections (concurrent requests) of rate workloads. */
  readonly connections: number;
  /** Short random id of this run, in every namespace the suite makes, so runs never collide. */
  readonly runId: string;
  log(msg: string): void;
}

export interface Prepared {
  run(): Promise<Row[]>;
  /** Always called after setup succeeded, also when run threw. */
  cleanup(): Promise<void>;
}

export interface Workload {
  readonly name: string;
  readonly title: string;
  /** Prepared, or why the workload does not apply to this target. */
  setup(ctx: Ctx): Promise<Prepared | { skipped: string }>;
}

export const newRunId = () => randomBytes(3).toString('hex');

export const round2 = (x: number) => Number(x.toFixed(2));
/** A rate: whole numbers from 100 up, two decimals below (a LIST of 60,000 runs a few times a second). */
export const perSecond = (n: number, seconds: number) => {
  const r = seconds > 0 ? n / seconds : 0;
  return r >= 100 ? Math.round(r) : round2(r);
};

// ---------------------------------------------------------------------------------------------
// Namespaces.

export const nsName = (ctx: Ctx, workload: string) => `kemu-bench-${workload}-${ctx.runId}`;
export const cmPath = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

export async function createNamespace(ctx: Ctx, ep: Endpoint, ns: string): Promise<void> {
  await ctx.target.http.must(ep, [201], 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
}

/**
 * Deletes namespaces and waits (bounded) until they are gone, so the namespace controller's
 * work does not fall into the next workload's measurement. Says so when one outlives the wait.
 * The ConfigMaps in them (all the suite makes) are deleted first, 32 at a time: faster than
 * the namespace controller (kemu's and upstream's), which deletes one object after the other.
 */
export async function deleteNamespaces(ctx: Ctx, items: readonly { ep: Endpoint; ns: string }[], waitSeconds = 300): Promise<void> {
  const http = ctx.target.http;
  await pool(items, 16, async ({ ep, ns }) => {
    const listed = await http.call(ep, 'GET', cmPath(ns));
    const names = listed.status === 200 ? (JSON.parse(listed.body.toString('utf8')) as { items: { metadata: { name: string } }[] }).items.map((o) => o.metadata.name) : [];
    await pool(names, 32, async (name) => { await http.call(ep, 'DELETE', `${cmPath(ns)}/${name}`); });
    const r = await http.call(ep, 'DELETE', `/api/v1/namespaces/${ns}`).catch((e: unknown) => ({ status: 0, body: Buffer.from(String(e)) }));
    if (r.status !== 200 && r.status !== 202 && r.status !== 404) ctx.log(`delete namespace ${ns}: ${r.status} ${r.body.toString('utf8').slice(0, 200)}`);
  });
  const deadline = Date.now() + waitSeconds * 1000;
  let left = [...items];
  while (left.length && Date.now() < deadline) {
    const gone = await Promise.all(left.slice(0, 64).map(async (x) => (await http.call(x.ep, 'GET', `/api/v1/namespaces/${x.ns}`)).status === 404));
    left = left.filter((_, i) => i >= 64 || !gone[i]);
    if (left.length) await new Promise((r) => setTimeout(r, 200));
  }
  if (left.length) ctx.log(`${left.length} namespace(s) still terminating after ${waitSeconds} s, e.g. ${left[0].ns}; going on`);
}

/** Runs `fn` over `items` with at most `concurrency` at a time. */
export async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

// ---------------------------------------------------------------------------------------------
// ConfigMaps.

/** Names `<prefix><i>` with i zero-padded to `width` digits, so every body of a maker has the same length. */
export const objName = (prefix: string, i: number, width: number) => `${prefix}${String(i).padStart(width, '0')}`;

/** What "1 KB ConfigMaps" means here: the object as the server stores and serves it. */
export const OBJECT_BYTES = 1024;

/**
 * ConfigMap bodies of exactly `size` bytes of JSON for names of one length: data.v carries a
 * 12-digit counter (updates change it), data.payload pads. The padding is computed once.
 */
export class ConfigMaps {
  private readonly head: string;
  private readonly pad: string;

  constructor(readonly ns: string, readonly nameLength: number, readonly size: number, readonly annotations: Record<string, string> = {}) {
    this.head = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"`;
    const skeleton = this.body('n'.repeat(nameLength), 0, '');
    this.pad = 'x'.repeat(Math.max(0, size - Buffer.byteLength(skeleton)));
  }

  body(name: string, v: number, pad = this.pad, annotations = this.annotations): string {
    const ann = Object.keys(annotations).length ? `,"annotations":${JSON.stringify(annotations)}` : '';
    return `${this.head}${name}","namespace":"${this.ns}"${ann}},"data":{"v":"${String(v).padStart(12, '0')}","payload":"${pad}"}}`;
  }
}

/**
 * A maker whose objects the target stores as OBJECT_BYTES of JSON: a probe with the same name
 * length is created and deleted, and what the server adds (uid, timestamps, resourceVersion,
 * managedFields: not the same on every server) comes off the body's padding.
 */
export async function configMaps(ctx: Ctx, ep: Endpoint, ns: string, nameLength: number, annotations: Record<string, string> = {}): Promise<ConfigMaps> {
  const probe = new ConfigMaps(ns, nameLength, OBJECT_BYTES, annotations);
  const name = 'z'.repeat(nameLength);
  const body = probe.body(name, 0);
  const stored = await ctx.target.http.must(ep, [201], 'POST', cmPath(ns), body);
  await ctx.target.http.must(ep, [200, 202], 'DELETE', `${cmPath(ns)}/${name}`);
  return new ConfigMaps(ns, nameLength, OBJECT_BYTES - (stored.body.length - Buffer.byteLength(body)), annotations);
}

/**
 * Creates `count` ConfigMaps named objName(prefix, i, width), i = 0..count-1, `concurrency` at a
 * time; returns the bytes of the objects as the server stored them (the create responses).
 */
export async function fill(ctx: Ctx, ep: Endpoint, maker: ConfigMaps, prefix: string, count: number, width: number, concurrency = 32): Promise<{ count: number; storedBytes: number; seconds: number }> {
  let storedBytes = 0;
  const t0 = performance.now();
  const coll = cmPath(maker.ns);
  await pool(Array.from({ length: count }, (_, i) => i), concurrency, async (i) => {
    const r = await ctx.target.http.must(ep, [201], 'POST', coll, maker.body(objName(prefix, i, width), i));
    storedBytes += r.body.length;
  });
  return { count, storedBytes, seconds: (performance.now() - t0) / 1000 };
}

/** Creates for `seconds` (at most `max` objects) and returns how many; for pools sized to the target's speed. */
export async function fillFor(ctx: Ctx, ep: Endpoint, maker: ConfigMaps, prefix: string, seconds: number, max: number, width: number, concurrency = 32): Promise<number> {
  let next = 0;
  const deadline = performance.now() + seconds * 1000;
  const coll = cmPath(maker.ns);
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < max && performance.now() < deadline) {
      const i = next++;
      await ctx.target.http.must(ep, [201], 'POST', coll, maker.body(objName(prefix, i, width), i));
    }
  }));
  return next;
}
