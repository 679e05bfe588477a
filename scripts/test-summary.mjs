// Reads uvu's output and prints the closing line CI reads: `N passed, N failed`.
// uvu prints "Total: T  Passed: P  Skipped: S" per run; failures are T - P - S.
// Exits non-zero when the test command failed or when no test ran at all.
import { readFileSync } from 'node:fs';

const [, , logPath, rcText] = process.argv;
// Strip ANSI colour codes before matching.
const text = readFileSync(logPath, 'utf8').replace(/\u001b\[[0-9;]*m/g, '');
let total = 0, passed = 0, skipped = 0;
for (const m of text.matchAll(/Total:\s+(\d+)\s+Passed:\s+(\d+)\s+Skipped:\s+(\d+)/g)) {
  total += Number(m[1]);
  passed += Number(m[2]);
  skipped += Number(m[3]);
}
const failed = total - passed - skipped;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
const rc = Number(rcText);
if (total === 0) {
  console.error('no tests ran');
  process.exit(1);
}
process.exit(rc !== 0 || failed > 0 ? 1 : 0);
