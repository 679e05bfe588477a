// Accept negotiation for resource endpoints, as AS/pkg/endpoints/handlers/negotiation/negotiate.go
// does it: clauses in q-value order, the first one this endpoint can serve wins, unsupported
// clauses (protobuf, for now) are skipped.
import { notAcceptable, type Status } from '../model/status.js';
import { clauseMatches, parseAccept } from './http-answer.js';

export type OutputFormat = 'json' | 'yaml' | 'table';

export const SERVED_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** Picks the output for a resource endpoint; tables are offered only where `tableOK`. */
export function negotiateOutput(accept: string | undefined, tableOK: boolean): OutputFormat | Status {
  for (const c of parseAccept(accept)) {
    const as = c.params.as;
    if (as) {
      if (as === 'Table' && tableOK && c.params.g === 'meta.k8s.io' && (c.params.v === 'v1' || c.params.v === 'v1beta1')
        && clauseMatches(c, 'application', 'json')) return 'table';
      continue;
    }
    if (clauseMatches(c, 'application', 'json')) return 'json';
    if (c.type === 'application' && c.subtype === 'yaml') return 'yaml';
  }
  return notAcceptable(SERVED_MEDIA_TYPES);
}
