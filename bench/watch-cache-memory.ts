// What does the watch cache's window cost in memory? In-process, no HTTP: opens a Store on a temp
// dir with a WatchCache whose window holds every event, writes N ConfigMaps of about --size bytes
// through the store, and compares heap and off-heap (Buffer) memory before and after, with a full
// GC around each reading. The ring's share is what is freed when the WatchCache is dropped.
// Needs --expose-gc, so run it with node rather than the tsx CLI:
//   node --expose-gc --import tsx bench/watch-cache-memory.ts [--events 10000] [--size 1024] [--batch 256]
// Objects are made as the registry makes them: JSON.parse of a request body (so every object has
// its own strings), uid, creationTimestamp and labels set, resourceVersion set by the store.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../model/defaults.js';
import type { KubeObject } from '../model/object.js';
import { isStatus } from '../model/status.js';
import { Store } from '../model/store/store.js';
import { WatchCache } from '../model/watch/cache.js';
import { resultHead, runMain, sleep, writeResult } from './common.js';

interface Mem { heapUsed: number; external: number; arrayBuffers: number; rss: number }

async function settled(gc: () => void): Promise<Mem> {
  // Let pending promise callbacks and LMDB's write thread finish, then collect until stable.
  for (let i = 0; i < 4; i++) {
    await sleep(50);
    gc();
  }
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss };
}

async function main(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc: node --expose-gc --import tsx bench/watch-cache-memory.ts');
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '10000' },
      size: { type: 'string', default: '1024' },
      batch: { type: 'string', default: '256' },
    },
  });
  const n = Number(values.events);
  const size = Number(values.size);
  const batch = Number(values.batch);
  for (const [k, v, max] of [['events', n, 2_000_000], ['size', size, 1_000_000], ['batch', batch, 10_000]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new Error(`--${k} must be 1..${max}, got ${v}`);
  }

  const dir = await mkdtemp(join(tmpdir(), 'kemu-bench-wcmem-'));
  const store = Store.open({ path: join(dir, 'store.mdb') });
  let cache: WatchCache | undefined = new WatchCache(store, { windowSize: n });
  try {
    const width = String(n).length;
    const body = (i: number, padding: number) => JSON.stringify({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: `cm-${String(i).padStart(width, '0')}`, namespace: 'bench', labels: { app: 'kemu-bench' } },
      data: { payload: 'x'.repeat(padding) },
    });
    const make = (i: number, padding: number): KubeObject => {
      const obj = JSON.parse(body(i, padding)) as KubeObject;
      obj.metadata.uid = randomUUID();
      obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      return obj;
    };
    const key = (i: number) => ({ cluster: 'hub', group: '', resource: 'configmaps', namespace: 'bench', name: `cm-${String(i).padStart(width, '0')}` });
    // Calibrate the padding with an object outside the measured range (index 0; measured ones are 1..n).
    const probe = await store.create(key(0), make(0, 0));
    if (probe === 'exists' || isStatus(probe)) throw new Error('probe not created');
    const padding = Math.max(0, size - probe.bytes.length);

    const before = await settled(gc);
    let storedBytes = 0;
    const t0 = performance.now();
    for (let i = 1; i <= n; i += batch) {
      const writes: Promise<number>[] = [];
      for (let j = i; j < Math.min(n + 1, i + batch); j++) {
        writes.push(store.create(key(j), make(j, padding)).then((e) => {
          if (e === 'exists' || isStatus(e)) throw new Error(`cm ${j} not created`);
          return e.bytes.length;
        }));
      }
      for (const b of await Promise.all(writes)) storedBytes += b;
    }
    const writeMs = performance.now() - t0;
    const after = await settled(gc);
    if (cache.watcherCount() !== 0) throw new Error('unexpected watchers');

    // Drop the cache: what is freed now was held by the ring.
    cache.close();
    cache = undefined;
    const dropped = await settled(gc);

    const d = (a: Mem, b: Mem) => ({
      heap: b.heapUsed - a.heapUsed, external: b.external - a.external, arrayBuffers: b.arrayBuffers - a.arrayBuffers, rss: b.rss - a.rss,
    });
    const grew = d(before, after);
    const ring = d(dropped, after);
    const ringTotal = ring.heap + ring.external;
    const perEvent = ringTotal / n;
    const jsonPerEvent = storedBytes / n;
    const mb = (b: number) => `${(b / 1024 / 1024).toFixed(2)} MB`;
    const row = (label: string, v: string) => `${label.padEnd(30)}${v}`;
    console.log([
      row('events in the window', `${n} ConfigMap ADDED events (window ${n}), ${Math.round(jsonPerEvent)} B of JSON each, ${(n / (writeMs / 1000)).toFixed(0)} writes/s`),
      row('stored JSON bytes', mb(storedBytes)),
      row('grew while writing', `heap ${mb(grew.heap)}, external ${mb(grew.external)} (Buffers ${mb(grew.arrayBuffers)}), rss ${mb(grew.rss)}`),
      row('freed when cache dropped', `heap ${mb(ring.heap)}, external ${mb(ring.external)} (Buffers ${mb(ring.arrayBuffers)})`),
      row('ring per event', `${Math.round(perEvent)} B = ${Math.round(ring.heap / n)} B heap (parsed object, event, key) + ${Math.round(ring.external / n)} B Buffer; ${(perEvent / jsonPerEvent).toFixed(2)}× the JSON`),
      row('per 10,000 events', mb(perEvent * 10_000)),
      row(`default window (${DEFAULTS.watchWindow})`, `${mb(perEvent * DEFAULTS.watchWindow)} per full (cluster, resource) ring of ~${Math.round(jsonPerEvent)} B objects`),
    ].join('\n'));

    const result = {
      ...resultHead('watch-cache-memory'),
      params: { events: n, size, batch },
      jsonBytesPerEvent: Math.round(jsonPerEvent),
      storedJsonBytes: storedBytes,
      writesPerSecond: Math.round(n / (writeMs / 1000)),
      memory: { before, afterWrites: after, afterCacheDropped: dropped },
      grewWhileWriting: grew,
      heldByRing: ring,
      ringBytesPerEvent: Math.round(perEvent),
      ringHeapBytesPerEvent: Math.round(ring.heap / n),
      ringBufferBytesPerEvent: Math.round(ring.external / n),
      ringBytesPer10kEvents: Math.round(perEvent * 10_000),
      ratioToJson: Number((perEvent / jsonPerEvent).toFixed(3)),
      defaultWindow: DEFAULTS.watchWindow,
      bytesPerDefaultWindow: Math.round(perEvent * DEFAULTS.watchWindow),
    };
    await writeResult(result);
  } finally {
    cache?.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

runMain(main);
