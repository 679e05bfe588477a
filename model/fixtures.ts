// Locates the repo's fixtures/ folder. The same module runs from sources (tsx: <repo>/model/)
// and from compiled output (<repo>/dist/model/), so a fixed relative path would be wrong in one
// of them; the directory holding package.json is the repo root in both.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cachedRoot: string | undefined;

export function repoRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) break;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  cachedRoot = dir;
  return dir;
}

export function fixturesDir(): string {
  return join(repoRoot(), 'fixtures');
}
