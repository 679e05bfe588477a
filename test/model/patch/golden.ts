// Reads the strategic merge patch goldens in test/golden/patch/strategic: one file per group of
// cases, each case with its upstream source and why.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../model/fixtures.js';
import { builtinSchema } from '../../../model/schema/builtin.js';
import type { Schema } from '../../../model/schema/schema.js';

export type Obj = Record<string, unknown>;

export interface TypeRef {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface GoldenCase {
  readonly name: string;
  readonly source: string;
  readonly why: string;
  readonly type?: TypeRef;
}

export interface GoldenFile<C extends GoldenCase> {
  readonly file: string;
  readonly type: TypeRef;
  readonly cases: readonly C[];
}

export const GOLDEN_DIR = join(repoRoot(), 'test', 'golden', 'patch', 'strategic');

export function goldenFiles(): string[] {
  return readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.json')).sort();
}

export function readGolden<C extends GoldenCase>(file: string): GoldenFile<C> {
  const g = JSON.parse(readFileSync(join(GOLDEN_DIR, file), 'utf8')) as Omit<GoldenFile<C>, 'file'>;
  return { file, ...g };
}

export function schemaFor(t: TypeRef): Schema {
  const s = builtinSchema(t.group, t.version, t.kind);
  if (!s) throw new Error(`no built-in schema for ${t.group}/${t.version} ${t.kind}`);
  return s;
}
