// Accept negotiation for resource endpoints, as AS/pkg/endpoints/handlers/negotiation/negotiate.go
// does it: clauses in q-value order, the first one this endpoint can serve wins, unsupported
// clauses (protobuf responses, for now) are skipped.
import { notAcceptable, type Status } from '../model/status.js';
import { clauseMatches, parseAccept, type AcceptClause } from './http-answer.js';

/** json/yaml: the object or list; table: meta.k8s.io Table; metadata: PartialObjectMetadata(List). */
export type OutputFormat = 'json' | 'yaml' | 'table' | 'metadata';

export const SERVED_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

export const PARTIAL_CONTENT_TYPES = {
  object: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
  list: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
};

function metaV1(c: AcceptClause): boolean {
  return c.params.g === 'meta.k8s.io' && (c.params.v === 'v1' || c.params.v === 'v1beta1') && clauseMatches(c, 'application', 'json');
}

/** Picks the output of a request with `verb`; only reads offer tables and partial metadata. */
export function negotiateOutput(accept: string | undefined, verb: string): OutputFormat | Status {
  const read = verb === 'get' || verb === 'list' || verb === 'watch';
  for (const c of parseAccept(accept)) {
    const as = c.params.as;
    if (as) {
      if (!read || !metaV1(c)) continue;
      if (as === 'Table') return 'table';
      if (as === (verb === 'list' ? 'PartialObjectMetadataList' : 'PartialObjectMetadata')) return 'metadata';
      continue;
    }
    if (clauseMatches(c, 'application', 'json')) return 'json';
    if (c.type === 'application' && c.subtype === 'yaml') return 'yaml';
  }
  return notAcceptable(SERVED_MEDIA_TYPES);
}
