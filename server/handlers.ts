// The handler stage: one function per verb, turning a parsed request into registry calls and
// the registry's answers into responses (AS/pkg/endpoints/handlers/{get,create,update,delete,
// patch,watch}.go).
import type { FastifyReply } from 'fastify';
import type { ResourceType } from '../model/catalog.js';
import { apiVersionOf } from '../model/catalog.js';
import type { KubeObject } from '../model/object.js';
import { isPlainObject } from '../model/object.js';
import type { DeleteOptions, FieldValidation, Registry, RequestScope, WriteOptions } from '../model/registry/registry.js';
import { fieldManagerErrors, invalidPatchOptions, managerFromUserAgent, patchOptionsErrors } from '../model/apply/index.js';
import { parseResourceVersion, type WatchOptions } from '../model/registry/list-options.js';
import { review } from '../model/registry/reviews.js';
import type { Rng } from '../model/rng.js';
import {
  badRequest, invalid, isStatus, methodNotAllowed, Status,
} from '../model/status.js';
import type { UserInfo } from '../model/user.js';
import { decodeBody } from './body.js';
import { negotiateOutput, PARTIAL_CONTENT_TYPES, protobufServed, TABLE_CONTENT_TYPE, type OutputFormat } from './negotiate.js';
import { patchFunction, patchTypeOf } from './patch.js';
import type { RequestInfo } from './requestinfo.js';
import { listBytes, sendBytes, sendList, sendStatus, successStatus } from './respond.js';
import { parseIncludeObject, partialObject, toTable } from './table.js';
import { httpTransport, protobufFrameOf, webSocketTransport, type WatchOutput, type WatchStreams, type WatchTransport } from './watch.js';
import type { WebSocket } from 'ws';

export interface ResourceRequest {
  readonly info: RequestInfo;
  readonly rt: ResourceType;
  readonly scope: RequestScope;
  readonly query: URLSearchParams;
  readonly body?: Buffer;
  readonly contentType?: string;
  readonly accept?: string;
  readonly userAgent?: string;
  /** An injected watch fault (server/flow-control.ts). */
  readonly watchCut?: { readonly afterEvents: number; readonly error?: Status };
}

// GET ?watch without timeoutSeconds: minRequestTimeout (1800 s) times 1 + rand (handlers/get.go).
const MIN_REQUEST_TIMEOUT_S = 1800;
const FIELD_VALIDATIONS: readonly FieldValidation[] = ['Ignore', 'Warn', 'Strict'];

export class ResourceHandlers {
  constructor(
    private readonly registry: Registry,
    private readonly watches: WatchStreams,
    private readonly rng: Rng,
    private readonly tokenUser: (token: string) => UserInfo | undefined,
    private readonly futureWaitMs: number,
    /** Ms since the epoch; Table ages are measured against it. */
    private readonly now: () => number,
  ) {}

  async handle(r: ResourceRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
    const { info, rt } = r;
    const verb = info.verb;
    // Negotiated first, so that every failure below is written as the client asked.
    const format = negotiateOutput(r.accept, verb, () => protobufServed(rt, verb, info.subresource));
    if (isStatus(format)) return sendStatus(reply, format);
    if (info.subresource && !rt.subresources.some((s) => s.name === info.subresource)) {
      return sendStatus(reply, new Status(404, 'NotFound', 'the server could not find the requested resource'), format);
    }
    const allowed = info.subresource ? rt.subresources.find((s) => s.name === info.subresource)?.verbs ?? [] : rt.verbs;
    if (!allowed.includes(verb === 'watch' && !info.name ? 'watch' : verb) && !(verb === 'watch' && allowed.includes('get'))) {
      return sendStatus(reply, methodNotAllowed(verb, rt), format);
    }
    if (info.subresource && info.subresource !== 'status' && info.subresource !== 'finalize' && info.subresource !== 'scale') {
      return sendStatus(reply, new Status(405, 'MethodNotAllowed', `the subresource ${info.subresource} is not served by kemu yet`), format);
    }
    const ns = info.namespace;
    switch (verb) {
      case 'get': return this.get(r, reply, format);
      case 'list': return this.list(r, reply, format);
      case 'watch': return this.watch(r, reply, format);
      case 'create': return this.create(r, reply, format);
      case 'update': return this.update(r, reply, format);
      case 'patch': return this.patch(r, reply, format);
      case 'delete': return this.delete(r, reply, format);
      case 'deletecollection': return this.deleteCollection(r, reply, format, ns);
      default: return sendStatus(reply, methodNotAllowed(verb, rt), format);
    }
  }

