// Writing answers: stored bytes as they are, lists assembled from stored bytes, and every
// failure as a metav1.Status. Protobuf answers are the stored objects' cached encodings
// (protobuf-cache.ts), lists assembled from them.
import type { FastifyReply } from 'fastify';
import { stringify as toYaml } from 'yaml';
import type { Status } from '../model/status.js';
import type { OutputFormat } from './negotiate.js';
import { protobufCache } from './protobuf-cache.js';
import { encodeProtobufList, encodeProtobufObject, type EncodedObject } from './protobuf-encode.js';
import { PROTOBUF_MEDIA_TYPE } from './protobuf-schema.js';

/** A failure as metav1.Status, in protobuf when that is what the request negotiated. */
export function sendStatus(reply: FastifyReply, s: Status, format?: OutputFormat): FastifyReply {
  if (s.details?.retryAfterSeconds !== undefined) reply.header('Retry-After', String(s.details.retryAfterSeconds));
  const pb = format === 'protobuf' ? encodeProtobufObject(s.toJSON()) : undefined;
  if (pb) return reply.code(s.code).header('Content-Type', PROTOBUF_MEDIA_TYPE).send(pb.body);
  return reply.code(s.code).header('Content-Type', 'application/json').send(Buffer.from(JSON.stringify(s.toJSON())));
}

export function sendBytes(reply: FastifyReply, code: number, bytes: Buffer, format: OutputFormat = 'json'): FastifyReply {
  if (format === 'yaml') {
    return reply.code(code).header('Content-Type', 'application/yaml').send(toYaml(JSON.parse(bytes.toString('utf8'))));
  }
  // Negotiation offers protobuf only for kinds that have it, so the JSON fallback is not reached.
  const pb = format === 'protobuf' ? protobufCache.encode(bytes) : undefined;
  if (pb) return reply.code(code).header('Content-Type', PROTOBUF_MEDIA_TYPE).send(pb.body);
  return reply.code(code).header('Content-Type', 'application/json').send(bytes);
}

/** A list of stored objects, `{"kind":…List,…}` or its protobuf form. */
export function sendList(reply: FastifyReply, listKind: string, apiVersion: string, meta: ListMeta, items: readonly Buffer[], format: OutputFormat): FastifyReply {
  if (format === 'protobuf') {
    const encoded: EncodedObject[] = [];
    for (const b of items) {
      const pb = protobufCache.encode(b);
      if (!pb) break;
      encoded.push(pb);
    }
    if (encoded.length === items.length) {
      return reply.code(200).header('Content-Type', PROTOBUF_MEDIA_TYPE).send(encodeProtobufList(apiVersion, listKind, meta, encoded));
    }
  }
  return sendBytes(reply, 200, listBytes(listKind, apiVersion, meta, items), format === 'protobuf' ? 'json' : format);
}

export function sendText(reply: FastifyReply, code: number, text: string): FastifyReply {
  return reply.code(code).header('Content-Type', 'text/plain; charset=utf-8').send(text);
}

export interface ListMeta {
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

const COMMA = Buffer.from(',');

/** `{"kind":…List,…,"items":[…]}` from stored bytes, without parsing them. */
export function listBytes(listKind: string, apiVersion: string, meta: ListMeta, items: readonly Buffer[]): Buffer {
  const head = Buffer.from(`{"kind":${JSON.stringify(listKind)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(meta)},"items":[`);
  const parts: Buffer[] = [head];
  items.forEach((b, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(b);
  });
  parts.push(Buffer.from(']}'));
  return Buffer.concat(parts);
}

/** The Success Status a DELETE answers with when the object is gone (store.go finalizeDelete). */
export function successStatus(details: Record<string, string>): Buffer {
  return Buffer.from(JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details }));
}
