// The shape of an API type as patch and apply need it: which fields a struct has, whether a
// list is atomic, a set or a map keyed by some fields, and the strategic-merge-patch metadata
// of a field. Built lazily from OpenAPI v3 (JSON Schema plus the x-kubernetes-* extensions),
// the same source k8s.io/kube-openapi's schemaconv turns into structured-merge-diff types, so
// built-in types (model/schema/builtin.ts) and CRDs share one representation.

export type ListType = 'atomic' | 'set' | 'map';
export type ElementType = 'granular' | 'atomic';

/** Strategic-merge-patch metadata of a field (x-kubernetes-patch-strategy / -merge-key). */
export interface PatchMeta {
  /** e.g. ['merge'], ['retainKeys'], ['merge', 'retainKeys'], ['replace']. */
  readonly strategies: readonly string[];
  readonly mergeKey?: string;
}

interface Common {
  /** Present when the field that holds this value declares a patch strategy. */
  readonly patch?: PatchMeta;
}

export interface StructSchema extends Common {
  readonly kind: 'struct';
  field(name: string): Schema | undefined;
  fieldNames(): readonly string[];
  /** x-kubernetes-map-type: atomic makes the whole struct one value for apply. */
  readonly elementType: ElementType;
  /** x-kubernetes-preserve-unknown-fields: fields outside `properties` are kept. */
  readonly preserveUnknownFields: boolean;
}

export interface MapSchema extends Common {
  readonly kind: 'map';
  readonly values: Schema;
  readonly elementType: ElementType;
}

export interface ListSchema extends Common {
  readonly kind: 'list';
  readonly items: Schema;
  readonly listType: ListType;
  /** For listType map: the key fields, in order. */
  readonly mapKeys: readonly string[];
}

export interface ScalarSchema extends Common {
  readonly kind: 'scalar';
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'int-or-string' | 'any';
}

/** No schema (x-kubernetes-preserve-unknown-fields, RawExtension): shape deduced from the value. */
export interface UntypedSchema extends Common {
  readonly kind: 'untyped';
}

export type Schema = StructSchema | MapSchema | ListSchema | ScalarSchema | UntypedSchema;

export const UNTYPED: UntypedSchema = Object.freeze({ kind: 'untyped' });

/** A JSON Schema node as OpenAPI v3 and CRDs write it; only the parts read here are typed. */
export interface JSONSchemaNode {
  readonly $ref?: string;
  readonly allOf?: readonly JSONSchemaNode[];
  readonly type?: string;
  readonly format?: string;
  readonly properties?: Readonly<Record<string, JSONSchemaNode>>;
  readonly additionalProperties?: JSONSchemaNode | boolean;
  readonly items?: JSONSchemaNode;
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-map-type'?: string;
  readonly 'x-kubernetes-patch-strategy'?: string;
  readonly 'x-kubernetes-patch-merge-key'?: string;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
}

/** Resolves `#/components/schemas/<name>` references; returns undefined for unknown names. */
export type RefResolver = (ref: string) => JSONSchemaNode | undefined;

const SCALAR_TYPES = new Set(['string', 'integer', 'number', 'boolean']);

/**
 * Turns JSON Schema into Schema. Referenced schemas are converted once and shared, and struct
 * fields are converted on first use, so recursive types (JSONSchemaProps) terminate.
 */
export class SchemaBuilder {
  private readonly byRef = new Map<string, Schema>();

  constructor(private readonly resolveRef: RefResolver = () => undefined) {}

  /** `overrides` replaces top-level fields (a CRD's `metadata` becomes ObjectMeta). */
  build(node: JSONSchemaNode, overrides?: ReadonlyMap<string, Schema>): Schema {
    const s = this.convert(node);
    if (!overrides || s.kind !== 'struct') return s;
    return withFieldOverrides(s, overrides);
  }

  private convert(node: JSONSchemaNode): Schema {
    const ref = node.$ref ?? (node.allOf?.length === 1 ? node.allOf[0].$ref : undefined);
    const base = ref !== undefined ? this.fromRef(ref) : this.fromInline(node);
    const patch = patchMetaOf(node);
    return patch ? { ...base, patch } : base;
  }