  private get(r: ResourceRequest, reply: FastifyReply, format: OutputFormat): FastifyReply {
    if (r.info.subresource === 'scale') {
      const scale = this.registry.getScale(r.scope, r.rt, r.info.namespace, r.info.name);
      return isStatus(scale) ? sendStatus(reply, scale, format) : sendBytes(reply, 200, scale, format);
    }
    const e = this.registry.get(r.scope, r.rt, r.info.namespace, r.info.name);
    if (isStatus(e)) return sendStatus(reply, e, format);
    if (format === 'table') {
      const obj = JSON.parse(e.bytes.toString('utf8')) as KubeObject;
      return sendTable(reply, toTable([obj], { resourceVersion: obj.metadata.resourceVersion ?? '' }, parseIncludeObject(r.query.get('includeObject')), r.rt, this.now()));
    }
    if (format === 'metadata') return sendPartial(reply, PARTIAL_CONTENT_TYPES.object, partialBytes(e.bytes));
    return sendBytes(reply, 200, e.bytes, format);
  }

  private async list(r: ResourceRequest, reply: FastifyReply, format: OutputFormat): Promise<FastifyReply> {
    const opts = listOptions(r.query);
    if (isStatus(opts)) return sendStatus(reply, opts, format);
    const tooLarge = await this.waitForFuture(opts);
    if (tooLarge) return sendStatus(reply, tooLarge, format);
    const res = this.registry.list(r.scope, r.rt, namespaceOf(r), opts);
    if (isStatus(res)) return sendStatus(reply, res, format);
    const meta = {
      resourceVersion: String(res.rv),
      ...(res.continue ? { continue: res.continue } : {}),
      ...(res.remainingItemCount !== undefined ? { remainingItemCount: res.remainingItemCount } : {}),
    };
    if (format === 'table') {
      const objs = res.items.map((b) => JSON.parse(b.toString('utf8')) as KubeObject);
      return sendTable(reply, toTable(objs, meta, parseIncludeObject(r.query.get('includeObject')), r.rt, this.now()));
    }
    if (format === 'metadata') {
      return sendPartial(reply, PARTIAL_CONTENT_TYPES.list, listBytes('PartialObjectMetadataList', 'meta.k8s.io/v1', meta, res.items.map(partialBytes)));
    }
    return sendList(reply, r.rt.listKind, apiVersionOf(r.rt.group, r.rt.version), meta, res.items, format);
  }

  private async watch(r: ResourceRequest, reply: FastifyReply, format: OutputFormat): Promise<FastifyReply | undefined> {
    const opts = listOptions(r.query);
    if (isStatus(opts)) return sendStatus(reply, opts, format);
    const failed = this.startWatch(r, opts, format, httpTransport(reply.raw), await this.waitForFuture(opts));
    if (failed) return sendStatus(reply, failed, format);
    reply.hijack();
    return undefined;
  }

  /** A watch asked for over WebSocket: the same events, one text message each. */
  async handleWebSocket(r: ResourceRequest, socket: WebSocket): Promise<void> {
    const format = negotiateOutput(r.accept, 'watch', () => protobufServed(r.rt, 'watch', r.info.subresource));
    const opts = listOptions(r.query);
    const failed = isStatus(format) ? format
      : isStatus(opts) ? opts
        : r.info.verb !== 'watch' && r.info.verb !== 'list' ? methodNotAllowed(r.info.verb, r.rt)
          : this.startWatch(r, opts, format, webSocketTransport(socket), await this.waitForFuture(opts));
    if (failed) {
      if (format === 'protobuf') socket.send(protobufFrameOf('ERROR', failed.toJSON()).subarray(4), { binary: true });
      else socket.send(JSON.stringify({ type: 'ERROR', object: failed.toJSON() }));
      socket.close(1000);
    }
  }

