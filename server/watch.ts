// Watch streaming over HTTP chunked JSON lines (AS/pkg/endpoints/handlers/watch.go). Each event
// goes out as three writes (a static prefix per type, the stored object's bytes shared by every
// watcher, a static suffix), so nothing is serialized per watcher.
import type { ServerResponse } from 'node:http';
import type { ResourceType } from '../model/catalog.js';
import { apiVersionOf } from '../model/catalog.js';
import type { Clock } from '../model/clock.js';
import type { KubeObject } from '../model/object.js';
import type { WatchStart, WatchStartSink } from '../model/registry/registry.js';
import { isStatus, type Status } from '../model/status.js';
import type { WatchDelivery } from '../model/watch/cache.js';
import type { ApiserverMetrics } from './metrics.js';
import { toTable, type IncludeObject } from './table.js';

const PREFIX: Record<string, Buffer> = {
  ADDED: Buffer.from('{"type":"ADDED","object":'),
  MODIFIED: Buffer.from('{"type":"MODIFIED","object":'),
  DELETED: Buffer.from('{"type":"DELETED","object":'),
  BOOKMARK: Buffer.from('{"type":"BOOKMARK","object":'),
  ERROR: Buffer.from('{"type":"ERROR","object":'),
};
const SUFFIX = Buffer.from('}\n');

export interface WatchStreamOptions {
  readonly cluster: string;
  readonly rt: ResourceType;
  /** Seconds until the server ends the watch. */
  readonly timeoutSeconds: number;
  readonly bookmarks: boolean;
  readonly table?: IncludeObject;
}

export interface WatchLimits {
  /** Bytes a watcher may have unsent before its watch is ended (a slow reader). */
  readonly maxBufferedBytes: number;
  /** Interval of progress bookmarks, ms (cacher's bookmark frequency is about a minute). */
  readonly bookmarkIntervalMs: number;
}

interface Stream {
  readonly cluster: string;
  end(): void;
}

export class WatchStreams {
  private readonly active = new Set<Stream>();

  constructor(private readonly clock: Clock, private readonly metrics: ApiserverMetrics, private readonly limits: WatchLimits) {}

  get size(): number {
    return this.active.size;
  }

  /**
   * Starts a watch on `res`. Returns a Status, without writing anything, when the request is
   * invalid; an expired resourceVersion is an ERROR event on a 200 stream, as the apiserver does.
   */
  serve(res: ServerResponse, opts: WatchStreamOptions, start: (sink: WatchStartSink) => WatchStart | Status, onEnd: () => void): Status | undefined {
    const { rt } = opts;
    const apiVersion = apiVersionOf(rt.group, rt.version);
    const labels = { group: rt.group, version: rt.version, kind: rt.kind, cluster: opts.cluster };
    const contentType = opts.table ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json';
    let pending: Buffer[] | undefined = [];
    let ended = false;
    let firstTable = true;
    const write = (type: string, bytes: Buffer): void => {
      if (ended) return;
      if (pending) {
        pending.push(PREFIX[type], bytes, SUFFIX);
        return;
      }
      res.cork();
      res.write(PREFIX[type]);
      res.write(bytes);
      res.write(SUFFIX);
      process.nextTick(() => res.uncork());
      if (res.writableLength > this.limits.maxBufferedBytes) {
        this.metrics.watchersTerminated.inc({ resource: rt.resource, cluster: opts.cluster });
        stream.end();
      }
    };
    const deliverObject = (type: string, bytes: Buffer): void => {
      this.metrics.watchEvents.inc(labels);
      if (!opts.table) return write(type, bytes);
      const obj = JSON.parse(bytes.toString('utf8')) as KubeObject;
      const rv = obj.metadata.resourceVersion ?? '';
      write(type, toTable([obj], { resourceVersion: rv }, opts.table, firstTable));
      firstTable = false;
    };
    const bookmark = (rv: number, initialEnd: boolean): void => {
      const metadata: Record<string, unknown> = { resourceVersion: String(rv), creationTimestamp: null };
      if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
      write('BOOKMARK', Buffer.from(JSON.stringify({ kind: rt.kind, apiVersion, metadata })));
    };
    const sink: WatchStartSink = {
      deliver: (d: WatchDelivery) => deliverObject(d.type, d.bytes),
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
        res.end();
        onEnd();
      },
    };
    const result = start(sink);
    if (isStatus(result)) {
      if (result.code !== 410) return result;
      pending = [PREFIX.ERROR, Buffer.from(JSON.stringify(result.toJSON())), SUFFIX];
    } else {
      started = result;
    }
    res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const buffered = pending;
    pending = undefined;
    for (const b of buffered) res.write(b);
    this.active.add(stream);
    res.on('close', () => stream.end());
    if (!started) {
      stream.end();
      return undefined;
    }
    deadline = this.clock.setTimeout(() => stream.end(), opts.timeoutSeconds * 1000);
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

  endAll(): void {
    for (const s of [...this.active]) s.end();
  }
}
