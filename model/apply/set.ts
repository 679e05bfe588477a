// A set of field paths, stored as structured-merge-diff's fieldpath.Set stores it: a tree whose
// nodes hold sorted members (paths that end here) and sorted children (paths that go on).
// Set algebra walks the sorted arrays side by side, so it costs the sizes of the operands.

import { comparePE, type Path, type PathElement } from './path.js';

interface Child {
  readonly pe: PathElement;
  readonly set: FieldSet;
}

function search<T>(arr: readonly T[], pe: PathElement, key: (t: T) => PathElement): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePE(key(arr[mid]), pe) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const self = (pe: PathElement): PathElement => pe;
const childPE = (c: Child): PathElement => c.pe;

export class FieldSet {
  /** Sorted, distinct. */
  readonly members: PathElement[];
  /** Sorted by pe, distinct; an empty child set is never kept by the algebra below. */
  readonly children: Child[];

  constructor(members: PathElement[] = [], children: Child[] = []) {
    this.members = members;
    this.children = children;
  }

  /** Adds a path; the empty path (the whole object) is never owned, as upstream. */
  insert(path: Path): void {
    if (path.length === 0) return;
    let s: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) s = s.descend(path[i]);
    s.insertMember(path[path.length - 1]);
  }

  insertMember(pe: PathElement): void {
    const m = this.members;
    if (m.length === 0 || comparePE(m[m.length - 1], pe) < 0) {
      m.push(pe);
      return;
    }
    const at = search(m, pe, self);
    if (at < m.length && comparePE(m[at], pe) === 0) return;
    m.splice(at, 0, pe);
  }

  /** The child set under pe, created when missing. */
  descend(pe: PathElement): FieldSet {
    const c = this.children;
    if (c.length === 0 || comparePE(c[c.length - 1].pe, pe) < 0) {
      const s = new FieldSet();
      c.push({ pe, set: s });
      return s;
    }
    const at = search(c, pe, childPE);
    if (at < c.length && comparePE(c[at].pe, pe) === 0) return c[at].set;
    const s = new FieldSet();
    c.splice(at, 0, { pe, set: s });
    return s;
  }

  /** Sets the child set under pe, replacing one there (as decoding a repeated key does). */
  putChild(pe: PathElement, set: FieldSet): void {
    const c = this.children;
    const at = c.length === 0 || comparePE(c[c.length - 1].pe, pe) < 0 ? c.length : search(c, pe, childPE);
    if (at < c.length && comparePE(c[at].pe, pe) === 0) c[at] = { pe, set };
    else c.splice(at, 0, { pe, set });
  }

  hasMember(pe: PathElement): boolean {
    const at = search(this.members, pe, self);
    return at < this.members.length && comparePE(this.members[at], pe) === 0;
  }

  child(pe: PathElement): FieldSet | undefined {
    const at = search(this.children, pe, childPE);
    return at < this.children.length && comparePE(this.children[at].pe, pe) === 0 ? this.children[at].set : undefined;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let s: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && s; i++) s = s.child(path[i]);
    return s !== undefined && s.hasMember(path[path.length - 1]);
  }

  empty(): boolean {
    if (this.members.length > 0) return false;
    for (const c of this.children) if (!c.set.empty()) return false;
    return true;
  }

  union(o: FieldSet): FieldSet {
    if (o.members.length === 0 && o.children.length === 0) return this;
    if (this.members.length === 0 && this.children.length === 0) return o;
    const members = mergeSorted(this.members, o.members, self, (a) => a);
    const children = mergeSorted(this.children, o.children, childPE, (a, b) => ({ pe: a.pe, set: a.set.union(b.set) }));
    return new FieldSet(members, children);
  }

  intersection(o: FieldSet): FieldSet {
    const members: PathElement[] = [];
    walkBoth(this.members, o.members, self, undefined, undefined, (a) => members.push(a));
    const children: Child[] = [];
    walkBoth(this.children, o.children, childPE, undefined, undefined, (a, b) => {
      const s = a.set.intersection(b.set);
      if (!s.empty()) children.push({ pe: a.pe, set: s });
    });
    return new FieldSet(members, children);
  }

  /** Leaf-wise difference: a parent minus a child stays, a child minus its parent stays too. */
  difference(o: FieldSet): FieldSet {
    const members: PathElement[] = [];
    walkBoth(this.members, o.members, self, (a) => members.push(a), undefined, undefined);
    const children: Child[] = [];
    walkBoth(this.children, o.children, childPE, (a) => children.push(a), undefined, (a, b) => {
      const s = a.set.difference(b.set);
      if (!s.empty()) children.push({ pe: a.pe, set: s });
    });
    return new FieldSet(members, children);
  }

  /** Removes every path of o and everything under the members of o. */
  recursiveDifference(o: FieldSet): FieldSet {
    const members: PathElement[] = [];
    walkBoth(this.members, o.members, self, (a) => members.push(a), undefined, undefined);
    const children: Child[] = [];
    walkBoth(this.children, o.children, childPE, (a) => {
      if (!o.hasMember(a.pe)) children.push(a);
    }, undefined, (a, b) => {
      if (o.hasMember(a.pe)) return;
      const s = a.set.recursiveDifference(b.set);
      if (!s.empty()) children.push({ pe: a.pe, set: s });
    });
    return new FieldSet(members, children);
  }

  /** Calls f with every member path, members before children at each level (Set.Iterate). */
  iterate(f: (path: Path) => void, prefix: PathElement[] = []): void {
    for (const m of this.members) {
      prefix.push(m);
      f(prefix);
      prefix.pop();
    }
    for (const c of this.children) {
      prefix.push(c.pe);
      c.set.iterate(f, prefix);
      prefix.pop();
    }
  }

  /** Every member path, copied. */
  paths(): PathElement[][] {
    const out: PathElement[][] = [];
    this.iterate((p) => out.push([...p]));
    return out;
  }

  equals(o: FieldSet): boolean {
    if (this.members.length !== o.members.length || this.children.length !== o.children.length) return false;
    for (let i = 0; i < this.members.length; i++) if (comparePE(this.members[i], o.members[i]) !== 0) return false;
    for (let i = 0; i < this.children.length; i++) {
      if (comparePE(this.children[i].pe, o.children[i].pe) !== 0 || !this.children[i].set.equals(o.children[i].set)) return false;
    }
    return true;
  }
}

/** Builds a set from paths (NewSet). */
export function setOf(...paths: Path[]): FieldSet {
  const s = new FieldSet();
  for (const p of paths) s.insert(p);
  return s;
}

function mergeSorted<T>(a: readonly T[], b: readonly T[], key: (t: T) => PathElement, both: (x: T, y: T) => T): T[] {
  const out: T[] = [];
  walkBoth(a, b, key, (x) => out.push(x), (y) => out.push(y), (x, y) => out.push(both(x, y)));
  return out;
}

/** Visits two sorted arrays in order, reporting items only in a, only in b, or in both. */
function walkBoth<T>(
  a: readonly T[], b: readonly T[], key: (t: T) => PathElement,
  onlyA: ((x: T) => void) | undefined, onlyB: ((y: T) => void) | undefined, both: ((x: T, y: T) => void) | undefined,
): void {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i];
    const y = b[j];
    const c = comparePE(key(x), key(y));
    if (c <= 0) i++;
    if (c >= 0) j++;
    if (c < 0) onlyA?.(x);
    else if (c > 0) onlyB?.(y);
    else both?.(x, y);
  }
  if (onlyA) while (i < a.length) onlyA(a[i++]);
  if (onlyB) while (j < b.length) onlyB(b[j++]);
}
