// Schemas of the built-in types, from the Kubernetes 1.32 OpenAPI v3 documents in
// fixtures/k8s/openapi-v3 (one per group-version, each self-contained). A document is read the
// first time one of its kinds is asked for.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../fixtures.js';
import { SchemaBuilder, type JSONSchemaNode, type Schema } from './schema.js';

const REF_PREFIX = '#/components/schemas/';
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

interface OpenAPIDocument {
  readonly components?: { readonly schemas?: Readonly<Record<string, JSONSchemaNode & { 'x-kubernetes-group-version-kind'?: readonly GroupVersionKind[] }>> };
}

interface LoadedDocument {
  readonly builder: SchemaBuilder;
  /** `Kind` -> component name. */
  readonly kinds: ReadonlyMap<string, string>;
}

const documents = new Map<string, LoadedDocument | null>();

function fileOf(group: string, version: string): string {
  return group === '' ? `api__${version}_openapi.json` : `apis__${group}__${version}_openapi.json`;
}

function load(group: string, version: string): LoadedDocument | null {
  const key = `${group}/${version}`;
  const cached = documents.get(key);
  if (cached !== undefined) return cached;
  const path = join(fixturesDir(), 'k8s', 'openapi-v3', fileOf(group, version));
  let doc: LoadedDocument | null = null;
  if (existsSync(path)) {
    const schemas = (JSON.parse(readFileSync(path, 'utf8')) as OpenAPIDocument).components?.schemas ?? {};
    const kinds = new Map<string, string>();
    for (const [name, s] of Object.entries(schemas)) {
      for (const gvk of s['x-kubernetes-group-version-kind'] ?? []) {
        if (gvk.group === group && gvk.version === version) kinds.set(gvk.kind, name);
      }
    }
    const builder = new SchemaBuilder((ref) => (ref.startsWith(REF_PREFIX) ? schemas[ref.slice(REF_PREFIX.length)] : undefined));
    doc = { builder, kinds };
  }
  documents.set(key, doc);
  return doc;
}

/** The schema of a built-in kind, or undefined when 1.32 has no such kind. */
export function builtinSchema(group: string, version: string, kind: string): Schema | undefined {
  const doc = load(group, version);
  const name = doc?.kinds.get(kind);
  return doc && name !== undefined ? doc.builder.build({ $ref: REF_PREFIX + name }) : undefined;
}

/** metav1.ObjectMeta, which every CRD's `metadata` is regardless of what its schema says. */
export function objectMetaSchema(): Schema {
  const doc = load('', 'v1');
  if (!doc) throw new Error('fixtures lack the core v1 OpenAPI document');
  return doc.builder.build({ $ref: REF_PREFIX + OBJECT_META });
}
