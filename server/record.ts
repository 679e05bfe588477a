// `kemu serve --record FILE`: every request kemu serves, one audit.k8s.io/v1 Event per line, as
// kube-apiserver's log backend writes them at level RequestResponse, minus the response body
// (responseObject would make the log as large as all the answers, and replay does not need it).
// The cluster, which a real audit log cannot know, is the annotation `kemu.io/cluster`; the
// request's Content-Type, which it does not record, is `kemu.io/content-type`, so a replay can
// tell a merge patch from a strategic one.
//
// Writing stays off the request's path: an event is built when the response closes, queued in
// memory and written with one stream write per event-loop turn. When the disk falls behind by
// more than `maxBufferedBytes`, events are dropped and counted (kemu_record_dropped_total)
// rather than slowing the server down: a load test measures the server, not its recorder.
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Counter, type Registry } from 'prom-client';
import { parse as parseYaml } from 'yaml';
import { DEFAULTS } from '../model/defaults.js';
import { isStatus } from '../model/status.js';
import type { UserInfo } from '../model/user.js';
import { mediaType } from './body.js';
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from './protobuf.js';
import type { RequestInfo } from './requestinfo.js';

export const CLUSTER_ANNOTATION = 'kemu.io/cluster';
export const CONTENT_TYPE_ANNOTATION = 'kemu.io/content-type';

export interface AuditObjectRef {
  readonly resource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly apiGroup?: string;
  readonly apiVersion?: string;
  readonly subresource?: string;
}

/** audit.k8s.io/v1 Event, the fields kemu writes. */
export interface AuditEvent {
  readonly kind: 'Event';
  readonly apiVersion: 'audit.k8s.io/v1';
  readonly level: 'RequestResponse';
  readonly auditID: string;
  /** ResponseComplete; a watch is written once, when its stream started (ResponseStarted). */
  readonly stage: 'ResponseStarted' | 'ResponseComplete';
  /** The kube path and query, without kemu's `/clusters/<name>` prefix. */
  readonly requestURI: string;
  readonly verb: string;
  readonly user: { readonly username: string; readonly uid?: string; readonly groups: readonly string[] };
  readonly sourceIPs: readonly string[];
  readonly userAgent?: string;
  readonly objectRef?: AuditObjectRef;
  readonly responseStatus: { readonly metadata: Record<string, never>; readonly code: number };
  readonly requestObject?: unknown;
  /** RFC 3339 with microseconds, as the apiserver writes metav1.MicroTime. */
  readonly requestReceivedTimestamp: string;
  readonly stageTimestamp: string;
  readonly annotations: Readonly<Record<string, string>>;
}

/** What the recorder reads of the pipeline's per-request state; `user` is set once authenticated. */
export interface RecordableState {
  readonly info: RequestInfo;
  readonly user?: UserInfo;
}

// Probes and scrapes are the harness's noise, not the workload: a replay has nothing to do with
// them, and the replayer's own once-a-second /metrics scrape would otherwise fill the log.
const UNRECORDED = /^\/(healthz|livez|readyz|metrics)(\/|$)/;

const ANONYMOUS = { username: 'system:anonymous', groups: ['system:unauthenticated'] } as const;

interface Pending {
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
  readonly state: RecordableState;
  readonly received: string;
  done: boolean;
}

export interface RecorderOptions {
  /** Unwritten bytes past which events are dropped; default DEFAULTS.recordMaxBufferedBytes. */
  readonly maxBufferedBytes?: number;
}

