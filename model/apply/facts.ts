// Two facts about built-in types that apply needs and model/schema's Schema does not carry:
// - the OpenAPI `default` of list-map key fields: structured-merge-diff fills a key the item
//   omits from it (a Service port without `protocol` is keyed `protocol: "TCP"`);
// - the Go zero value of a kind (`New()` of the type, converted to unstructured): what the
//   fieldmanager compares a created object against. Non-pointer structs are there as `{}`
//   (OpenAPI marks them `default: {}`) and fields without omitempty as their zero (they are
//   `required`), so a create does not own `.` of `spec` but does own `.` of `metadata.labels`.
// Both are read from the same OpenAPI v3 documents as model/schema/builtin.ts, once per kind.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '../fixtures.js';
import { builtinSchema } from '../schema/builtin.js';
import type { JSONSchemaNode, ListSchema, Schema } from '../schema/schema.js';
import { isObject, type JsonObject } from './value.js';

interface RawNode extends JSONSchemaNode {
  readonly default?: unknown;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, RawNode>>;
  readonly items?: RawNode;
  readonly additionalProperties?: RawNode | boolean;
  readonly allOf?: readonly RawNode[];
}

interface Component extends RawNode {
  readonly 'x-kubernetes-group-version-kind'?: readonly { readonly group: string; readonly version: string; readonly kind: string }[];
}

type Components = Readonly<Record<string, Component>>;

interface RawDocument {
  readonly components?: { readonly schemas?: Components };
}

const REF_PREFIX = '#/components/schemas/';

// metav1.Time and MicroTime marshal their zero value as null, so these non-pointer fields are
// in an empty object even though OpenAPI cannot tell them from the pointer ones (source: the
// Go types k8s.io/apimachinery ObjectMeta, k8s.io/api core/v1 Event and events/v1 Event).
const NON_POINTER_TIMES: Readonly<Record<string, readonly string[]>> = {
  'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta': ['creationTimestamp'],
  'io.k8s.api.core.v1.Event': ['firstTimestamp', 'lastTimestamp', 'eventTime'],
  'io.k8s.api.events.v1.Event': ['deprecatedFirstTimestamp', 'deprecatedLastTimestamp'],
};

const keyDefaults = new WeakMap<ListSchema, Readonly<Record<string, unknown>>>();
const zeros = new WeakMap<Schema, JsonObject>();
const EMPTY: JsonObject = Object.freeze({});

/** The default a list item's missing key field takes, when its schema declares one. */
export function keyDefault(list: ListSchema, field: string): unknown {
  return keyDefaults.get(list)?.[field];
}

/**
 * The zero object of a kind, and its key defaults registered for keyDefault. Kinds that are not
 * built in (custom resources) have neither: their zero object is empty, as an Unstructured is.
 */
export function prepareType(schema: Schema, group: string, version: string, kind: string): JsonObject {
  const cached = zeros.get(schema);
  if (cached) return cached;
  let zero = EMPTY;
  if (builtinSchema(group, version, kind) === schema) {
    const doc = loadDocument(group, version);
    const name = doc && componentOf(doc, group, version, kind);
    if (doc && name) {
      const resolve = (n: RawNode): RawNode => resolveRef(doc, n);
      indexKeys(resolve(doc[name]), schema, resolve, new Set());
      zero = zeroOf(name, doc, resolve);
    }
  }
  zeros.set(schema, zero);
  return zero;
}

// The last document read, since the kinds of one group/version tend to come one after another.
let lastDocument: { readonly file: string; readonly doc: Components | undefined } | undefined;

function loadDocument(group: string, version: string): Components | undefined {
  const file = group === '' ? `api__${version}_openapi.json` : `apis__${group}__${version}_openapi.json`;
  if (lastDocument?.file === file) return lastDocument.doc;
  const path = join(fixturesDir(), 'k8s', 'openapi-v3', file);
  const doc = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as RawDocument).components?.schemas : undefined;
  lastDocument = { file, doc };
  return doc;
}

function componentOf(doc: Components, group: string, version: string, kind: string): string | undefined {
  for (const [name, s] of Object.entries(doc)) {
    for (const gvk of s['x-kubernetes-group-version-kind'] ?? []) {
      if (gvk.group === group && gvk.version === version && gvk.kind === kind) return name;
    }
  }
  return undefined;
}

function refName(n: RawNode): string | undefined {
  const ref = n.$ref ?? (n.allOf?.length === 1 ? n.allOf[0].$ref : undefined);
  return ref?.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

function resolveRef(doc: Components, n: RawNode): RawNode {
  const name = refName(n);
  return name !== undefined ? doc[name] ?? n : n;
}

/** Walks the raw schema and the built Schema side by side, recording keyed lists' defaults. */
function indexKeys(node: RawNode, s: Schema, resolve: (n: RawNode) => RawNode, seen: Set<Schema>): void {
  switch (s.kind) {
    case 'struct': {
      if (seen.has(s)) return;
      seen.add(s);
      for (const name of s.fieldNames()) {
        const prop = node.properties?.[name];
        const child = s.field(name);
        if (prop && child) indexKeys(resolve(prop), child, resolve, seen);
      }
      return;
    }
    case 'list': {
      if (!node.items) return;
      const item = resolve(node.items);
      if (s.listType === 'map') {
        const defaults: Record<string, unknown> = {};
        for (const k of s.mapKeys) {
          const d = item.properties?.[k]?.default;
          if (d !== undefined) defaults[k] = d;
        }
        keyDefaults.set(s, defaults);
      }
      indexKeys(item, s.items, resolve, seen);
      return;
    }
    case 'map':
      if (isObject(node.additionalProperties)) indexKeys(resolve(node.additionalProperties as RawNode), s.values, resolve, seen);
      return;
    default:
  }
}

function zeroOf(name: string, doc: Components, resolve: (n: RawNode) => RawNode): JsonObject {
  const node = doc[name];
  const out: JsonObject = {};
  const required = new Set(node.required ?? []);
  const times = new Set(NON_POINTER_TIMES[name] ?? []);
  for (const [field, prop] of Object.entries(node.properties ?? {})) {
    const target = refName(prop);
    const struct = target !== undefined && resolve(prop).properties !== undefined;
    if (struct && isObject(prop.default) && Object.keys(prop.default).length === 0) {
      out[field] = zeroOf(target, doc, resolve);
    } else if (times.has(field)) {
      out[field] = null;
    } else if (required.has(field)) {
      out[field] = prop.default !== undefined && !isObject(prop.default) ? prop.default : null;
    }
  }
  return out;
}
