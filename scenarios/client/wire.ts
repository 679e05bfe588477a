// The wire details of the load client, free of connection state: query strings, bodies, the
// reason of an error answer, Retry-After, transport error codes, the User-Agent, and the
// newline-delimited JSON of a watch.

import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { repoRoot } from '../../model/fixtures.js';

export type QueryValue = string | number | boolean | undefined;
export type Query = Readonly<Record<string, QueryValue>>;

export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  /** The object, or a metav1.Status for ERROR. */
  readonly object: Record<string, unknown>;
}

export function queryString(query: Query | undefined): string {
  if (query === undefined) return '';
  let out = '';
  for (const k in query) {
    const v = query[k];
    if (v === undefined) continue;
    out += `${out === '' ? '?' : '&'}${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`;
  }
  return out;
}

export function encodeBody(body: unknown): string | Uint8Array | undefined {
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) return body;
  return JSON.stringify(body);
}

function isJson(headers: IncomingHttpHeaders): boolean {
  const ct = headers['content-type'];
  return typeof ct === 'string' && ct.includes('json');
}

export function parseBody(text: string, headers: IncomingHttpHeaders): unknown {
  if (!isJson(headers) || text === '') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

// The reasons apimachinery's NewGenericServerResponse gives a non-Status error answer.
const GENERIC_REASONS: Readonly<Record<number, string>> = {
  400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed',
  406: 'NotAcceptable', 409: 'Conflict', 410: 'Gone', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType',
  422: 'Invalid', 429: 'TooManyRequests', 500: 'InternalError', 503: 'ServiceUnavailable', 504: 'Timeout',
};

/**
 * A non-2xx answer's metav1.Status reason; for an answer without one (APF's plain-text 429), the
 * reason apimachinery gives its code, else `Unknown` (StatusReasonUnknown).
 */
export function statusReason(status: number, body: unknown): string {
  if (typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'Status') {
    const reason = (body as { reason?: unknown }).reason;
    if (typeof reason === 'string' && reason !== '') return reason;
  }
  return GENERIC_REASONS[status] ?? 'Unknown';
}

/** client-go retryAfterSeconds: a whole number of seconds (no HTTP dates). */
export function retryAfterSeconds(headers: IncomingHttpHeaders): number | undefined {
  const v = headers['retry-after'];
  if (typeof v !== 'string' || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v);
}

export function errorCode(e: unknown): string {
  const code = (e as { code?: unknown }).code ?? (e as { cause?: { code?: unknown } }).cause?.code;
  return typeof code === 'string' ? code : 'Error';
}

// utilnet.IsConnectionReset / IsProbableEOF as undici reports them.
export const BROKEN_CONNECTION = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET']);

export const NO_HEADERS: IncomingHttpHeaders = Object.freeze({});

let cachedVersion: string | undefined;

function kemuVersion(): string {
  if (cachedVersion === undefined) {
    const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version?: string };
    cachedVersion = pkg.version ?? '0.0.0';
  }
  return cachedVersion;
}

const GO_ARCH: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64', ia32: '386', arm: 'arm' };

/** client-go's DefaultKubernetesUserAgent shape: `<binary>/<version> (<os>/<arch>) <source>/<name>`. */
export function defaultUserAgent(name = 'scenario'): string {
  return `kemu-loadclient/v${kemuVersion()} (${process.platform}/${GO_ARCH[process.arch] ?? process.arch}) kemu/${name}`;
}

/** Newline-delimited JSON watch events; a line that is not JSON ends the stream with an error. */
export async function* watchEvents(body: AsyncIterable<Buffer>): AsyncGenerator<WatchEvent> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of body) {
    const text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (line.trim() !== '') yield JSON.parse(line) as WatchEvent;
    }
    rest = text.slice(start);
  }
  rest += decoder.decode();
  if (rest.trim() !== '') yield JSON.parse(rest) as WatchEvent;
}
