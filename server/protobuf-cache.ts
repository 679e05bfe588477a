// JSON stays the stored form; the protobuf form of a stored object is made once and shared by
// every reader that wants it (GETs, LIST items, watch events), as kube-apiserver's watch cache
// keeps one serialization per object and encoder (runtime.CacheableObject).
//
// Entries are found by the resourceVersion in the JSON (every stored write has its own, store-
// wide) and checked against the JSON itself, so bytes that share a resourceVersion without
// being the stored object (a Scale, a dry-run answer) cannot be served another's encoding.
// Oldest entries go first once the bound is passed.
import { Counter, Gauge, type Registry } from 'prom-client';
import { encodeProtobufObject, type EncodedObject } from './protobuf-encode.js';

// Room for about 35,000 ConfigMaps of 1 KiB (1 KiB of JSON and 0.8 KiB of protobuf each).
export const PROTOBUF_CACHE_BYTES = 64 * 1024 * 1024;

// Searched for by its tail: a longer needle lets the search skip further (half the time of
// the whole key); the head is then checked by hand.
const RV_TAIL = Buffer.from('ceVersion":"');
const RV_HEAD = Buffer.from('"resour');

interface Entry {
  readonly json: Buffer;
  readonly encoded: EncodedObject;
}

function headBefore(json: Buffer, at: number): boolean {
  const from = at - RV_HEAD.length;
  if (from < 0) return false;
  for (let i = 0; i < RV_HEAD.length; i++) if (json[from + i] !== RV_HEAD[i]) return false;
  return true;
}

/** The resourceVersion of stored JSON bytes, read without parsing them; -1 when there is none. */
export function storedResourceVersion(json: Buffer): number {
  let at = json.indexOf(RV_TAIL);
  while (at >= 0 && !headBefore(json, at)) at = json.indexOf(RV_TAIL, at + 1);
  if (at < 0) return -1;
  let rv = 0;
  let p = at + RV_TAIL.length;
  const start = p;
  for (; p < json.length; p++) {
    const c = json[p];
    if (c < 0x30 || c > 0x39) break;
    rv = rv * 10 + (c - 0x30);
  }
  return p > start && json[p] === 0x22 && p - start < 16 ? rv : -1;
}

export class ProtobufCache {
  private readonly entries = new Map<number, Entry>();
  private size = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes held: the JSON kept to check hits and the encodings. */
  get bytes(): number {
    return this.size;
  }

  get count(): number {
    return this.entries.size;
  }

  /** The protobuf form of stored JSON bytes; undefined when the kind has no protobuf type. */
  encode(json: Buffer): EncodedObject | undefined {
    const rv = storedResourceVersion(json);
    if (rv >= 0) {
      const e = this.entries.get(rv);
      if (e && (e.json === json || e.json.equals(json))) {
        this.hits++;
        return e.encoded;
      }
    }
    this.misses++;
    const encoded = encodeProtobufObject(JSON.parse(json.toString('utf8')) as Record<string, unknown>);
    if (encoded && rv >= 0) this.add(rv, { json, encoded });
    return encoded;
  }

  private add(rv: number, e: Entry): void {
    const cost = e.json.length + e.encoded.body.length;
    if (cost > this.maxBytes) return;
    const old = this.entries.get(rv);
    if (old) {
      this.entries.delete(rv);
      this.size -= old.json.length + old.encoded.body.length;
    }
    this.entries.set(rv, e);
    this.size += cost;
    for (const [k, v] of this.entries) {
      if (this.size <= this.maxBytes) break;
      this.entries.delete(k);
      this.size -= v.json.length + v.encoded.body.length;
    }
  }
}

/** One cache for the process: several servers in one process (tests, benches) share it. */
export const protobufCache = new ProtobufCache(PROTOBUF_CACHE_BYTES);

/** Reports the process's protobuf cache in a server's metrics. */
export function registerProtobufCacheMetrics(registry: Registry, cache: ProtobufCache = protobufCache): void {
  new Gauge({
    name: 'kemu_protobuf_cache_bytes',
    help: 'Bytes held by the cache of protobuf encodings of stored objects (the encodings and the JSON they were made from).',
    registers: [registry],
    collect() { this.set(cache.bytes); },
  });
  new Gauge({
    name: 'kemu_protobuf_cache_objects',
    help: 'Objects whose protobuf encoding is cached.',
    registers: [registry],
    collect() { this.set(cache.count); },
  });
  new Counter({
    name: 'kemu_protobuf_cache_lookups_total',
    help: 'Lookups of the protobuf encoding of a stored object, by result (hit: served from the cache; miss: encoded).',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'hit' }, cache.hits);
      this.inc({ result: 'miss' }, cache.misses);
    },
  });
}
