// /openapi/v2 and /openapi/v3, served the way k8s.io/kube-openapi's handler and handler3 do:
// kubectl apply/explain/--validate and client-go's OpenAPI v3 client cache per group-version
// by the `hash` query parameter, so the hash, the 301 for stale hashes and the immutable
// caching headers all matter. Documents are loaded from fixtures lazily (the core v1 document
// alone is ~2 MB) and then kept as compact JSON, which is what json.Marshal would send.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceCatalog, ResourceType } from '../model/catalog.js';
import { fixturesDir } from '../model/fixtures.js';
import { crdGroupVersionDocument } from './openapi-crd.js';
import { clauseMatches, EMPTY_BODY, etagMatches, parseAccept, type HttpAnswer } from './http-answer.js';

interface Spec {
  /** Compact JSON as served. */
  readonly body: Buffer;
  /** Upper-case hex SHA-512 of body (kube-openapi computeETag). */
  readonly etag: string;
  readonly lastModified: string;
}

export interface OpenAPIDocumentsOptions {
  /** Folder holding openapi-v2/swagger.json and openapi-v3/*_openapi.json; default fixtures/k8s. */
  readonly dir?: string;
}

const V2_PATH = '/openapi/v2';
const V3_PATH = '/openapi/v3';
const V3_SUFFIX = '_openapi.json';

function makeSpec(body: Buffer): Spec {
  return {
    body,
    etag: createHash('sha512').update(body).digest('hex').toUpperCase(),
    lastModified: new Date().toUTCString(),
  };
}

function compact(path: string): Buffer {
  return Buffer.from(JSON.stringify(JSON.parse(readFileSync(path, 'utf8'))));
}

/** `apis__apps__v1_openapi.json` -> `apis/apps/v1` (the upstream api/openapi-spec/v3 naming). */
function groupVersionPathOf(fileName: string): string {
  return fileName.slice(0, -V3_SUFFIX.length).split('__').join('/');
}

/** Only JSON is produced; protobuf clauses are passed over like any unsupported type. */
function acceptsJSON(accept: string | undefined): boolean {
  return parseAccept(accept).some((c) => clauseMatches(c, 'application', 'json'));
}

/** net/http ServeContent: 304 on a matching If-None-Match, else the body with Last-Modified. */
function serveContent(spec: Spec, headers: Record<string, string>, ifNoneMatch: string | undefined): HttpAnswer {
  if (etagMatches(ifNoneMatch, headers.ETag)) {
    const h = { ...headers };
    delete h['Content-Type'];
    return { statusCode: 304, headers: h, body: EMPTY_BODY };
  }
  return { statusCode: 200, headers: { ...headers, 'Last-Modified': spec.lastModified }, body: spec.body };
}

export class OpenAPIDocuments {
  private readonly dir: string;
  private v2?: Spec;
  /** Group-version path (`api/v1`, `apis/apps/v1`) -> source file, or an already built spec. */
  private readonly v3 = new Map<string, { file?: string; spec?: Spec }>();
  private v3Listed = false;
  /** Index per URL prefix (`''` or `/clusters/<name>`), for clusters without CRDs. */
  private readonly indexes = new Map<string, Spec>();
  /** A cluster catalog with custom resources: its CRD group-version documents and indexes. */
  private readonly custom = new WeakMap<ResourceCatalog, { docs: Map<string, Spec>; indexes: Map<string, Spec> }>();

  constructor(options: OpenAPIDocumentsOptions = {}) {
    this.dir = options.dir ?? join(fixturesDir(), 'k8s');
  }

  /**
   * The answer for an OpenAPI path, or undefined when kubePath is not one (or names an unknown
   * group-version). `prefix` is what the client put before the kube path (`/clusters/<name>`);
   * it goes into the index URLs and redirects because client-go requests serverRelativeURL as
   * an absolute path.
   */
  respond(kubePath: string, query: URLSearchParams, accept: string | undefined, ifNoneMatch: string | undefined,
    prefix = '', catalog?: ResourceCatalog): HttpAnswer | undefined {
    if (kubePath === V2_PATH || kubePath === `${V2_PATH}/`) return this.respondV2(accept, ifNoneMatch);
    const custom = catalog ? this.customDocs(catalog) : undefined;
    if (kubePath === V3_PATH || kubePath === `${V3_PATH}/`) return this.respondV3Index(ifNoneMatch, prefix, custom);
    if (kubePath.startsWith(`${V3_PATH}/`)) {
      return this.respondV3(kubePath.slice(V3_PATH.length + 1), query, accept, ifNoneMatch, prefix, custom?.docs);
    }
    return undefined;
  }

