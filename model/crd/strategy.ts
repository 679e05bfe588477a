// The strategy of a custom resource (apiextensions-apiserver's customresource/strategy.go):
// structural defaulting and pruning on decode, OpenAPI schema validation, generation bumps.
// One strategy per served ResourceType, built on first use.

import type { ResourceType } from '../catalog.js';
import type { KubeObject } from '../object.js';
import { define, type Strategy } from '../registry/strategy.js';
import { defaultCustomResource } from './schema-defaulting.js';
import { pruneCustomResource } from './schema-pruning.js';
import { validateCustomResource, type JSONSchemaProps } from './schema-validation.js';

const strategies = new WeakMap<ResourceType, Strategy>();

export function customResourceStrategy(rt: ResourceType): Strategy {
  let s = strategies.get(rt);
  if (s) return s;
  const schema = (rt.custom?.schema ?? {}) as JSONSchemaProps;
  s = define({
    tracksGeneration: true,
    // Pruning first, then defaults, as apiextensions' decoder does (defaults were checked
    // against the schema when the CRD was written, so they add nothing to prune).
    normalize(obj: KubeObject): string[] {
      const unknown = pruneCustomResource(obj as unknown as Record<string, unknown>, schema);
      defaultCustomResource(obj as unknown as Record<string, unknown>, schema);
      return unknown;
    },
    validate: (obj: KubeObject) => validateCustomResource(obj as unknown as Record<string, unknown>, schema),
  });
  strategies.set(rt, s);
  return s;
}
