// Parses a request once into a RequestInfo that every later stage reads, as kube-apiserver's
// staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go does, plus the kcp-style
// `/clusters/<name>` prefix that selects the virtual cluster.
import { HUB } from '../model/clusters.js';

export type Verb =
  | 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection'
  | 'head' | 'options' | 'proxy';

export interface RequestInfo {
  readonly cluster: string;
  /** The path without the cluster prefix: what a real apiserver would see. */
  readonly kubePath: string;
  /** `/clusters/<name>` or ''. */
  readonly clusterPrefix: string;
  readonly isResourceRequest: boolean;
  readonly verb: Verb | string;
  readonly apiPrefix: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly namespace: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
  /** Path segments past the subresource (proxy paths). */
  readonly extra: readonly string[];
}

// Subresources of a namespace that are not resources inside it.
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, rawPath: string, query: URLSearchParams): RequestInfo {
  let path = rawPath;
  let cluster = HUB;
  let clusterPrefix = '';
  if (path.startsWith('/clusters/')) {
    const end = path.indexOf('/', '/clusters/'.length);
    cluster = decodeURIComponent(end < 0 ? path.slice('/clusters/'.length) : path.slice('/clusters/'.length, end));
    clusterPrefix = end < 0 ? path : path.slice(0, end);
    path = end < 0 ? '/' : path.slice(end);
  }
  const base = {
    cluster, kubePath: path, clusterPrefix, isResourceRequest: false, verb: method.toLowerCase(),
    apiPrefix: '', apiGroup: '', apiVersion: '', namespace: '', resource: '', subresource: '', name: '', extra: [],
  };
  const parts = path.split('/').filter((p) => p.length > 0).map(safeDecode);
  if (parts.length < 1 || (parts[0] !== 'api' && parts[0] !== 'apis')) return base;
  const apiPrefix = parts[0];
  let rest: string[];
  let apiGroup = '';
  let apiVersion: string;
  if (apiPrefix === 'api') {
    if (parts.length < 3) return { ...base, apiPrefix };
    apiVersion = parts[1];
    rest = parts.slice(2);
  } else {
    if (parts.length < 4) return { ...base, apiPrefix };
    apiGroup = parts[1];
    apiVersion = parts[2];
    rest = parts.slice(3);
  }
  let verb: string;
  switch (method) {
    case 'POST': verb = 'create'; break;
    case 'GET': case 'HEAD': verb = 'get'; break;
    case 'PUT': verb = 'update'; break;
    case 'PATCH': verb = 'patch'; break;
    case 'DELETE': verb = 'delete'; break;
    default: verb = method.toLowerCase();
  }
  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  const extra = rest.slice(3);
  if (legacyWatch && verb === 'get') verb = 'watch';
  if (verb === 'get' && !name) verb = isWatch(query) ? 'watch' : 'list';
  else if (verb === 'get' && isWatch(query)) verb = 'watch';
  if (verb === 'delete' && !name) verb = 'deletecollection';
  return {
    ...base, isResourceRequest: true, verb, apiPrefix, apiGroup, apiVersion, namespace, resource, subresource, name, extra,
  };
}

function isWatch(q: URLSearchParams): boolean {
  const w = q.get('watch');
  return w === 'true' || w === '1';
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
