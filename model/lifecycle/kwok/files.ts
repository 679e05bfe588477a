// Stage files on disk. A directory with a kustomization.yaml is read through its `resources`
// (files and directories, as kustomize would include them), so `stage/fast` yields node/fast +
// node/heartbeat-with-lease + pod/fast like kwok's bundle; a directory without one contributes
// every *.yaml / *.yml / *.json in it except testdata, as kwok's stage test globs them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { fixturesDir } from '../../fixtures.js';
import { isPlainObject } from '../../object.js';
import { Status, badRequest } from '../../status.js';
import { loadStages } from './load.js';
import type { Stage, StageSource } from './types.js';

/** fixtures/kwok-stages/stage: the stage sets kemu ships (node/fast, node/heartbeat-with-lease, pod/fast, pod/general, fast). */
export function bundledStageDir(): string {
  return join(fixturesDir(), 'kwok-stages', 'stage');
}

function readDir(dir: string, out: StageSource[], root: string): Status | undefined {
  const kustomization = ['kustomization.yaml', 'kustomization.yml'].map((f) => join(dir, f)).find((f) => existsSync(f));
  if (kustomization) {
    const doc: unknown = parse(readFileSync(kustomization, 'utf8'));
    const resources = isPlainObject(doc) ? doc.resources : undefined;
    if (!Array.isArray(resources) || !resources.every((r) => typeof r === 'string')) return badRequest(`${relative(root, kustomization) || kustomization}: resources must be a list of paths`);
    for (const r of resources as string[]) {
      const err = readPath(join(dir, r), out, root);
      if (err) return err;
    }
    return undefined;
  }
  for (const name of readdirSync(dir).sort()) {
    if (/\.(ya?ml|json)$/.test(name) && statSync(join(dir, name)).isFile()) out.push({ name: relative(root, join(dir, name)) || name, text: readFileSync(join(dir, name), 'utf8') });
  }
  return undefined;
}

function readPath(path: string, out: StageSource[], root: string): Status | undefined {
  if (!existsSync(path)) return badRequest(`${path}: no such file or directory`);
  if (statSync(path).isDirectory()) return readDir(path, out, root);
  out.push({ name: relative(root, path) || path, text: readFileSync(path, 'utf8') });
  return undefined;
}

/** Reads Stage files and directories (see above) into sources for loadStages. */
export function readStageSources(paths: readonly string[]): StageSource[] | Status {
  const out: StageSource[] = [];
  for (const p of paths) {
    const err = readPath(p, out, baseDirOf(p));
    if (err) return err;
  }
  return out;
}

function baseDirOf(p: string): string {
  return existsSync(p) && statSync(p).isDirectory() ? p : join(p, '..');
}

/** Loads Stages from files and directories. */
export function loadStageFiles(paths: readonly string[]): Stage[] | Status {
  const sources = readStageSources(paths);
  return sources instanceof Status ? sources : loadStages(sources);
}

/** Loads shipped stage sets by name, e.g. `bundledStages('node/fast', 'pod/fast')` or `bundledStages('fast')`. */
export function bundledStages(...sets: string[]): Stage[] | Status {
  return loadStageFiles(sets.map((s) => join(bundledStageDir(), s)));
}
