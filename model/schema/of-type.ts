// The Schema of any served type: built-in kinds from the 1.32 OpenAPI, custom resources from
// their CRD's openAPIV3Schema with `metadata` as ObjectMeta (whatever the CRD's schema says about
// metadata, the apiserver treats it as ObjectMeta). Cached per ResourceType.

import type { ResourceType } from '../catalog.js';
import { builtinSchema, objectMetaSchema } from './builtin.js';
import { SchemaBuilder, UNTYPED, type JSONSchemaNode, type Schema } from './schema.js';

const cache = new WeakMap<ResourceType, Schema>();
const STRING: Schema = { kind: 'scalar', type: 'string' };

export function schemaOf(rt: ResourceType): Schema {
  let s = cache.get(rt);
  if (s) return s;
  if (rt.custom) {
    const overrides = new Map<string, Schema>([['metadata', objectMetaSchema()], ['apiVersion', STRING], ['kind', STRING]]);
    s = new SchemaBuilder().build(rt.custom.schema as JSONSchemaNode, overrides);
  } else {
    s = builtinSchema(rt.group, rt.version, rt.kind) ?? UNTYPED;
  }
  cache.set(rt, s);
  return s;
}
