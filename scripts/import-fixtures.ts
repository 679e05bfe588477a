// Imports the Kubernetes 1.32 reference data into fixtures/ and derives fixtures/resources.json,
// the built-in resource catalog. Run: npx tsx scripts/import-fixtures.ts [--from ../shared/data]
//
// A stock 1.32 cluster serves only the group-versions in k8s/discovery/apis.json (plus core v1),
// while the upstream OpenAPI documents were generated with every alpha/beta API switched on. So
// everything is cut down to the served set here, once, and the server just loads the result.
// What OpenAPI cannot tell (shortNames, categories, storage versions) comes from the hand-written
// fixtures/k8s/discovery-facts.json.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fixturesDir, repoRoot } from '../model/fixtures.js';
import { storageVersionHash, type ResourceType, type SubresourceType, type GroupInfo } from '../model/catalog.js';

interface GVK { group: string; version: string; kind: string }

interface SwaggerOperation {
  'x-kubernetes-action'?: string;
  'x-kubernetes-group-version-kind'?: GVK;
}
type SwaggerPath = Record<string, unknown>;
interface Swagger {
  paths: Record<string, SwaggerPath>;
  definitions: Record<string, unknown>;
  [k: string]: unknown;
}

interface APIGroupList {
  groups: { name: string; versions: { groupVersion: string; version: string }[] }[];
}

interface Facts {
  source: string;
  resources: Record<string, { shortNames?: string[]; categories?: string[] }>;
  storageVersions: Record<string, GVK>;
  notStored: string[];
  notServed: string[];
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'];

// Discovery verbs of ordinary operations (apiserver endpoints/installer.go).
const ACTION_VERB: Record<string, string> = {
  get: 'get', list: 'list', watch: 'watch', watchlist: 'watch', post: 'create', put: 'update',
  patch: 'patch', delete: 'delete', deletecollection: 'deletecollection',
};
// Connecters (proxy, exec, attach, portforward) report the verbs of their HTTP methods;
// HEAD and OPTIONS have none.
const CONNECT_METHOD_VERB: Record<string, string> = {
  get: 'get', post: 'create', put: 'update', patch: 'patch', delete: 'delete',
};

function parseArgs(argv: string[]): { from: string } {
  let from = resolve(repoRoot(), '..', 'shared', 'data');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--from' && argv[i + 1]) from = resolve(argv[++i]);
    else if (argv[i].startsWith('--from=')) from = resolve(argv[i].slice('--from='.length));
  }
  return { from };
}

function readJSON<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

function gvPrefix(group: string, version: string): string {
  return group ? `/apis/${group}/${version}/` : `/api/${version}/`;
}

function qualifiedName(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}


const hashOf = (gvk: GVK): string => storageVersionHash(gvk.group, gvk.version, gvk.kind);

interface PathRef { resource: string; subresource?: string; namespaced: boolean; watch: boolean }

/** Splits an OpenAPI path of one group-version into resource and subresource. */
function classifyPath(path: string, prefix: string): PathRef | undefined {
  if (!path.startsWith(prefix)) return undefined;
  let segs = path.slice(prefix.length).split('/').filter((s) => s !== '');
  if (segs.length === 0) return undefined;
  let watch = false;
  if (segs[0] === 'watch') { watch = true; segs = segs.slice(1); }
  let namespaced = false;
  if (segs.length > 2 && segs[0] === 'namespaces' && segs[1] === '{namespace}') {
    namespaced = true;
    segs = segs.slice(2);
  }
  if (segs.length === 0 || segs[0].startsWith('{')) return undefined;
  if (segs.length >= 2 && segs[1] !== '{name}') return undefined;
  return { resource: segs[0], subresource: segs[2], namespaced, watch };
}

interface Accum {
  kind?: string;
  namespaced: boolean;
  verbs: Set<string>;
  subs: Map<string, { gvk?: GVK; verbs: Set<string> }>;
}

function operationsOf(item: SwaggerPath): [string, SwaggerOperation][] {
  return HTTP_METHODS.filter((m) => m in item).map((m) => [m, item[m] as SwaggerOperation]);
}