  /** A numeric resourceVersion ahead of the store is waited for (cacher.go waitUntilFreshAndBlock). */
  private async waitForFuture(opts: WatchOptions): Promise<Status | undefined> {
    const text = opts.resourceVersion;
    if (!text || text === '0') return undefined;
    const rv = parseResourceVersion(text);
    // One that does not parse is refused with 400 where the list or watch reads it.
    return isStatus(rv) ? undefined : this.registry.waitForResourceVersion(rv, this.futureWaitMs);
  }

  private startWatch(r: ResourceRequest, opts: WatchOptions, format: OutputFormat, transport: WatchTransport, failure?: Status): Status | undefined {
    let fieldSelector = opts.fieldSelector;
    if (r.info.name) {
      // A named watch is a watch with metadata.name=<name> (handlers/get.go).
      const byName = `metadata.name=${r.info.name}`;
      if (fieldSelector && !fieldSelector.split(',').includes(byName)) {
        return badRequest("fieldSelector metadata.name doesn't match requested name");
      }
      fieldSelector = fieldSelector ? fieldSelector : byName;
    }
    const timeoutParam = r.query.get('timeoutSeconds');
    const timeoutSeconds = timeoutParam !== null && /^\d+$/.test(timeoutParam) && Number(timeoutParam) > 0
      ? Number(timeoutParam)
      : MIN_REQUEST_TIMEOUT_S * (1 + this.rng.next());
    const watchOpts: WatchOptions = { ...opts, fieldSelector };
    const output: WatchOutput = format === 'table' ? { kind: 'table', include: parseIncludeObject(r.query.get('includeObject')) }
      : format === 'metadata' ? { kind: 'metadata' } : format === 'protobuf' ? { kind: 'protobuf' } : { kind: 'object' };
    return this.watches.serve(transport, {
      cluster: r.scope.cluster, rt: r.rt, timeoutSeconds, bookmarks: opts.allowWatchBookmarks === true, output,
      ...(r.watchCut ? { cut: r.watchCut } : {}),
    }, (sink) => failure ?? this.registry.watch(r.scope, r.rt, namespaceOf(r), watchOpts, sink));
  }

  private async create(r: ResourceRequest, reply: FastifyReply, format: OutputFormat): Promise<FastifyReply> {
    const body = decodeBody(r.body, r.contentType, r.rt.kind);
    if (isStatus(body)) return sendStatus(reply, body, format);
    const dryRun = dryRunOf(r.query);
    if (isStatus(dryRun)) return sendStatus(reply, dryRun, format);
    const answered = review(r.rt, body, r.scope.user, this.tokenUser);
    if (answered) {
      if (isStatus(answered)) return sendStatus(reply, answered, format);
      return sendBytes(reply, 201, Buffer.from(JSON.stringify(answered)), format);
    }
    if (!r.rt.verbs.includes('get')) return sendStatus(reply, methodNotAllowed('create', r.rt), format);
    const opts = writeOptions(r, 'CreateOptions', dryRun);
    if (isStatus(opts)) return sendStatus(reply, opts, format);
    const res = await this.registry.create(r.scope, r.rt, r.info.namespace, body, opts);
    if (isStatus(res)) return sendStatus(reply, res, format);
    return sendBytes(withWarnings(reply, res.warnings), 201, res.bytes, format);
  }

