// Shared by the CRD schema tests: CRD files, golden files, and 422 bodies as kube-apiserver
// prints them.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import * as assert from 'uvu/assert';
import { parseAllDocuments } from 'yaml';
import type { CustomResourceDefinition, JSONSchemaProps } from '../../../model/crd/schema-types.js';
import { fixturesDir, repoRoot } from '../../../model/fixtures.js';
import { invalid, type FieldError } from '../../../model/status.js';

export const GOLDEN = join(repoRoot(), 'test', 'golden', 'crd');
/** The upstream CRDs (see each folder's SOURCE.txt), outside the repo. */
export const SHARED_CRDS = join(repoRoot(), '..', 'shared', 'data', 'crds');
/** The repo's copy the emulator installs: the same files verbatim, plus converted ones. */
export const FIXTURE_CRDS = join(fixturesDir(), 'crds');

export function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return p.endsWith('.yaml') || p.endsWith('.yml') ? [p] : [];
  });
}

/** Every CustomResourceDefinition document in a YAML file. */
export function crdsIn(file: string): CustomResourceDefinition[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((d) => d.toJS() as CustomResourceDefinition | null)
    .filter((d): d is CustomResourceDefinition => d?.kind === 'CustomResourceDefinition');
}

/** The one CRD of a file under fixtures/crds, e.g. `hive/hive.openshift.io_syncsets.yaml`. */
export function fixtureCRD(path: string): CustomResourceDefinition {
  const [crd] = crdsIn(join(FIXTURE_CRDS, path));
  return crd;
}

/** A version's openAPIV3Schema. */
export function schemaOf(crd: CustomResourceDefinition, version?: string): JSONSchemaProps {
  const v = crd.spec?.versions?.find((x) => version === undefined || x.name === version);
  const s = v?.schema?.openAPIV3Schema;
  assert.ok(s, `${crd.metadata?.name} has no schema for ${version ?? 'its first version'}`);
  return s;
}

export function relativeToRepo(p: string): string {
  return relative(repoRoot(), p);
}

export interface Cause {
  readonly reason: string;
  readonly message: string;
  readonly field: string;
}

export interface StatusBody {
  readonly message: string;
  readonly causes: readonly Cause[];
}

/** The 422 body of `errs`. */
export function statusBody(kind: string, group: string, name: string, errs: readonly FieldError[]): StatusBody {
  const s = invalid(kind, group, name, errs);
  const causes = (s.details?.causes ?? []).map((c) => ({
    reason: c.reason,
    message: c.message,
    field: c.field ?? '',
  }));
  return { message: s.message, causes };
}

/** Golden files: JSON with `source` and `why`; UPDATE_GOLDEN=1 rewrites the `expected` part. */
export function goldenFiles(folder: string): string[] {
  const dir = join(GOLDEN, folder);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => join(dir, f)) : [];
}

export function readGolden<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

/** Compares `actual` with the golden's `expected`, or writes it there with UPDATE_GOLDEN=1. */
export function checkGolden(file: string, golden: { expected?: unknown }, actual: unknown): void {
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify({ ...golden, expected: actual }, null, 2)}\n`);
    return;
  }
  assert.equal(actual, golden.expected, `${relativeToRepo(file)} differs from its golden`);
}
