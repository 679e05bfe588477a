// The patch metadata of a field, as strategicpatch's LookupPatchMeta answers it, read from our
// Schema instead of Go struct tags. Fields the schema does not know (and everything below an
// untyped value) get no metadata: maps merge, lists are replaced. Upstream's struct lookup would
// fail for such a field only when it is a map or list in both the live object and the patch;
// live objects come from typed Go structs, so in practice it never has such fields to fail on.
import { UNTYPED, type Schema } from '../schema/schema.js';

export const MERGE = 'merge';
export const REPLACE = 'replace';
const RETAIN_KEYS = 'retainKeys';

export interface FieldMeta {
  /** The field's own schema (a list's items are reached through itemsOf). */
  readonly schema: Schema;
  /** The strategy other than retainKeys: '', 'merge' or 'replace'. */
  readonly strategy: string;
  readonly retainKeys: boolean;
  readonly mergeKey: string;
}

export function fieldMeta(parent: Schema, key: string): FieldMeta {
  const schema = childOf(parent, key);
  const strategies = schema.patch?.strategies ?? [];
  return {
    schema,
    strategy: strategies.find((s) => s !== RETAIN_KEYS) ?? '',
    retainKeys: strategies.includes(RETAIN_KEYS),
    mergeKey: schema.patch?.mergeKey ?? '',
  };
}

function childOf(parent: Schema, key: string): Schema {
  if (parent.kind === 'struct') return parent.field(key) ?? UNTYPED;
  if (parent.kind === 'map') return parent.values;
  return UNTYPED;
}

export function itemsOf(s: Schema): Schema {
  return s.kind === 'list' ? s.items : UNTYPED;
}

/** reflect.Kind of a list's element type, as PatchMetaFromStruct.Name() prints it. */
export function kindName(s: Schema): string {
  switch (s.kind) {
    case 'struct': return 'struct';
    case 'map': return 'map';
    case 'list': return 'slice';
    case 'untyped': return 'interface';
    case 'scalar':
      switch (s.type) {
        case 'string': return 'string';
        case 'boolean': return 'bool';
        case 'integer': return 'int64';
        case 'number': return 'float64';
        case 'int-or-string': return 'struct';
        case 'any': return 'interface';
      }
  }
}