  private async update(r: ResourceRequest, reply: FastifyReply, format: OutputFormat): Promise<FastifyReply> {
    const body = decodeBody(r.body, r.contentType, r.rt.kind);
    if (isStatus(body)) return sendStatus(reply, body, format);
    const dryRun = dryRunOf(r.query);
    if (isStatus(dryRun)) return sendStatus(reply, dryRun, format);
    const opts = writeOptions(r, 'UpdateOptions', dryRun);
    if (isStatus(opts)) return sendStatus(reply, opts, format);
    const res = await this.registry.update(r.scope, r.rt, r.info.namespace, r.info.name, r.info.subresource, body, opts);
    if (isStatus(res)) return sendStatus(reply, res, format);
    return sendBytes(withWarnings(reply, res.warnings), res.created ? 201 : 200, res.bytes, format);
  }

  private async patch(r: ResourceRequest, reply: FastifyReply, format: OutputFormat): Promise<FastifyReply> {
    const type = patchTypeOf(r.contentType, r.rt);
    if (isStatus(type)) return sendStatus(reply, type, format);
    const dryRun = dryRunOf(r.query);
    if (isStatus(dryRun)) return sendStatus(reply, dryRun, format);
    const opts = writeOptions(r, 'PatchOptions', dryRun);
    if (isStatus(opts)) return sendStatus(reply, opts, format);
    const force = boolParam(r.query, 'force');
    if (type !== 'apply') {
      const errs = patchOptionsErrors(false, opts.fieldManager, force !== undefined);
      if (errs.length) return sendStatus(reply, invalidPatchOptions(errs), format);
    }
    const mutate = patchFunction({
      type, rt: r.rt, subresource: r.info.subresource, body: r.body, force: force === true, now: this.now(), fieldValidation: opts.fieldValidation,
      fieldManager: type === 'apply' ? r.query.get('fieldManager') ?? undefined : opts.fieldManager,
    });
    if (isStatus(mutate)) return sendStatus(reply, mutate, format);
    const res = await this.registry.patch(r.scope, r.rt, r.info.namespace, r.info.name, r.info.subresource, mutate,
      { ...opts, createIfMissing: type === 'apply', apply: type === 'apply' });
    if (isStatus(res)) return sendStatus(reply, res, format);
    return sendBytes(withWarnings(reply, res.warnings), res.created ? 201 : 200, res.bytes, format);
  }

  private async delete(r: ResourceRequest, reply: FastifyReply, format: OutputFormat): Promise<FastifyReply> {
    const opts = deleteOptions(r);
    if (isStatus(opts)) return sendStatus(reply, opts, format);
    const res = await this.registry.delete(r.scope, r.rt, r.info.namespace, r.info.name, opts);
    if (isStatus(res)) return sendStatus(reply, res, format);
    if (res.object) return sendBytes(reply, 200, res.object, format);
    const details: Record<string, string> = { name: r.info.name };
    if (r.rt.group) details.group = r.rt.group;
    details.kind = r.rt.resource;
    details.uid = res.uid;
    return sendBytes(reply, 200, successStatus(details), format);
  }

  private async deleteCollection(r: ResourceRequest, reply: FastifyReply, format: OutputFormat, ns: string): Promise<FastifyReply> {
    if (r.rt.group === '' && r.rt.resource === 'namespaces') return sendStatus(reply, methodNotAllowed('deletecollection', r.rt), format);
    const list = listOptions(r.query);
    if (isStatus(list)) return sendStatus(reply, list, format);
    const opts = deleteOptions(r);
    if (isStatus(opts)) return sendStatus(reply, opts, format);
    const res = await this.registry.deleteCollection(r.scope, r.rt, r.rt.namespaced && ns ? ns : undefined, list, opts);
    if (isStatus(res)) return sendStatus(reply, res, format);
    return sendList(reply, r.rt.listKind, apiVersionOf(r.rt.group, r.rt.version), { resourceVersion: String(res.rv) }, res.items, format);
  }
}

function sendTable(reply: FastifyReply, bytes: Buffer): FastifyReply {
  return reply.code(200).header('Content-Type', TABLE_CONTENT_TYPE).send(bytes);
}

function partialBytes(bytes: Buffer): Buffer {
  return Buffer.from(JSON.stringify(partialObject(JSON.parse(bytes.toString('utf8')) as KubeObject)));
}

