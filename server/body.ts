// Request body decoding: JSON or YAML into a plain object, and the patch media types.
import { parse as parseYaml } from 'yaml';
import { badRequest, unsupportedMediaType, type Status } from '../model/status.js';

export const WRITE_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
export const PATCH_MEDIA_TYPES = [
  'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

/** The media type without parameters (`; charset=utf-8` is ignored, as the apiserver does). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

export function decodeBody(body: Buffer | undefined, contentType: string | undefined): unknown | Status {
  const type = mediaType(contentType) || 'application/json';
  const text = (body ?? Buffer.alloc(0)).toString('utf8');
  if (type === 'application/json') {
    try {
      return JSON.parse(text);
    } catch (e) {
      return badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }
  if (type === 'application/yaml') {
    try {
      return parseYaml(text);
    } catch (e) {
      return badRequest(`error converting YAML to JSON: ${(e as Error).message}`);
    }
  }
  return unsupportedMediaType(WRITE_MEDIA_TYPES);
}