export class RequestRecorder {
  private readonly pending = new WeakMap<object, Pending>();
  private readonly events: Counter;
  private readonly dropped: Counter;
  private readonly maxBuffered: number;
  private queue: string[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  private failed: Error | undefined;
  private closed = false;
  private droppedCount = 0;

  private constructor(private readonly path: string, private readonly stream: WriteStream, registry: Registry, opts: RecorderOptions) {
    this.maxBuffered = opts.maxBufferedBytes ?? DEFAULTS.recordMaxBufferedBytes;
    this.events = new Counter({ name: 'kemu_record_events_total', help: 'Audit events written by --record.', registers: [registry] });
    this.dropped = new Counter({ name: 'kemu_record_dropped_total', help: 'Audit events --record dropped because the disk fell behind or failed.', registers: [registry] });
    stream.on('error', (e) => {
      this.failed = e;
      process.stderr.write(`kemu: --record ${path}: ${e.message}; further events are dropped\n`);
    });
  }

  /** Opens FILE for appending; mode 0600 because it holds request bodies, Secrets included. */
  static async open(path: string, registry: Registry, opts: RecorderOptions = {}): Promise<RequestRecorder> {
    const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    // An existing file keeps its mode on open; the log must not be readable by others either way.
    await chmod(path, 0o600);
    return new RequestRecorder(path, stream, registry, opts);
  }

  /** Called once per request as it arrives; the event is written when its response closes. */
  begin(req: FastifyRequest, reply: FastifyReply, state: RecordableState): void {
    if (!state.info.isResourceRequest && UNRECORDED.test(state.info.kubePath)) return;
    const p: Pending = { req, reply, state, received: microTime(), done: false };
    this.pending.set(req.raw, p);
    reply.raw.once('close', () => this.finish(p, 'ResponseComplete', reply.raw.statusCode));
  }

  /** A watch's stream has started: it is written now, once, rather than when it ends minutes later. */
  started(req: FastifyRequest, code: number): void {
    const p = this.pending.get(req.raw);
    if (p) this.finish(p, 'ResponseStarted', code);
  }

  /** Writes what is queued and closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    await new Promise<void>((resolve) => this.stream.end(resolve));
    if (this.droppedCount > 0) process.stderr.write(`kemu: --record ${this.path}: ${this.droppedCount} events dropped (the disk fell behind or failed)\n`);
  }

  private finish(p: Pending, stage: AuditEvent['stage'], code: number): void {
    if (p.done) return;
    p.done = true;
    this.pending.delete(p.req.raw);
    if (this.closed || this.failed || this.stream.writableLength + this.queuedBytes > this.maxBuffered) {
      this.drop();
      return;
    }
    const line = JSON.stringify(auditEvent(p, stage, code)) + '\n';
    this.queue.push(line);
    this.queuedBytes += line.length;
    this.events.inc();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private drop(): void {
    this.droppedCount++;
    this.dropped.inc();
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return;
    const text = this.queue.join('');
    this.queue = [];
    this.queuedBytes = 0;
    if (!this.failed) this.stream.write(text);
  }
}

function auditEvent(p: Pending, stage: AuditEvent['stage'], code: number): AuditEvent {
  const { req, state } = p;
  const { info } = state;
  const url = req.raw.url ?? '/';
  const q = url.indexOf('?');
  const user = state.user;
  const contentType = req.headers['content-type'];
  const body = info.isResourceRequest && Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
  const requestObject = body ? decodeForAudit(body, contentType) : undefined;
  const userAgent = req.headers['user-agent'];
  return {
    kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse',
    auditID: auditIdOf(p.reply), stage,
    requestURI: info.kubePath + (q < 0 ? '' : url.slice(q)),
    verb: info.verb,
    user: user ? { username: user.name, uid: user.uid, groups: user.groups } : ANONYMOUS,
    sourceIPs: [req.ip],
    ...(userAgent ? { userAgent } : {}),
    ...(info.isResourceRequest ? { objectRef: objectRefOf(info, requestObject) } : {}),
    responseStatus: { metadata: {}, code },
    ...(requestObject !== undefined ? { requestObject } : {}),
    requestReceivedTimestamp: p.received,
    stageTimestamp: microTime(),
    annotations: {
      [CLUSTER_ANNOTATION]: info.cluster,
      ...(body && contentType ? { [CONTENT_TYPE_ANNOTATION]: contentType } : {}),
    },
  };
}

// The Audit-Id the response carried (the pipeline sets it as kube-apiserver's WithAuditInit
// does), so a log line can be matched with what the client saw; a UUID otherwise.
function auditIdOf(reply: FastifyReply): string {
  const id = reply.raw.getHeader('audit-id');
  return typeof id === 'string' && id !== '' ? id : randomUUID();
}

// A create names its object only in the body; the apiserver's LogRequestObject takes the name
// from there, so the log line says which object was made.
function objectRefOf(info: RequestInfo, requestObject: unknown): AuditObjectRef {
  const meta = typeof requestObject === 'object' && requestObject !== null ? (requestObject as { metadata?: { name?: unknown } }).metadata : undefined;
  const name = info.name || (typeof meta?.name === 'string' ? meta.name : '');
  return {
    resource: info.resource,
    ...(info.namespace ? { namespace: info.namespace } : {}),
    ...(name ? { name } : {}),
    ...(info.apiGroup ? { apiGroup: info.apiGroup } : {}),
    apiVersion: info.apiVersion,
    ...(info.subresource ? { subresource: info.subresource } : {}),
  };
}

/**
 * The body as the handler decoded it: JSON (every +json patch type), YAML (apply patches) or
 * protobuf. A body that does not decode (the request was refused for it) is left out.
 */
function decodeForAudit(body: Buffer, contentType: string | undefined): unknown {
  const type = mediaType(contentType) || 'application/json';
  try {
    if (type === 'application/json' || type.endsWith('+json')) return JSON.parse(body.toString('utf8')) as unknown;
    if (type === 'application/yaml' || type.endsWith('+yaml')) return parseYaml(body.toString('utf8')) as unknown;
    if (type === PROTOBUF_MEDIA_TYPE) {
      const o = decodeProtobufObject(body);
      return isStatus(o) ? undefined : o;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Now as RFC 3339 with microseconds (`2024-04-08T02:45:08.234193Z`). */
function microTime(): string {
  const t = performance.timeOrigin + performance.now();
  const ms = Math.floor(t);
  const micros = Math.floor((t - ms) * 1000);
  return `${new Date(ms).toISOString().slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}