function sendPartial(reply: FastifyReply, contentType: string, bytes: Buffer): FastifyReply {
  return reply.code(200).header('Content-Type', contentType).send(bytes);
}

function namespaceOf(r: ResourceRequest): string | undefined {
  return r.rt.namespaced && r.info.namespace ? r.info.namespace : undefined;
}

function intParam(q: URLSearchParams, name: string): number | undefined | Status {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) return badRequest(`invalid value for ${name}: ${v}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

function boolParam(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  return v === 'true' || v === '1';
}

function listOptions(q: URLSearchParams): WatchOptions | Status {
  const limit = intParam(q, 'limit');
  if (isStatus(limit)) return limit;
  return {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit: limit && limit > 0 ? limit : undefined,
    continue: q.get('continue') || undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') || undefined,
    allowWatchBookmarks: boolParam(q, 'allowWatchBookmarks'),
    sendInitialEvents: boolParam(q, 'sendInitialEvents'),
  };
}

/**
 * fieldValidation (default Warn) and the field manager of a non-apply write: the client's, or
 * the user agent up to its first '/' (managedfields' prefixFromUserAgent).
 */
function writeOptions(r: ResourceRequest, optionsKind: string, dryRun: boolean): (WriteOptions & { fieldManager: string }) | Status {
  const fv = r.query.get('fieldValidation') || 'Warn';
  if (!(FIELD_VALIDATIONS as readonly string[]).includes(fv)) {
    return invalid(optionsKind, 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'fieldValidation', value: fv, detail: 'supported values: "Ignore", "Strict", "Warn"' }]);
  }
  const given = r.query.get('fieldManager');
  const errs = given !== null ? fieldManagerErrors(given) : [];
  if (errs.length) return invalid(optionsKind, 'meta.k8s.io', '', errs);
  return { dryRun, fieldValidation: fv as FieldValidation, fieldManager: given || managerFromUserAgent(r.userAgent ?? '') };
}

/** Warning headers as the apiserver writes them (RFC 7234: code 299, agent "-"). */
function withWarnings(reply: FastifyReply, warnings: readonly string[] | undefined): FastifyReply {
  if (warnings?.length) reply.header('Warning', warnings.map((w) => `299 - ${JSON.stringify(w)}`));
  return reply;
}

function dryRunOf(q: URLSearchParams): boolean | Status {
  const values = q.getAll('dryRun');
  if (values.length === 0) return false;
  for (const v of values) {
    if (v !== 'All') {
      return invalid('CreateOptions', 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'dryRun', value: values, detail: 'supported values: "All"' }]);
    }
  }
  return true;
}

function deleteOptions(r: ResourceRequest): DeleteOptions | Status {
  let body: Record<string, unknown> = {};
  if (r.body && r.body.length > 0) {
    const decoded = decodeBody(r.body, r.contentType, 'DeleteOptions');
    if (isStatus(decoded)) return decoded;
    if (isPlainObject(decoded)) body = decoded;
  }
  const grace = intParam(r.query, 'gracePeriodSeconds');
  if (isStatus(grace)) return grace;
  const dryRun = r.query.getAll('dryRun').length ? dryRunOf(r.query) : Array.isArray(body.dryRun) && body.dryRun.includes('All');
  if (isStatus(dryRun)) return dryRun;
  const pre = isPlainObject(body.preconditions) ? body.preconditions : undefined;
  return {
    dryRun,
    gracePeriodSeconds: grace ?? (typeof body.gracePeriodSeconds === 'number' ? body.gracePeriodSeconds : undefined),
    propagationPolicy: r.query.get('propagationPolicy') ?? (typeof body.propagationPolicy === 'string' ? body.propagationPolicy : undefined),
    preconditions: pre ? {
      uid: typeof pre.uid === 'string' ? pre.uid : undefined,
      resourceVersion: typeof pre.resourceVersion === 'string' ? pre.resourceVersion : undefined,
    } : undefined,
  };
}
