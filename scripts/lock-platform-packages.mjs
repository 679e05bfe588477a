// npm leaves optional platform packages it cannot fetch out of package-lock.json, and `npm ci`
// then refuses the lock. The registry reachable here lacks msgpackr-extract's darwin, win32 and
// linux-arm builds (optional prebuilds of a dependency of lmdb), so after any `npm install`
// run `node scripts/lock-platform-packages.mjs` to list them; npm skips them on this platform.
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const parent = lock.packages['node_modules/msgpackr-extract'];
if (!parent) process.exit(0);
for (const [name, version] of Object.entries(parent.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  if (lock.packages[key]) continue;
  const [, os, cpu] = name.match(/-(darwin|linux|win32)-(\w+)$/) ?? [];
  lock.packages[key] = { version, cpu: [cpu], license: 'MIT', optional: true, os: [os] };
  console.log(`listed ${name}@${version} (${os}/${cpu})`);
}
const sorted = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0)));
lock.packages = sorted;
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
