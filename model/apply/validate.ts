// TypedValue.Validate, which the fieldmanager runs when it converts an applied configuration to
// a typed value: wrong kinds of values, fields the schema does not declare, list items without
// their keys and duplicated items, with structured-merge-diff's messages and paths.

import type { Schema } from '../schema/schema.js';
import { peKey, peString, type PathElement } from './path.js';
import { asList, asMap, entrySchema, ItemError, listItemPE, shapeOf, type ScalarShape } from './typed.js';
import { goSharpV, goType, goV, isObject } from './value.js';

interface ValidationError {
  readonly path: string;
  readonly message: string;
}

/** The errors of v against s, formatted as ValidationErrors.Error(); '' when valid. */
export function validate(v: unknown, s: Schema): string {
  const errs: ValidationError[] = [];
  check(v, s, '', errs);
  if (errs.length === 0) return '';
  const text = (e: ValidationError): string => (e.path ? `${e.path}: ${e.message}` : e.message);
  return errs.length === 1 ? text(errs[0]) : ['errors:', ...errs.map((e) => `  ${text(e)}`)].join('\n');
}

// How %v prints a value.Value: a pointer to a struct wrapping the unstructured value.
const valueV = (v: unknown): string => `&{${goV(v)}}`;

function scalarError(t: ScalarShape['type'], v: unknown): string | undefined {
  if (v === null) return undefined;
  switch (t) {
    case 'numeric': return typeof v === 'number' ? undefined : `expected numeric (int or float), got ${goType(v)}`;
    case 'string': return typeof v === 'string' ? undefined : `expected string, got &value.valueUnstructured{Value:${goSharpV(v)}}`;
    case 'boolean': return typeof v === 'boolean' ? undefined : `expected boolean, got ${valueV(v)}`;
    case 'any': return typeof v !== 'object' ? undefined : `expected any scalar, got ${valueV(v)}`;
  }
}

function check(v: unknown, s: Schema, path: string, errs: ValidationError[]): void {
  const shape = shapeOf(s, v);
  switch (shape.kind) {
    case 'scalar': {
      const e = scalarError(shape.type, v);
      if (e) errs.push({ path, message: e });
      return;
    }
    case 'map': {
      if (v === null) return;
      if (!isObject(v)) {
        errs.push({ path, message: `expected map, got ${valueV(v)}` });
        return;
      }
      const m = asMap(v) ?? {};
      for (const k of Object.keys(m)) {
        if (m[k] === undefined) continue;
        const cs = entrySchema(shape, k);
        if (cs === undefined) {
          // Upstream stops at the first undeclared field of a map.
          errs.push({ path: `${path}.${k}`, message: 'field not declared in schema' });
          return;
        }
        check(m[k], cs, `${path}.${k}`, errs);
      }
      return;
    }
    case 'list': {
      if (v === null) return;
      const list = asList(v);
      if (!list) {
        errs.push({ path, message: `expected list, got ${valueV(v)}` });
        return;
      }
      const seen = new Set<string>();
      for (let i = 0; i < list.length; i++) {
        const pe: PathElement | ItemError = listItemPE(shape.list, list[i], i);
        if (pe instanceof ItemError) {
          errs.push({ path, message: `element ${i}: ${pe.message}` });
          return;
        }
        const key = peKey(pe);
        if (pe.kind !== 'index' && seen.has(key)) errs.push({ path, message: `duplicate entries for key ${peString(pe)}` });
        seen.add(key);
        check(list[i], shape.list.items, `${path}${peString(pe)}`, errs);
      }
    }
  }
}
