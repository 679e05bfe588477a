// How much memory do empty spoke clusters cost? Starts kemu in a child process with no spokes,
// reads its RSS, adds N clusters through the admin API, reads the RSS again.
//   npx tsx bench/idle-clusters.ts [--clusters 1000] [--concurrency 8] [--settle-ms 1000]
// Target: < 100 MB extra RSS for 1,000 empty spokes.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { spawnChildServer } from '../test/helpers/child-server.js';
import { memOf, resultHead, runMain, sleep, writeResult } from './common.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clusters: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '8' },
      'settle-ms': { type: 'string', default: '1000' },
    },
  });
  const n = Number(values.clusters);
  const concurrency = Math.max(1, Number(values.concurrency));
  const settleMs = Number(values['settle-ms']);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`--clusters must be 1..100000, got ${values.clusters}`);

  const dataDir = await mkdtemp(join(tmpdir(), 'kemu-bench-idle-'));
  const child = await spawnChildServer({ dataDir, spokes: 0, readyTimeoutMs: 60_000 });
  try {
    await sleep(settleMs);
    const before = await memOf(child.pid);

    const t0 = performance.now();
    let next = 0;
    const failures: string[] = [];
    const deadline = Date.now() + 10 * 60_000;
    const worker = async () => {
      while (next < n && Date.now() < deadline) {
        const name = `idle-${String(++next).padStart(5, '0')}`;
        const r = await child.req('POST', '/kemu/v1/clusters', { name });
        if (r.status !== 201) failures.push(`${name}: ${r.status} ${r.text.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const addMs = performance.now() - t0;
    if (failures.length) throw new Error(`${failures.length} adds failed, first: ${failures[0]}`);
    if (next < n) throw new Error(`only ${next} of ${n} clusters added before the deadline`);

    await sleep(settleMs);
    const after = await memOf(child.pid);

    const listed = (await child.req('GET', '/kemu/v1/clusters')).json<{ items: unknown[] }>().items.length;
    // The kubeconfig is rewritten after every add; give the last rewrite a moment to land.
    let contexts = 0;
    for (let i = 0; i < 20; i++) {
      const kc = parseYaml(await readFile(child.kubeconfig, 'utf8')) as { contexts?: unknown[] } | null;
      contexts = kc?.contexts?.length ?? 0;
      if (contexts === n + 1) break;
      await sleep(100);
    }
    const storeBytes = await stat(join(dataDir, 'store.mdb', 'data.mdb')).then((s) => s.size, () =>
      stat(join(dataDir, 'store.mdb')).then((s) => s.size, () => 0));

    const extraMB = (after.rssKB - before.rssKB) / 1024;
    const kbPerCluster = (after.rssKB - before.rssKB) / n;
    const row = (label: string, v: string) => `${label.padEnd(28)}${v}`;
    const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;
    console.log([
      row('clusters added', String(n)),
      row('RSS before', `${mb(before.rssKB)}  (anon ${mb(before.anonKB)}, file ${mb(before.fileKB)})`),
      row('RSS after', `${mb(after.rssKB)}  (anon ${mb(after.anonKB)}, file ${mb(after.fileKB)}, peak ${mb(after.hwmKB)})`),
      row('extra RSS', `${extraMB.toFixed(1)} MB  (anon ${mb(after.anonKB - before.anonKB)}, file ${mb(after.fileKB - before.fileKB)})`),
      row('per cluster', `${kbPerCluster.toFixed(1)} KB`),
      row('time to add', `${(addMs / 1000).toFixed(2)} s (${(n / (addMs / 1000)).toFixed(0)} clusters/s, concurrency ${concurrency})`),
      row('clusters listed', `${listed} (expected ${n + 1})`),
      row('kubeconfig contexts', `${contexts} (expected ${n + 1})`),
      row('store file', mb(storeBytes / 1024)),
      row('target', `< 100 MB extra for 1,000: ${extraMB * (1000 / n) < 100 ? 'met' : 'NOT met'}`),
    ].join('\n'));

    const result = {
      ...resultHead('idle-clusters'),
      params: { clusters: n, concurrency, settleMs },
      rssBeforeKB: before.rssKB, rssAfterKB: after.rssKB,
      anonBeforeKB: before.anonKB, anonAfterKB: after.anonKB,
      fileBeforeKB: before.fileKB, fileAfterKB: after.fileKB,
      peakRssKB: after.hwmKB,
      extraMB: Number(extraMB.toFixed(2)),
      kbPerCluster: Number(kbPerCluster.toFixed(2)),
      addSeconds: Number((addMs / 1000).toFixed(3)),
      clustersListed: listed, kubeconfigContexts: contexts, storeFileBytes: storeBytes,
      targetMet: extraMB * (1000 / n) < 100,
    };
    await writeResult(result);
  } finally {
    await child.stop('SIGTERM', 15_000);
    await rm(dataDir, { recursive: true, force: true });
  }
}

runMain(main);
