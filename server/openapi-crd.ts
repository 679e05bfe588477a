// The OpenAPI v3 document of a CRD group-version, shaped as apiextensions-apiserver's builder
// publishes it: the kind and its list under the reversed-group schema name
// (`io.open-cluster-management.work.v1.ManifestWork`), the metav1 types they reference, and a
// path per verb carrying `x-kubernetes-group-version-kind` and the query parameters. kubectl
// reads the PATCH operations: their request content types tell it that custom resources take
// no strategic merge patch, and a `fieldValidation` parameter tells it to validate server-side.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceType } from '../model/catalog.js';
import { fixturesDir } from '../model/fixtures.js';

const REF = '#/components/schemas/';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
const SCALE = 'io.k8s.api.autoscaling.v1.Scale';
const META_ROOTS = [...['ObjectMeta', 'ListMeta', 'Status', 'DeleteOptions', 'Patch'].map((n) => META + n), SCALE];
// The content types a custom resource's PATCH accepts (no strategic merge patch).
const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];

type Json = Record<string, unknown>;

let metaSchemas: Json | undefined;

/** ObjectMeta, ListMeta, Status, DeleteOptions, Patch, Scale and what they reference, from the built-in documents. */
function metaComponents(): Json {
  if (metaSchemas) return metaSchemas;
  const read = (file: string): Json => (JSON.parse(readFileSync(join(fixturesDir(), 'k8s', 'openapi-v3', file), 'utf8')) as { components: { schemas: Json } }).components.schemas;
  const all = { ...read('api__v1_openapi.json'), ...read('apis__autoscaling__v1_openapi.json') };
  const out: Json = {};
  const visit = (name: string): void => {
    if (out[name] !== undefined || all[name] === undefined) return;
    out[name] = all[name];
    JSON.stringify(all[name], (k, v: unknown) => {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF)) visit(v.slice(REF.length));
      return v;
    });
  };
  META_ROOTS.forEach(visit);
  metaSchemas = out;
  return out;
}

export function schemaNameOf(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

const query = (name: string, type = 'string'): Json => ({ name, in: 'query', schema: { type, uniqueItems: true } });
const WRITE_PARAMS = [query('dryRun'), query('fieldManager'), query('fieldValidation')];
const LIST_PARAMS = ['allowWatchBookmarks:boolean', 'continue', 'fieldSelector', 'labelSelector', 'limit:integer', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents:boolean', 'timeoutSeconds:integer', 'watch:boolean']
  .map((p) => { const [n, t] = p.split(':'); return query(n, t); });

function operation(rt: ResourceType, action: string, id: string, ref: string, params: Json[], body?: readonly string[]): Json {
  const content = (types: readonly string[], schemaRef: string): Json => Object.fromEntries(types.map((t) => [t, { schema: { $ref: schemaRef } }]));
  const op: Json = {
    tags: [`${rt.group.split('.')[0]}_${rt.version}`],
    operationId: `${id}${rt.version[0].toUpperCase()}${rt.version.slice(1)}${rt.namespaced ? 'Namespaced' : ''}${rt.kind}`,
    parameters: params,
    responses: { 200: { description: 'OK', content: content(['application/json', 'application/yaml'], ref) } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: rt.group, version: rt.version, kind: rt.kind },
  };
  if (body) op.requestBody = { content: content(body, body === PATCH_TYPES ? `${REF}${META}Patch` : ref), required: true };
  return op;
}

function pathsOf(rt: ResourceType): Json {
  const kindRef = REF + schemaNameOf(rt.group, rt.version, rt.kind);
  const listRef = REF + schemaNameOf(rt.group, rt.version, rt.listKind);
  const base = `/apis/${rt.group}/${rt.version}${rt.namespaced ? '/namespaces/{namespace}' : ''}/${rt.resource}`;
  const pathParams = (named: boolean): Json[] => [
    ...(named ? [{ name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }] : []),
    ...(rt.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }] : []),
    query('pretty'),
  ];
  const item = (suffix: string, idSuffix: string): Json => ({
    get: operation(rt, 'get', `read${idSuffix}`, kindRef, []),
    put: operation(rt, 'put', `replace${idSuffix}`, kindRef, WRITE_PARAMS, ['application/json', 'application/yaml']),
    patch: operation(rt, 'patch', `patch${idSuffix}`, kindRef, [...WRITE_PARAMS, query('force', 'boolean')], PATCH_TYPES),
    ...(suffix === '' ? { delete: operation(rt, 'delete', 'delete', REF + META + 'Status', [query('dryRun'), query('gracePeriodSeconds', 'integer'), query('propagationPolicy')]) } : {}),
    parameters: pathParams(true),
  });
  const paths: Json = {
    [base]: {
      get: operation(rt, 'list', 'list', listRef, LIST_PARAMS),
      post: operation(rt, 'post', 'create', kindRef, WRITE_PARAMS, ['application/json', 'application/yaml']),
      delete: operation(rt, 'deletecollection', 'deleteCollection', REF + META + 'Status', LIST_PARAMS),
      parameters: pathParams(false),
    },
    [`${base}/{name}`]: item('', ''),
  };
  for (const s of rt.subresources) {
    const title = s.name[0].toUpperCase() + s.name.slice(1);
    const p = item(s.name, title);
    if (s.name === 'scale') {
      const scaleRef = REF + SCALE;
      for (const verb of ['get', 'put', 'patch'] as const) {
        const op = p[verb] as Json;
        op['x-kubernetes-group-version-kind'] = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
        op.responses = { 200: { description: 'OK', content: { 'application/json': { schema: { $ref: scaleRef } } } } };
      }
    }
    paths[`${base}/{name}/${s.name}`] = p;
  }
  if (rt.namespaced) {
    paths[`/apis/${rt.group}/${rt.version}/${rt.resource}`] = {
      get: operation(rt, 'list', 'listForAllNamespaces', listRef, LIST_PARAMS),
      parameters: [query('pretty')],
    };
  }
  return paths;
}

function kindSchema(rt: ResourceType): Json {
  const schema = { ...(rt.custom?.schema ?? {}) } as Json;
  const props = { ...((schema.properties as Json | undefined) ?? {}) };
  props.apiVersion = { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' };
  props.kind = { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' };
  props.metadata = { allOf: [{ $ref: `${REF}${META}ObjectMeta` }], description: "Standard object's metadata." };
  return { ...schema, type: 'object', properties: props, 'x-kubernetes-group-version-kind': [{ group: rt.group, kind: rt.kind, version: rt.version }] };
}

function listSchema(rt: ResourceType): Json {
  return {
    description: `${rt.listKind} is a list of ${rt.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string' },
      items: { type: 'array', items: { $ref: REF + schemaNameOf(rt.group, rt.version, rt.kind) } },
      kind: { type: 'string' },
      metadata: { allOf: [{ $ref: `${REF}${META}ListMeta` }] },
    },
    'x-kubernetes-group-version-kind': [{ group: rt.group, kind: rt.listKind, version: rt.version }],
  };
}

/** The v3 document of one CRD group-version (all its custom resources in one cluster). */
export function crdGroupVersionDocument(types: readonly ResourceType[]): Json {
  const schemas: Json = { ...metaComponents() };
  let paths: Json = {};
  for (const rt of types) {
    schemas[schemaNameOf(rt.group, rt.version, rt.kind)] = kindSchema(rt);
    schemas[schemaNameOf(rt.group, rt.version, rt.listKind)] = listSchema(rt);
    paths = { ...paths, ...pathsOf(rt) };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' }, paths, components: { schemas } };
}