  private fromRef(ref: string): Schema {
    const cached = this.byRef.get(ref);
    if (cached) return cached;
    const target = this.resolveRef(ref);
    if (!target) return UNTYPED;
    const s = this.fromInline(target);
    this.byRef.set(ref, s);
    return s;
  }

  private fromInline(node: JSONSchemaNode): Schema {
    if (node['x-kubernetes-int-or-string'] || node.format === 'int-or-string') return { kind: 'scalar', type: 'int-or-string' };
    const elementType: ElementType = node['x-kubernetes-map-type'] === 'atomic' ? 'atomic' : 'granular';
    const preserve = node['x-kubernetes-preserve-unknown-fields'] === true;
    if (node.type === 'array') {
      const items = node.items ? this.convert(node.items) : UNTYPED;
      return { kind: 'list', items, ...listTypeOf(node) };
    }
    if (node.properties || node['x-kubernetes-embedded-resource']) {
      return this.struct(node.properties ?? {}, elementType, preserve || !node.properties);
    }
    if (node.type === 'object') {
      const ap = node.additionalProperties;
      if (ap && typeof ap === 'object') return { kind: 'map', values: this.convert(ap), elementType };
      if (ap === true) return { kind: 'map', values: UNTYPED, elementType };
      return UNTYPED;
    }
    if (node.type !== undefined && SCALAR_TYPES.has(node.type)) {
      return { kind: 'scalar', type: node.type as ScalarSchema['type'] };
    }
    return preserve || node.type === undefined ? UNTYPED : { kind: 'scalar', type: 'any' };
  }

  private struct(props: Readonly<Record<string, JSONSchemaNode>>, elementType: ElementType, preserve: boolean): StructSchema {
    const fields = new Map<string, Schema>();
    const names = Object.keys(props);
    const convert = (n: JSONSchemaNode): Schema => this.convert(n);
    return {
      kind: 'struct',
      elementType,
      preserveUnknownFields: preserve,
      fieldNames: () => names,
      field(name: string): Schema | undefined {
        let f = fields.get(name);
        if (f === undefined && Object.hasOwn(props, name)) fields.set(name, (f = convert(props[name])));
        return f;
      },
    };
  }
}

function patchMetaOf(node: JSONSchemaNode): PatchMeta | undefined {
  const strategy = node['x-kubernetes-patch-strategy'];
  const mergeKey = node['x-kubernetes-patch-merge-key'];
  if (strategy === undefined && mergeKey === undefined) return undefined;
  return { strategies: strategy ? strategy.split(',') : [], ...(mergeKey !== undefined ? { mergeKey } : {}) };
}

/**
 * kube-openapi's schemaconv: an explicit x-kubernetes-list-type wins; otherwise a list with
 * patch strategy `merge` is a map keyed by its merge key (a set without one); else atomic.
 */
function listTypeOf(node: JSONSchemaNode): { listType: ListType; mapKeys: readonly string[] } {
  const explicit = node['x-kubernetes-list-type'];
  if (explicit === 'map') return { listType: 'map', mapKeys: node['x-kubernetes-list-map-keys'] ?? [] };
  if (explicit === 'set' || explicit === 'atomic') return { listType: explicit, mapKeys: [] };
  const strategies = node['x-kubernetes-patch-strategy']?.split(',') ?? [];
  if (strategies.includes('merge')) {
    const key = node['x-kubernetes-patch-merge-key'];
    return key ? { listType: 'map', mapKeys: [key] } : { listType: 'set', mapKeys: [] };
  }
  return { listType: 'atomic', mapKeys: [] };
}

function withFieldOverrides(s: StructSchema, overrides: ReadonlyMap<string, Schema>): StructSchema {
  const names = [...new Set([...s.fieldNames(), ...overrides.keys()])];
  return {
    ...s,
    fieldNames: () => names,
    field: (name: string) => overrides.get(name) ?? s.field(name),
  };
}
