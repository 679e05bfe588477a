// Discovery documents (/api, /apis and below), built once per catalog and kept as bytes:
// clients fetch them on every start and after every cache miss, so nothing is serialized
// per request. Field order follows the Go structs (encoding/json writes declaration order)
// so the bytes match a real apiserver's, down to the trailing newline of its JSON encoder.
// Protobuf, which kube-apiserver also offers here, is encoded on first use and kept too.

import { createHash } from 'node:crypto';
import { stringify as toYAML } from 'yaml';
import { apiVersionOf, type ResourceCatalog, type ResourceType } from '../model/catalog.js';
import { notAcceptable } from '../model/status.js';
import { clauseMatches, EMPTY_BODY, parseAccept, type AcceptClause, type HttpAnswer } from './http-answer.js';
import { encodeProtobufObject } from './protobuf-encode.js';
import { PROTOBUF_MEDIA_TYPE } from './protobuf-schema.js';

export const AGGREGATED_GROUP = 'apidiscovery.k8s.io';
export const AGGREGATED_KIND = 'APIGroupDiscoveryList';

export type AggregatedVersion = 'v2' | 'v2beta1';

export function aggregatedContentType(version: AggregatedVersion, protobuf = false): string {
  return `${protobuf ? PROTOBUF_MEDIA_TYPE : 'application/json'};g=${AGGREGATED_GROUP};v=${version};as=${AGGREGATED_KIND}`;
}

// What kube-apiserver lists in its 406 (negotiation/errors.go).
const LEGACY_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

interface LegacyDoc {
  readonly value: Record<string, unknown>;
  readonly json: Buffer;
  yaml?: Buffer;
  protobuf?: Buffer;
}

interface AggregatedDoc {
  readonly body: Buffer;
  readonly etag: string;
  protobuf?: Buffer;
}

type Negotiated =
  | { kind: 'legacy'; format: 'json' | 'yaml' | 'protobuf' }
  | { kind: 'aggregated'; version: AggregatedVersion; protobuf: boolean }
  | { kind: 'none' };

/** The protobuf body of a document; the core group's documents carry no apiVersion in JSON but are v1 kinds. */
function protobufOf(value: Record<string, unknown>): Buffer {
  const pb = encodeProtobufObject({ apiVersion: 'v1', ...value });
  if (!pb) throw new Error(`no protobuf type for discovery kind ${String(value.kind)}`);
  return pb.body;
}

