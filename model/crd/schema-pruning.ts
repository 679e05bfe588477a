// Structural pruning of custom resources (apiextensions-apiserver pkg/apiserver/schema/pruning and
// defaulting/prunenulls.go), as the CR codec applies it on every decode, write and read: fields
// the schema does not specify are dropped unless x-kubernetes-preserve-unknown-fields covers them;
// apiVersion, kind and metadata of the root and of embedded resources are never pruned here.
import { additionalSchema, isJSONObject, itemSchema, ownProperty, type JSONSchemaProps, type JSONValue } from './schema-types.js';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** The pruning walk's state: the path of the value at hand and the unknown fields found. */
class Walk {
  readonly unknown: string[] = [];
  private readonly path: string[] = [];

  key(k: string, visit: () => void): void {
    const mark = this.path.length;
    if (mark > 0) this.path.push('.');
    this.path.push(k);
    visit();
    this.path.length = mark;
  }

  index(i: number, visit: () => void): void {
    const mark = this.path.length;
    this.path.push('[', String(i), ']');
    visit();
    this.path.length = mark;
  }

  get atRoot(): boolean {
    return this.path.length === 0;
  }

  record(k: string): void {
    this.key(k, () => this.unknown.push(this.path.join('')));
  }
}

function prune(x: JSONValue, s: JSONSchemaProps | undefined, w: Walk): void {
  if (s?.['x-kubernetes-preserve-unknown-fields']) {
    skipPrune(x, s, w);
    return;
  }
  if (isJSONObject(x)) {
    for (const k of Object.keys(x)) {
      if (!s) {
        w.record(k);
        delete x[k];
        continue;
      }
      if (s['x-kubernetes-embedded-resource'] && META_FIELDS.has(k)) continue;
      const prop = ownProperty(s, k);
      if (prop) {
        w.key(k, () => prune(x[k], prop, w));
      } else if (s.additionalProperties !== undefined) {
        w.key(k, () => prune(x[k], additionalSchema(s), w));
      } else {
        if (!META_FIELDS.has(k) || !w.atRoot) w.record(k);
        delete x[k];
      }
    }
  } else if (Array.isArray(x)) {
    const items = itemSchema(s);
    x.forEach((v, i) => w.index(i, () => prune(v, items, w)));
  }
}

/** Below x-kubernetes-preserve-unknown-fields: unknown fields stay, known ones are still pruned. */
function skipPrune(x: JSONValue, s: JSONSchemaProps, w: Walk): void {
  if (isJSONObject(x)) {
    for (const k of Object.keys(x)) {
      if (s['x-kubernetes-embedded-resource'] && META_FIELDS.has(k)) continue;
      const prop = ownProperty(s, k);
      if (prop) w.key(k, () => prune(x[k], prop, w));
      else if (s.additionalProperties !== undefined) w.key(k, () => prune(x[k], additionalSchema(s), w));
    }
  } else if (Array.isArray(x)) {
    const items = itemSchema(s);
    if (items) x.forEach((v, i) => w.index(i, () => skipPrune(v, items, w)));
  }
}

/** The schema a map entry falls under: its property, else additionalProperties. */
function fieldSchema(s: JSONSchemaProps | undefined, k: string): JSONSchemaProps | undefined {
  if (!s) return undefined;
  return ownProperty(s, k) ?? additionalSchema(s);
}

/** PruneNonNullableNullsWithoutDefaults: a null the schema neither allows nor defaults goes. */
function pruneNulls(x: JSONValue, s: JSONSchemaProps | undefined): void {
  if (isJSONObject(x)) {
    for (const k of Object.keys(x)) {
      const fs = fieldSchema(s, k);
      if (x[k] === null && fs && !fs.nullable && fs.default === undefined) delete x[k];
      else pruneNulls(x[k], fs);
    }
  } else if (Array.isArray(x)) {
    const items = itemSchema(s);
    for (const v of x) pruneNulls(v, items);
  }
}

/**
 * Prunes `obj` in place, as the CR decoder does: unknown fields, then non-nullable nulls
 * without a default. Returns the pruned field paths, sorted, in upstream's format
 * (`spec.foo`, `spec.list[0].bar`); kube-apiserver reports each as `unknown field "<path>"`
 * (a warning with fieldValidation=Warn, a 400 strict decoding error with Strict). Apiextensions
 * prunes before it defaults (schema-defaulting.ts), and only defaults that survive pruning are
 * allowed in a CRD.
 */
export function pruneCustomResource(obj: Record<string, unknown>, schema: JSONSchemaProps): string[] {
  // The root is always a resource: its apiVersion, kind and metadata are not the schema's to prune.
  const root: JSONSchemaProps = schema['x-kubernetes-embedded-resource'] ? schema : { ...schema, 'x-kubernetes-embedded-resource': true };
  const w = new Walk();
  const value = obj as Record<string, JSONValue>;
  prune(value, root, w);
  pruneNulls(value, schema);
  return w.unknown.sort();
}

/** Prunes any value in place (pruning.Prune); `isResourceRoot` keeps its apiVersion, kind, metadata. */
export function pruneValue(value: JSONValue, schema: JSONSchemaProps, isResourceRoot: boolean): void {
  prune(value, isResourceRoot ? { ...schema, 'x-kubernetes-embedded-resource': true } : schema, new Walk());
}