function buildResources(swagger: Swagger, groups: GroupInfo[], facts: Facts): ResourceType[] {
  const notServed = new Set(facts.notServed);
  const notStored = new Set(facts.notStored);
  const out: ResourceType[] = [];
  for (const g of groups) {
    for (const version of g.versions) {
      const prefix = gvPrefix(g.name, version);
      const acc = new Map<string, Accum>();
      for (const [path, item] of Object.entries(swagger.paths)) {
        const ref = classifyPath(path, prefix);
        if (!ref) continue;
        if (ref.subresource && notServed.has(`${ref.resource}/${ref.subresource}`)) continue;
        let a = acc.get(ref.resource);
        if (!a) { a = { namespaced: false, verbs: new Set(), subs: new Map() }; acc.set(ref.resource, a); }
        if (ref.namespaced) a.namespaced = true;
        for (const [method, op] of operationsOf(item)) {
          const action = op['x-kubernetes-action'];
          if (!action) continue;
          const verb = action === 'connect' ? CONNECT_METHOD_VERB[method] : ACTION_VERB[action];
          const gvk = op['x-kubernetes-group-version-kind'];
          if (ref.subresource) {
            let s = a.subs.get(ref.subresource);
            if (!s) { s = { verbs: new Set() }; a.subs.set(ref.subresource, s); }
            if (verb) s.verbs.add(verb);
            if (gvk && !s.gvk) s.gvk = gvk;
          } else {
            if (verb) a.verbs.add(verb);
            if (gvk && !a.kind && !ref.watch) a.kind = gvk.kind;
          }
        }
      }
      for (const name of [...acc.keys()].sort()) {
        const a = acc.get(name)!;
        if (!a.kind) throw new Error(`no kind for ${prefix}${name}`);
        const qn = qualifiedName(g.name, name);
        const f = facts.resources[qn] ?? {};
        const subresources: SubresourceType[] = [...a.subs.keys()].sort().map((sub) => {
          const s = a.subs.get(sub)!;
          const gvk = s.gvk ?? { group: g.name, version, kind: a.kind! };
          return { name: sub, group: gvk.group, version: gvk.version, kind: gvk.kind, verbs: [...s.verbs].sort() };
        });
        const r: ResourceType = {
          group: g.name, version, resource: name, kind: a.kind, listKind: `${a.kind}List`,
          singularName: a.kind.toLowerCase(), namespaced: a.namespaced, verbs: [...a.verbs].sort(),
          shortNames: f.shortNames ?? [], categories: f.categories ?? [], subresources,
          ...(notStored.has(qn) ? {} : {
            storageVersionHash: hashOf(facts.storageVersions[qn] ?? { group: g.name, version, kind: a.kind }),
          }),
        };
        out.push(r);
      }
    }
  }
  const known = new Set(out.map((r) => qualifiedName(r.group, r.resource)));
  for (const key of [...Object.keys(facts.resources), ...Object.keys(facts.storageVersions), ...facts.notStored]) {
    if (!known.has(key)) throw new Error(`discovery-facts.json names ${key}, which no served group-version has`);
  }
  return out;
}

/** Path of the OpenAPI v2 document a stock cluster would not serve. */
function unservedPath(path: string, served: Set<string>, notServed: Set<string>): boolean {
  const m = /^\/(apis|api)(?:\/([^/]+))?(?:\/([^/]+))?/.exec(path);
  if (!m) return false; // /version/, /.well-known/…, /logs/
  if (m[1] === 'api') {
    if (m[2] && m[2] !== 'v1') return true;
  } else if (m[2]) {
    const gv = `${m[2]}/${m[3] ?? ''}`;
    const groupServed = [...served].some((s) => s.startsWith(`${m[2]}/`));
    if (!groupServed) return true;
    if (m[3] && !served.has(gv)) return true;
  }
  for (const ns of notServed) {
    const [res, sub] = ns.split('/');
    if (new RegExp(`/${res}/\\{name\\}/${sub}(/|$)`).test(path)) return true;
  }
  return false;
}

/** Definitions reachable from the given paths. */
function reachableDefinitions(swagger: Swagger, paths: Record<string, SwaggerPath>): Set<string> {
  const seen = new Set<string>();
  const stack: unknown[] = [paths];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) { for (const x of v) stack.push(x); return; }
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string' && x.startsWith('#/definitions/')) {
          const name = x.slice('#/definitions/'.length);
          if (!seen.has(name)) { seen.add(name); stack.push(swagger.definitions[name]); }
        } else stack.push(x);
      }
    }
  };
  while (stack.length) visit(stack.pop());
  return seen;
}

