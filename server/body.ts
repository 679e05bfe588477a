// Request body decoding: JSON or YAML into a plain object, and the patch media types.
import { parse as parseYaml } from 'yaml';
import { badRequest, unsupportedMediaType, type Status } from '../model/status.js';
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from './protobuf.js';

export const WRITE_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** The media type without parameters (`; charset=utf-8` is ignored, as the apiserver does). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Decodes a write body. `kind` is the type the endpoint expects; decode errors name it as
 * handlers/rest.go transformDecodeError does.
 */
export function decodeBody(body: Buffer | undefined, contentType: string | undefined, kind = 'Object'): unknown | Status {
  const type = mediaType(contentType) || 'application/json';
  const bytes = body ?? Buffer.alloc(0);
  const text = bytes.toString('utf8');
  if (type === 'application/json') {
    try {
      return JSON.parse(text);
    } catch (e) {
      return badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; json parse error: ${goJsonError(e as Error)} (${summarize(bytes)})`);
    }
  }
  if (type === 'application/yaml') {
    try {
      return parseYaml(text);
    } catch (e) {
      return badRequest(`the object provided is unrecognized (must be of type ${kind}): error converting YAML to JSON: ${(e as Error).message} (${summarize(bytes)})`);
    }
  }
  if (type === PROTOBUF_MEDIA_TYPE) return decodeProtobufObject(bytes);
  return unsupportedMediaType(WRITE_MEDIA_TYPES);
}

// Go's encoding/json words its most common failure this way; other texts pass through lower-cased.
function goJsonError(e: Error): string {
  if (/end of (JSON|data)/i.test(e.message)) return 'unexpected end of JSON input';
  return e.message.charAt(0).toLowerCase() + e.message.slice(1);
}

// summarizeData in handlers/rest.go: the first 30 bytes, as text for JSON-looking bodies.
function summarize(data: Buffer): string {
  const max = 30;
  if (data.length === 0) return '<empty>';
  if (data[0] === 0x7b) return data.length > max ? `${data.subarray(0, max).toString('utf8')} ...` : data.toString('utf8');
  return data.length > max ? `${data.subarray(0, max).toString('hex')} ...` : data.toString('hex');
}
