// Watch streaming (AS/pkg/endpoints/handlers/watch.go): chunked JSON lines over HTTP, or one
// WebSocket text message per event. Each event goes out as a static prefix per type, the stored
// object's bytes shared by every watcher, and a static suffix, so nothing is serialized per
// watcher unless the watcher asked for a Table or metadata only. In protobuf, each event is a
// length-prefixed WatchEvent frame (a binary WebSocket message without the length), made once
// per event from the object's cached encoding.
import type { ServerResponse } from 'node:http';
import type { WebSocket } from 'ws';
import type { ResourceType } from '../model/catalog.js';
import { apiVersionOf } from '../model/catalog.js';
import type { Clock } from '../model/clock.js';
import type { KubeObject } from '../model/object.js';
import type { WatchStart, WatchStartSink } from '../model/registry/registry.js';
import { isStatus, type Status } from '../model/status.js';
import type { WatchDelivery } from '../model/watch/cache.js';
import type { ApiserverMetrics } from './metrics.js';
import { TABLE_CONTENT_TYPE } from './negotiate.js';
import { protobufCache, registerProtobufCacheMetrics } from './protobuf-cache.js';
import { encodeProtobufObject, encodeWatchEvent } from './protobuf-encode.js';
import { PROTOBUF_MEDIA_TYPE } from './protobuf-schema.js';
import { PARTIAL_OBJECT_TYPE, partialObject, toTable, type IncludeObject } from './table.js';

const PREFIX: Record<string, Buffer> = {
  ADDED: Buffer.from('{"type":"ADDED","object":'),
  MODIFIED: Buffer.from('{"type":"MODIFIED","object":'),
  DELETED: Buffer.from('{"type":"DELETED","object":'),
  BOOKMARK: Buffer.from('{"type":"BOOKMARK","object":'),
  ERROR: Buffer.from('{"type":"ERROR","object":'),
};
const SUFFIX = Buffer.from('}\n');

function frameOf(type: string, bytes: Buffer): Buffer {
  return Buffer.concat([PREFIX[type], bytes, SUFFIX]);
}

// A delivery the watch cache shares between watchers is framed once for all of them.
const sharedFrames = new WeakMap<WatchDelivery, Buffer>();

function sharedFrame(d: WatchDelivery): Buffer {
  let f = sharedFrames.get(d);
  if (!f) {
    f = frameOf(d.type, d.bytes);
    sharedFrames.set(d, f);
  }
  return f;
}

const sharedProtobufFrames = new WeakMap<WatchDelivery, Buffer>();

/** The protobuf frame of a delivery; undefined if its kind has no protobuf type (negotiation rules that out). */
function sharedProtobufFrame(d: WatchDelivery): Buffer | undefined {
  let f = sharedProtobufFrames.get(d);
  if (!f) {
    const pb = protobufCache.encode(d.bytes);
    if (!pb) return undefined;
    f = encodeWatchEvent(d.type, pb.body);
    sharedProtobufFrames.set(d, f);
  }
  return f;
}

/** A protobuf frame of an object made for one watcher: a bookmark of the watched kind, an ERROR Status. */
export function protobufFrameOf(type: string, object: Record<string, unknown>): Buffer {
  const pb = encodeProtobufObject(object);
  if (!pb) throw new Error(`no protobuf type for ${String(object.apiVersion)} ${String(object.kind)}`);
  return encodeWatchEvent(type, pb.body);
}

/** Where a watch's events go: an HTTP response or a WebSocket. */
export interface WatchTransport {
  /** Starts the stream; nothing is written before. */
  open(contentType: string): void;
  /** One whole event: `{"type":…,"object":…}\n`, or a length-prefixed protobuf WatchEvent. */
  write(frame: Buffer): void;
  /** Bytes accepted but not yet sent to the client. */
  buffered(): number;
  end(): void;
  /** Closes the connection at once, dropping what is unsent. */
  destroy(): void;
  onClose(fn: () => void): void;
}

export function httpTransport(res: ServerResponse): WatchTransport {
  let corked = false;
  const uncork = () => {
    corked = false;
    res.uncork();
  };
  return {
    open(contentType) {
      res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
      res.flushHeaders();
    },
    write(frame) {
      // Events written in one tick leave as one writev.
      if (!corked) {
        corked = true;
        res.cork();
        process.nextTick(uncork);
      }
      res.write(frame);
    },
    buffered: () => res.writableLength,
    end: () => res.end(),
    destroy: () => res.destroy(),
    onClose: (fn) => res.on('close', fn),
  };
}