// Not copyFileSync: it would carry over the read-only mode of the shared data, and the next
// import could not overwrite the file.
function copyFile(from: string, to: string): void {
  writeFileSync(to, readFileSync(from));
}

function v3FileName(group: string, version: string): string {
  return group ? `apis__${group}__${version}_openapi.json` : `api__${version}_openapi.json`;
}

function main(): void {
  const { from } = parseArgs(process.argv.slice(2));
  const src = join(from, 'k8s');
  const dst = join(fixturesDir(), 'k8s');
  for (const d of ['openapi-v2', 'openapi-v3', 'discovery']) mkdirSync(join(dst, d), { recursive: true });

  const apisPath = join(src, 'discovery', 'apis.json');
  const apis = readJSON<APIGroupList>(apisPath);
  copyFile(apisPath, join(dst, 'discovery', 'apis.json'));

  const groups: GroupInfo[] = [
    { name: '', versions: ['v1'] },
    ...apis.groups.map((g) => ({ name: g.name, versions: g.versions.map((v) => v.version) })),
  ];
  const served = new Set(groups.flatMap((g) => g.versions.map((v) => `${g.name}/${v}`)));
  const facts = readJSON<Facts>(join(dst, 'discovery-facts.json'));
  const notServed = new Set(facts.notServed);

  const swagger = readJSON<Swagger>(join(src, 'openapi-v2', 'swagger.json'));
  const resources = buildResources(swagger, groups, facts);

  const kept: Swagger = { ...swagger, paths: {} };
  const dropped: Record<string, SwaggerPath> = {};
  for (const [p, item] of Object.entries(swagger.paths)) {
    if (unservedPath(p, served, notServed)) dropped[p] = item;
    else kept.paths[p] = item;
  }
  // Only the types of the dropped APIs go; upstream also publishes a few unreferenced
  // definitions (meta/v1 Patch), which a stock server keeps too.
  const keptDefs = reachableDefinitions(swagger, kept.paths);
  const droppedDefs = reachableDefinitions(swagger, dropped);
  kept.definitions = Object.fromEntries(Object.entries(swagger.definitions)
    .filter(([k]) => keptDefs.has(k) || !droppedDefs.has(k)));
  // Keep the upstream key order (definitions, info, paths, …) so diffs stay readable.
  const ordered: Swagger = Object.fromEntries(Object.keys(swagger).map((k) => [k, kept[k]])) as Swagger;
  writeFileSync(join(dst, 'openapi-v2', 'swagger.json'), `${JSON.stringify(ordered, null, 2)}\n`);

  let v3Count = 0;
  for (const g of groups) {
    for (const v of g.versions) {
      const name = v3FileName(g.name, v);
      const doc = readJSON<{ paths: Record<string, unknown> }>(join(src, 'openapi-v3', name));
      const before = Object.keys(doc.paths).length;
      for (const p of Object.keys(doc.paths)) if (unservedPath(p, served, notServed)) delete doc.paths[p];
      if (Object.keys(doc.paths).length === before) copyFile(join(src, 'openapi-v3', name), join(dst, 'openapi-v3', name));
      else writeFileSync(join(dst, 'openapi-v3', name), `${JSON.stringify(doc, null, 2)}\n`);
      v3Count++;
    }
  }

  const catalog = {
    source: 'generated by scripts/import-fixtures.ts from Kubernetes v1.32 OpenAPI v2 (served group-versions of a stock cluster) and fixtures/k8s/discovery-facts.json',
    groups,
    resources,
  };
  writeFileSync(join(fixturesDir(), 'resources.json'), `${JSON.stringify(catalog, null, 1)}\n`);
  console.log(`${served.size} group-versions, ${resources.length} resources; `
    + `openapi v2 ${Object.keys(kept.paths).length}/${Object.keys(swagger.paths).length} paths, `
    + `${Object.keys(kept.definitions).length}/${Object.keys(swagger.definitions).length} definitions; ${v3Count} openapi v3 documents`);
}

main();
