// CRD-time checks of `default` values (apiextensions-apiserver
// pkg/apiserver/schema/defaulting/validation.go, ValidateDefaults): every default must survive
// pruning unchanged, keep embedded resources valid, and validate against its own schema node.
// Not checked: defaults inside (embedded) ObjectMeta are validated for their schema only, not
// coerced into ObjectMeta as upstream does.
import type { FieldError } from '../status.js';
import { validateEmbeddedResources } from './schema-embedded.js';
import { childPath, keyPath } from './schema-gofmt.js';
import { pruneValue } from './schema-pruning.js';
import { itemSchema, jsonEqual, type JSONSchemaProps } from './schema-types.js';
import { validateAgainstSchema } from './schema-validation.js';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

function validateNode(path: string, s: JSONSchemaProps, insideMeta: boolean): FieldError[] {
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const inMeta = insideMeta && !embedded;
  const errs: FieldError[] = [];
  const def = s.default;
  if (def !== undefined) {
    const field = childPath(path, 'default');
    if (!inMeta) {
      const pruned = structuredClone(def);
      pruneValue(pruned, s, embedded);
      if (!jsonEqual(pruned, def)) errs.push({ type: 'FieldValueInvalid', field, value: def, detail: 'must not have unknown fields' });
    }
    const metaErrs = inMeta ? [] : validateEmbeddedResources(field, s, def);
    errs.push(...(metaErrs.length > 0 ? metaErrs : validateAgainstSchema(def, s, field)));
  }
  // Defaults under additionalProperties are rejected elsewhere, so they are not followed here.
  const items = itemSchema(s);
  if (items) errs.push(...validateNode(childPath(path, 'items'), items, inMeta));
  for (const [k, sub] of Object.entries(s.properties ?? {})) {
    errs.push(...validateNode(keyPath(childPath(path, 'properties'), k), sub, inMeta || (embedded && META_FIELDS.has(k))));
  }
  return errs;
}

/** ValidateDefaults for a version's root schema at `path` (the root is a resource). */
export function validateDefaults(path: string, schema: JSONSchemaProps): FieldError[] {
  const root = schema['x-kubernetes-embedded-resource'] ? schema : { ...schema, 'x-kubernetes-embedded-resource': true };
  return validateNode(path, root, false);
}