export function webSocketTransport(socket: WebSocket): WatchTransport {
  let binary = false;
  return {
    open(contentType) {
      binary = contentType.startsWith(PROTOBUF_MEDIA_TYPE);
    },
    write(frame) {
      // A protobuf event is one binary message, without the HTTP stream's length prefix.
      if (binary) socket.send(frame.subarray(4), { binary: true });
      else socket.send(frame, { binary: false });
    },
    buffered: () => socket.bufferedAmount,
    end: () => socket.close(1000),
    destroy: () => socket.terminate(),
    onClose: (fn) => socket.on('close', fn),
  };
}

export type WatchOutput = { readonly kind: 'object' } | { readonly kind: 'protobuf' } | { readonly kind: 'table'; readonly include: IncludeObject } | { readonly kind: 'metadata' };

export interface WatchStreamOptions {
  readonly cluster: string;
  readonly rt: ResourceType;
  /** Seconds until the server ends the watch. */
  readonly timeoutSeconds: number;
  readonly bookmarks: boolean;
  readonly output: WatchOutput;
  /** An injected fault: end the watch after this many events, with an ERROR event if given. */
  readonly cut?: { readonly afterEvents: number; readonly error?: Status };
}

export interface WatchLimits {
  /** Bytes a watcher may have unsent before its watch is ended (a slow reader). */
  readonly maxBufferedBytes: number;
  /** Interval of progress bookmarks, ms (cacher's bookmark frequency is about a minute). */
  readonly bookmarkIntervalMs: number;
  /**
   * How long a stream the server ended (a slow reader cut off, a timeout, shutdown) may take to
   * deliver what it has buffered; then its connection is closed, so a client that stopped
   * reading holds no memory.
   */
  readonly drainGraceMs: number;
}

interface WatchEventCounter {
  inc(n: number): void;
}

interface Stream {
  readonly cluster: string;
  end(): void;
}

export const WATCH_CONTENT_TYPES: Record<WatchOutput['kind'], string> = {
  object: 'application/json',
  protobuf: `${PROTOBUF_MEDIA_TYPE};stream=watch`,
  table: TABLE_CONTENT_TYPE,
  metadata: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io',
};

export class WatchStreams {
  private readonly active = new Set<Stream>();

  constructor(private readonly clock: Clock, private readonly metrics: ApiserverMetrics, private readonly limits: WatchLimits) {
    // The protobuf cache serves handlers and watches alike; it is reported with the watch metrics.
    registerProtobufCacheMetrics(metrics.registry);
  }

  get size(): number {
    return this.active.size;
  }

