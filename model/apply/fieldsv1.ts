// The FieldsV1 encoding of a field set (fieldpath.Set ToJSON / FromJSON): one JSON object per
// tree node, keys in path-element order, `{}` for a member without children, and `".": {}`
// first in a node that is itself a member and also has children.

import { comparePE, parsePE, PathElementError, serializePE } from './path.js';
import { FieldSet } from './set.js';
import { isObject, type JsonObject } from './value.js';

/** The fieldsV1 object of a set; keys are inserted in upstream's byte order. */
export function toFieldsV1(s: FieldSet): JsonObject {
  return emit(s, false);
}

function emit(s: FieldSet, includeSelf: boolean): JsonObject {
  const out: JsonObject = {};
  const { members, children } = s;
  if (includeSelf && (members.length > 0 || children.length > 0)) out['.'] = {};
  let mi = 0;
  let ci = 0;
  while (mi < members.length || ci < children.length) {
    const c = mi === members.length ? 1 : ci === children.length ? -1 : comparePE(members[mi], children[ci].pe);
    if (c < 0) {
      out[serializePE(members[mi++])] = {};
    } else {
      const child = children[ci++];
      out[serializePE(child.pe)] = emit(child.set, c === 0);
      if (c === 0) mi++;
    }
  }
  return out;
}

/** FieldsToSet; a string describes why the object is not a valid fieldsV1 value. */
export function fromFieldsV1(fields: unknown): FieldSet | string {
  if (!isObject(fields)) return 'ReadMapCB: expect { or n';
  const r = read(fields);
  return typeof r === 'string' ? r : r.children ?? new FieldSet();
}

interface Read {
  readonly children: FieldSet | undefined;
  readonly isMember: boolean;
}

function read(obj: JsonObject): Read | string {
  let children: FieldSet | undefined;
  let isMember = false;
  for (const key of Object.keys(obj)) {
    if (key === '.') {
      isMember = true;
      continue;
    }
    const pe = parsePE(key);
    if (pe === null) continue;
    if (pe instanceof PathElementError) return `parsing key as path element: ${pe.message}`;
    const sub = obj[key];
    if (!isObject(sub)) return 'ReadMapCB: expect { or n';
    const r = read(sub);
    if (typeof r === 'string') return r;
    children ??= new FieldSet();
    if (r.isMember) children.insertMember(pe);
    if (r.children) children.putChild(pe, r.children);
  }
  return { children, isMember: isMember || children === undefined };
}
