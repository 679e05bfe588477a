// Accept negotiation for resource endpoints, as AS/pkg/endpoints/handlers/negotiation/negotiate.go
// does it: clauses in q-value order, the first one this endpoint can serve wins, unsupported
// clauses are skipped. Protobuf is offered for built-in types only, as kube-apiserver's
// serializers for custom resources have none; tables and partial metadata are JSON only here.
import { apiVersionOf, type ResourceType } from '../model/catalog.js';
import { notAcceptable, type Status } from '../model/status.js';
import { clauseMatches, parseAccept, type AcceptClause } from './http-answer.js';
import { hasProtobufType } from './protobuf-encode.js';
import { PROTOBUF_MEDIA_TYPE } from './protobuf-schema.js';

/** json/yaml/protobuf: the object or list; table: meta.k8s.io Table; metadata: PartialObjectMetadata(List). */
export type OutputFormat = 'json' | 'yaml' | 'protobuf' | 'table' | 'metadata';

export const SERVED_MEDIA_TYPES = ['application/json', 'application/yaml', PROTOBUF_MEDIA_TYPE];
/** What a custom resource's endpoints serve (and list in a 406). */
export const CUSTOM_MEDIA_TYPES = ['application/json', 'application/yaml'];

export const TABLE_CONTENT_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

export const PARTIAL_CONTENT_TYPES = {
  object: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1',
  list: 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
};

const PROTOBUF_SUBTYPE = PROTOBUF_MEDIA_TYPE.slice('application/'.length);

function metaV1(c: AcceptClause): boolean {
  return c.params.g === 'meta.k8s.io' && (c.params.v === 'v1' || c.params.v === 'v1beta1') && clauseMatches(c, 'application', 'json');
}

/**
 * Picks the output of a request with `verb`; only reads offer tables and partial metadata.
 * `protobuf` says whether the endpoint's type has a protobuf form; it is asked only when a
 * clause names protobuf, so JSON clients never load the .proto files.
 */
export function negotiateOutput(accept: string | undefined, verb: string, protobuf: () => boolean = () => false): OutputFormat | Status {
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
    if (c.type === 'application' && c.subtype === PROTOBUF_SUBTYPE && protobuf()) return 'protobuf';
  }
  return notAcceptable(protobuf() ? SERVED_MEDIA_TYPES : CUSTOM_MEDIA_TYPES);
}

const served = new WeakMap<ResourceType, Map<string, boolean>>();

/**
 * Whether a request can be answered in protobuf: never for custom resources; for built-in
 * types when the kind it answers with (the list kind for collections) has a message type.
 * Only kube-aggregator's APIService lacks one among the built-ins, its .proto not being in
 * the fixtures.
 */
export function protobufServed(rt: ResourceType, verb: string, subresource: string): boolean {
  if (rt.custom) return false;
  const listing = verb === 'list' || verb === 'deletecollection';
  const key = `${listing ? 'l' : 'o'}/${subresource}`;
  let byKey = served.get(rt);
  if (!byKey) {
    byKey = new Map();
    served.set(rt, byKey);
  }
  let ok = byKey.get(key);
  if (ok === undefined) {
    const sub = subresource ? rt.subresources.find((s) => s.name === subresource) : undefined;
    ok = sub
      ? hasProtobufType(apiVersionOf(sub.group, sub.version), sub.kind)
      : hasProtobufType(apiVersionOf(rt.group, rt.version), listing ? rt.listKind : rt.kind);
    byKey.set(key, ok);
  }
  return ok;
}