  /**
   * Starts a watch on `transport`. Returns a Status, without writing anything, when the request
   * is invalid; an expired or future resourceVersion is an ERROR event on a 200 stream, as the
   * apiserver sends it.
   */
  serve(transport: WatchTransport, opts: WatchStreamOptions, start: (sink: WatchStartSink) => WatchStart | Status): Status | undefined {
    const { rt, output } = opts;
    const apiVersion = apiVersionOf(rt.group, rt.version);
    const eventsTotal = this.metrics.watchEvents.labels({ group: rt.group, version: rt.version, kind: rt.kind, cluster: opts.cluster });
    let pending: Buffer[] | undefined = [];
    let ended = false;
    let closed = false;
    let firstTable = true;
    // An event made for this watcher alone, in the watch's encoding.
    const frameFor = (type: string, object: Record<string, unknown>): Buffer =>
      (output.kind === 'protobuf' ? protobufFrameOf(type, object) : frameOf(type, Buffer.from(JSON.stringify(object))));
    const write = (frame: Buffer): void => {
      if (ended) return;
      if (pending) {
        pending.push(frame);
        return;
      }
      // Judged before writing, so one event larger than the bound still reaches a reader that
      // keeps up; a reader that has left the bound unsent behind it is cut off.
      if (transport.buffered() > this.limits.maxBufferedBytes) {
        this.metrics.watchersTerminated.inc({ resource: rt.resource, cluster: opts.cluster });
        stream.end();
        return;
      }
      transport.write(frame);
    };
    let delivered = 0;
    let cutDone = false;
    const cutIfDue = (): void => {
      const cut = opts.cut;
      if (!cut || cutDone || delivered < cut.afterEvents) return;
      cutDone = true;
      if (cut.error) write(frameFor('ERROR', cut.error.toJSON()));
      // Ended once any initial events are flushed: `pending` holds them until the stream opens.
      if (pending) queueMicrotask(() => stream.end()); else stream.end();
    };
    const deliver = (d: WatchDelivery): void => {
      if (ended || cutDone) return;
      this.countEvent(eventsTotal);
      delivered++;
      emit(d);
      cutIfDue();
    };
    const emit = (d: WatchDelivery): void => {
      if (output.kind === 'object') return write(sharedFrame(d));
      if (output.kind === 'protobuf') {
        const frame = sharedProtobufFrame(d);
        return frame ? write(frame) : stream.end();
      }
      const { type } = d;
      const obj = JSON.parse(d.bytes.toString('utf8')) as KubeObject;
      if (output.kind === 'metadata') {
        return write(frameOf(type, Buffer.from(JSON.stringify(partialObject(obj)))));
      }
      const rv = obj.metadata.resourceVersion ?? '';
      write(frameOf(type, toTable([obj], { resourceVersion: rv }, output.include, rt, this.clock.now(), firstTable)));
      firstTable = false;
    };
    const bookmark = (rv: number, initialEnd: boolean): void => {
      const metadata: Record<string, unknown> = { resourceVersion: String(rv), creationTimestamp: null };
      if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
      const kind = output.kind === 'metadata' ? PARTIAL_OBJECT_TYPE : { kind: rt.kind, apiVersion };
      write(frameFor('BOOKMARK', { ...kind, metadata }));
    };
    const sink: WatchStartSink = {
      deliver,
      initialEventsEnd: (rv) => bookmark(rv, true),
    };
    let deadline: ReturnType<Clock['setTimeout']> | undefined;
    let bookmarkTimer: ReturnType<Clock['setTimeout']> | undefined;
    let started: WatchStart | undefined;
    const stream: Stream = {
      cluster: opts.cluster,
      end: () => {
        if (ended) return;
        ended = true;
        started?.watcher.stop();
        if (deadline) this.clock.clearTimeout(deadline);
        if (bookmarkTimer) this.clock.clearTimeout(bookmarkTimer);
        this.active.delete(stream);
        transport.end();
        if (!closed) {
          const abandon = this.clock.setTimeout(() => { if (!closed) transport.destroy(); }, this.limits.drainGraceMs);
          transport.onClose(() => this.clock.clearTimeout(abandon));
        }
      },
    };
    const result = start(sink);
    if (isStatus(result)) {
      // Expired (410) and too-large (504) resourceVersions are told as an ERROR event.
      if (result.code !== 410 && result.code !== 504) return result;
      pending = [frameFor('ERROR', result.toJSON())];
    } else {
      started = result;
    }
    transport.open(WATCH_CONTENT_TYPES[output.kind]);
    const buffered = pending;
    pending = undefined;
    for (const frame of buffered) transport.write(frame);
    this.active.add(stream);
    transport.onClose(() => {
      closed = true;
      stream.end();
    });
    if (!started) {
      stream.end();
      return undefined;
    }
    deadline = this.clock.setTimeout(() => stream.end(), opts.timeoutSeconds * 1000);
    cutIfDue();
    if (opts.bookmarks) {
      const watch = started;
      const tick = (): void => {
        if (ended) return;
        bookmark(watch.bookmarkRV(), false);
        bookmarkTimer = this.clock.setTimeout(tick, this.limits.bookmarkIntervalMs);
      };
      bookmarkTimer = this.clock.setTimeout(tick, this.limits.bookmarkIntervalMs);
    }
    return undefined;
  }

  /** Ends every watch of a removed cluster. */
  endCluster(cluster: string): void {
    for (const s of [...this.active]) if (s.cluster === cluster) s.end();
  }

  // apiserver_watch_events_total is counted per tick rather than per delivery: a thousand
  // watchers of one event are one increment of 1,000.
  private readonly uncounted = new Map<WatchEventCounter, number>();

  private countEvent(c: WatchEventCounter): void {
    if (this.uncounted.size === 0) process.nextTick(() => this.flushCounts());
    this.uncounted.set(c, (this.uncounted.get(c) ?? 0) + 1);
  }

  private flushCounts(): void {
    for (const [c, n] of this.uncounted) c.inc(n);
    this.uncounted.clear();
  }

  endAll(): void {
    for (const s of [...this.active]) s.end();
  }
}
