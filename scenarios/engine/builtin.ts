// The built-in scenarios (scenarios/builtin/*.yaml) and how a scenario argument is found.
import { readdir, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { repoRoot } from '../../model/fixtures.js';
import { ScenarioError } from './spec.js';

export function builtinDir(): string {
  return join(repoRoot(), 'scenarios', 'builtin');
}

/** A built-in scenario's name, or a path to a scenario file. */
export function resolveScenario(nameOrPath: string): string {
  const builtin = join(builtinDir(), `${nameOrPath}.yaml`);
  if (!nameOrPath.includes('/') && existsSync(builtin)) return builtin;
  if (existsSync(nameOrPath)) return resolve(nameOrPath);
  throw new ScenarioError(`no scenario "${nameOrPath}": not a file, and not a built-in one (kemu scenarios lists them)`);
}

export async function listScenarios(): Promise<Array<{ name: string; description: string }>> {
  const files = (await readdir(builtinDir())).filter((f) => f.endsWith('.yaml')).sort();
  return Promise.all(files.map(async (f) => {
    const doc = parseYaml(await readFile(join(builtinDir(), f), 'utf8')) as { name?: string; description?: string };
    return { name: doc.name ?? f.replace(/\.yaml$/, ''), description: (doc.description ?? '').replace(/\s+/g, ' ').trim() };
  }));
}
