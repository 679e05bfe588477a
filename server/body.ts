// Request body decoding: JSON or YAML into a plain object, and the patch media types.
import { parse as parseYaml } from 'yaml';
import { DEFAULTS } from '../model/defaults.js';
import { limitViolation, overflowingLiteral, violationText } from '../model/nesting.js';
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
  const unrecognized = (why: string) => badRequest(`the object provided is unrecognized (must be of type ${kind}): ${why} (${summarize(bytes)})`);
  if (type === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      return unrecognized(`couldn't get version/kind; json parse error: ${goJsonError(e as Error)}`);
    }
    const bad = limitViolation(value, DEFAULTS.maxNestingDepth);
    if (!bad) return value;
    const why = violationText(bad, overflowingLiteral(text), 'json', DEFAULTS.maxNestingDepth);
    return unrecognized(bad.kind === 'depth' ? `couldn't get version/kind; json parse error: ${why}` : why);
  }
  if (type === 'application/yaml') {
    let value: unknown;
    try {
      // Warnings (an unknown directive, say) belong to the client, not in kemu's stderr.
      value = parseYaml(text, { logLevel: 'error' });
    } catch (e) {
      return unrecognized(`error converting YAML to JSON: ${(e as Error).message}`);
    }
    const bad = limitViolation(value, DEFAULTS.maxNestingDepth);
    return bad ? unrecognized(`error converting YAML to JSON: ${violationText(bad, undefined, 'yaml', DEFAULTS.maxNestingDepth)}`) : value;
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