  /** The CRD group-version documents of a catalog, built on first use; undefined without CRDs. */
  private customDocs(catalog: ResourceCatalog): { docs: Map<string, Spec>; indexes: Map<string, Spec> } | undefined {
    const known = this.custom.get(catalog);
    if (known) return known;
    const byGV = new Map<string, ResourceType[]>();
    for (const g of catalog.groups()) {
      for (const v of g.versions) {
        for (const rt of catalog.resourcesOf(g.name, v)) {
          if (!rt.custom) continue;
          const gv = `apis/${rt.group}/${rt.version}`;
          const list = byGV.get(gv);
          if (list) list.push(rt); else byGV.set(gv, [rt]);
        }
      }
    }
    if (byGV.size === 0) return undefined;
    const docs = new Map<string, Spec>();
    for (const [gv, types] of byGV) docs.set(gv, makeSpec(Buffer.from(JSON.stringify(crdGroupVersionDocument(types)))));
    const entry = { docs, indexes: new Map<string, Spec>() };
    this.custom.set(catalog, entry);
    return entry;
  }

  /** Group-version paths with a v3 document, sorted. */
  groupVersionPaths(): string[] {
    this.listV3();
    return [...this.v3.keys()].sort();
  }

  private respondV2(accept: string | undefined, ifNoneMatch: string | undefined): HttpAnswer {
    if (!acceptsJSON(accept)) return { statusCode: 406, headers: { Vary: 'Accept' }, body: EMPTY_BODY };
    this.v2 ??= makeSpec(compact(join(this.dir, 'openapi-v2', 'swagger.json')));
    return serveContent(this.v2, {
      Vary: 'Accept', 'Content-Type': 'application/json', ETag: `"${this.v2.etag}"`,
    }, ifNoneMatch);
  }

  private respondV3Index(ifNoneMatch: string | undefined, prefix: string, custom?: { docs: Map<string, Spec>; indexes: Map<string, Spec> }): HttpAnswer {
    const indexes = custom?.indexes ?? this.indexes;
    let index = indexes.get(prefix);
    if (!index) {
      const specs = new Map<string, Spec>();
      for (const gv of this.groupVersionPaths()) specs.set(gv, this.v3Spec(gv)!);
      for (const [gv, spec] of custom?.docs ?? []) specs.set(gv, spec);
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const gv of [...specs.keys()].sort()) {
        paths[gv] = { serverRelativeURL: `${prefix}${V3_PATH}/${gv}?hash=${specs.get(gv)!.etag}` };
      }
      index = makeSpec(Buffer.from(JSON.stringify({ paths })));
      indexes.set(prefix, index);
    }
    return serveContent(index, { 'Content-Type': 'application/json', ETag: `"${index.etag}"` }, ifNoneMatch);
  }

  private respondV3(gvPath: string, query: URLSearchParams, accept: string | undefined,
    ifNoneMatch: string | undefined, prefix: string, custom?: Map<string, Spec>): HttpAnswer | undefined {
    const spec = this.v3Spec(gvPath) ?? custom?.get(gvPath);
    if (!spec) return undefined;
    if (!acceptsJSON(accept)) return { statusCode: 406, headers: { Vary: 'Accept' }, body: EMPTY_BODY };
    const headers: Record<string, string> = {
      Vary: 'Accept', 'Content-Type': 'application/json', ETag: `"${spec.etag}"`,
    };
    const hash = query.get('hash');
    if (hash) {
      if (hash !== spec.etag) {
        // http.Redirect writes no body here because Content-Type is already set.
        return {
          statusCode: 301,
          headers: { ...headers, Location: `${prefix}${V3_PATH}/${gvPath}?hash=${spec.etag}` },
          body: EMPTY_BODY,
        };
      }
      // The URL names immutable content, so it may be cached for good (handler3.go: one year).
      const expires = new Date();
      expires.setUTCFullYear(expires.getUTCFullYear() + 1);
      headers['Cache-Control'] = 'public, immutable';
      headers.Expires = expires.toUTCString();
    }
    return serveContent(spec, headers, ifNoneMatch);
  }

  private listV3(): void {
    if (this.v3Listed) return;
    this.v3Listed = true;
    const folder = join(this.dir, 'openapi-v3');
    for (const f of readdirSync(folder).sort()) {
      if (!f.endsWith(V3_SUFFIX)) continue;
      const gv = groupVersionPathOf(f);
      if (!this.v3.has(gv)) this.v3.set(gv, { file: join(folder, f) });
    }
  }

  private v3Spec(gvPath: string): Spec | undefined {
    this.listV3();
    const entry = this.v3.get(gvPath);
    if (!entry) return undefined;
    entry.spec ??= makeSpec(compact(entry.file!));
    return entry.spec;
  }
}