function encodeJSON(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value)}\n`);
}

function groupVersionEntry(group: string, version: string): { groupVersion: string; version: string } {
  return { groupVersion: apiVersionOf(group, version), version };
}

function legacyResourceEntries(resources: readonly ResourceType[]): unknown[] {
  const entries: { name: string; entry: Record<string, unknown> }[] = [];
  for (const r of resources) {
    const main: Record<string, unknown> = {
      name: r.resource, singularName: r.singularName, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
    };
    if (r.shortNames.length) main.shortNames = r.shortNames;
    if (r.categories.length) main.categories = r.categories;
    if (r.storageVersionHash) main.storageVersionHash = r.storageVersionHash;
    entries.push({ name: r.resource, entry: main });
    for (const s of r.subresources) {
      const name = `${r.resource}/${s.name}`;
      const sub: Record<string, unknown> = { name, singularName: '', namespaced: r.namespaced };
      // Only storages that name their own kind (Scale, Eviction, TokenRequest) report a group/version.
      if (s.group !== r.group || s.version !== r.version) { sub.group = s.group; sub.version = s.version; }
      sub.kind = s.kind;
      sub.verbs = s.verbs;
      entries.push({ name, entry: sub });
    }
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return entries.map((e) => e.entry);
}

function aggregatedResource(r: ResourceType): Record<string, unknown> {
  // responseKind carries group/version only when they differ from the resource's, as the
  // apiserver derives it from the legacy APIResource (installer.go ConvertGroupVersionIntoToDiscovery).
  const out: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: '', version: '', kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singularName,
    verbs: r.verbs,
  };
  if (r.shortNames.length) out.shortNames = r.shortNames;
  if (r.categories.length) out.categories = r.categories;
  if (r.subresources.length) {
    out.subresources = r.subresources.map((s) => {
      const differs = s.group !== r.group || s.version !== r.version;
      return {
        subresource: s.name,
        responseKind: { group: differs ? s.group : '', version: differs ? s.version : '', kind: s.kind },
        verbs: s.verbs,
      };
    });
  }
  return out;
}

export class DiscoveryDocuments {
  private readonly legacy = new Map<string, LegacyDoc>();
  private readonly aggregated = new Map<string, Record<AggregatedVersion, AggregatedDoc>>();

  constructor(catalog: ResourceCatalog, serverAddress: string) {
    const groups = catalog.groups();
    const core = groups.find((g) => g.name === '');
    const named = groups.filter((g) => g.name !== '');

    const coreVersions = core?.versions ?? [];
    this.addLegacy('/api', {
      kind: 'APIVersions',
      versions: coreVersions,
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    });
    for (const v of coreVersions) {
      // The core group's list has no apiVersion; the named groups' lists do.
      this.addLegacy(`/api/${v}`, {
        kind: 'APIResourceList', groupVersion: v, resources: legacyResourceEntries(catalog.resourcesOf('', v)),
      });
    }

    const apiGroups = named.map((g) => ({
      name: g.name,
      versions: g.versions.map((v) => groupVersionEntry(g.name, v)),
      preferredVersion: groupVersionEntry(g.name, g.versions[0]),
    }));
    this.addLegacy('/apis', { kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups });
    for (const g of apiGroups) {
      this.addLegacy(`/apis/${g.name}`, { kind: 'APIGroup', apiVersion: 'v1', ...g });
    }
    for (const g of named) {
      for (const v of g.versions) {
        this.addLegacy(`/apis/${g.name}/${v}`, {
          kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(g.name, v),
          resources: legacyResourceEntries(catalog.resourcesOf(g.name, v)),
        });
      }
    }

    const item = (name: string, versions: readonly string[]): Record<string, unknown> => ({
      metadata: name ? { name, creationTimestamp: null } : { creationTimestamp: null },
      versions: versions.map((v) => ({
        version: v,
        resources: catalog.resourcesOf(name, v).map(aggregatedResource),
        freshness: 'Current',
      })),
    });
    this.addAggregated('/api', core ? [item('', core.versions)] : []);
    this.addAggregated('/apis', named.map((g) => item(g.name, g.versions)));
  }

  /** The answer for a discovery path, or undefined when kubePath is not one. */
  respond(kubePath: string, accept: string | undefined, ifNoneMatch: string | undefined): HttpAnswer | undefined {
    const path = kubePath.length > 1 && kubePath.endsWith('/') ? kubePath.slice(0, -1) : kubePath;
    const doc = this.legacy.get(path);
    if (!doc) return undefined;
    const agg = this.aggregated.get(path);
    const choice = negotiate(accept, agg !== undefined);
    switch (choice.kind) {
      case 'aggregated': {
        const a = agg![choice.version];
        const headers: Record<string, string> = { ETag: `"${a.etag}"`, Vary: 'Accept', 'Cache-Control': 'public' };
        // etag.go compares the header verbatim, not with HTTP's weak matching.
        if (ifNoneMatch === headers.ETag) return { statusCode: 304, headers, body: EMPTY_BODY };
        const body = choice.protobuf ? a.protobuf ??= protobufOf(JSON.parse(a.body.toString('utf8')) as Record<string, unknown>) : a.body;
        return { statusCode: 200, headers: { ...headers, 'Content-Type': aggregatedContentType(choice.version, choice.protobuf) }, body };
      }
      case 'legacy': {
        const headers: Record<string, string> = {};
        if (agg) headers.Vary = 'Accept';
        if (choice.format === 'yaml') {
          doc.yaml ??= Buffer.from(toYAML(doc.value));
          return { statusCode: 200, headers: { ...headers, 'Content-Type': 'application/yaml' }, body: doc.yaml };
        }
        if (choice.format === 'protobuf') {
          doc.protobuf ??= protobufOf(doc.value);
          return { statusCode: 200, headers: { ...headers, 'Content-Type': PROTOBUF_MEDIA_TYPE }, body: doc.protobuf };
        }
        return { statusCode: 200, headers: { ...headers, 'Content-Type': 'application/json' }, body: doc.json };
      }
      case 'none':
        return {
          statusCode: 406,
          headers: { 'Content-Type': 'application/json' },
          body: encodeJSON(notAcceptable(LEGACY_MEDIA_TYPES).toJSON()),
        };
    }
  }

  /** Paths this instance answers, for routing and tests. */
  paths(): string[] {
    return [...this.legacy.keys()];
  }

  private addLegacy(path: string, value: Record<string, unknown>): void {
    this.legacy.set(path, { value, json: encodeJSON(value) });
  }

  private addAggregated(path: string, items: unknown[]): void {
    const make = (version: AggregatedVersion): AggregatedDoc => {
      const text = JSON.stringify({
        kind: AGGREGATED_KIND, apiVersion: `${AGGREGATED_GROUP}/${version}`, metadata: {}, items,
      });
      // etag.go hashes json.Marshal's output, which is the body without the encoder's newline.
      return { body: Buffer.from(`${text}\n`), etag: createHash('sha512').update(text).digest('hex').toUpperCase() };
    };
    this.aggregated.set(path, { v2: make('v2'), v2beta1: make('v2beta1') });
  }
}

/**
 * Picks the representation the way kube-apiserver does for discovery: clauses by q-value,
 * the first one the endpoint can serve wins. `as`/`g`/`v` select aggregated discovery (only
 * on /api and /apis), in JSON or protobuf; any other conversion request makes the clause
 * unusable.
 */
function negotiate(accept: string | undefined, aggregatedAllowed: boolean): Negotiated {
  // Clients send the same few Accept headers over and over; parsing dominates respond().
  const key = `${aggregatedAllowed ? 'a' : 'l'}${accept ?? ''}`;
  let n = negotiated.get(key);
  if (!n) {
    n = negotiateUncached(accept, aggregatedAllowed);
    if (negotiated.size >= 256) negotiated.clear();
    negotiated.set(key, n);
  }
  return n;
}

const negotiated = new Map<string, Negotiated>();

function negotiateUncached(accept: string | undefined, aggregatedAllowed: boolean): Negotiated {
  for (const c of parseAccept(accept)) {
    const { as, g, v } = c.params;
    const converts = as !== undefined || g !== undefined || v !== undefined;
    if (converts) {
      const protobuf = isProtobuf(c);
      if (!aggregatedAllowed || !(protobuf || clauseMatches(c, 'application', 'json'))) continue;
      if (as === AGGREGATED_KIND && g === AGGREGATED_GROUP && (v === 'v2' || v === 'v2beta1')) {
        return { kind: 'aggregated', version: v, protobuf };
      }
      continue;
    }
    if (clauseMatches(c, 'application', 'json')) return { kind: 'legacy', format: 'json' };
    if (clauseMatches(c, 'application', 'yaml')) return { kind: 'legacy', format: 'yaml' };
    if (isProtobuf(c)) return { kind: 'legacy', format: 'protobuf' };
  }
  return { kind: 'none' };
}

function isProtobuf(c: AcceptClause): boolean {
  return `${c.type}/${c.subtype}` === PROTOBUF_MEDIA_TYPE;
}
