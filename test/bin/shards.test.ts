// `kemu serve --shards 3` on loopback: an even split of the spokes, a kubeconfig whose contexts reach
// the owning shard, a scenario run across the shards, a clean stop; and the StatefulSet in deploy/
// passes a server-side dry run against kemu itself.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCommand } from '../../scenarios/engine/main.js';
import { shardSlice } from '../../bin/shards.js';
import { REPO_ROOT, spawnChildServer } from '../helpers/child-server.js';
import { Kubectl } from '../helpers/kubectl.js';
import { httpRequest, startTestServer, tempDir } from '../helpers/server.js';

const SCENARIO = `name: across-shards
description: two ConfigMaps in each of six spokes spread over three shards
steps:
  - name: configmaps
    phases:
      - name: configmaps
        action: create
        count: 12
        workers: 4
        cluster: "spoke-{{i % 6 + 1}}"
        namespace: default
        template:
          apiVersion: v1
          kind: ConfigMap
          metadata: { name: "across-{{i}}" }
`;

interface Kubeconfig { clusters: { name: string; cluster: { server: string } }[]; contexts: { name: string }[] }

test('shardSlice splits the spokes evenly into contiguous ranges', () => {
  assert.equal([0, 1, 2].map((k) => shardSlice(k, 3, 3000)), [{ offset: 0, count: 1000 }, { offset: 1000, count: 1000 }, { offset: 2000, count: 1000 }]);
  assert.equal([0, 1, 2].map((k) => shardSlice(k, 3, 7).count), [2, 2, 3]);
  assert.equal(shardSlice(0, 1, 5), { offset: 0, count: 5 });
});

test('serve --shards 3: spokes spread evenly, contexts reach their shard, a scenario runs across shards', async () => {
  const dir = await tempDir('kemu-shards-');
  const dataDir = join(dir, 'data');
  const kemu = await spawnChildServer({ dataDir, kubeconfig: join(dir, 'kubeconfig'), spokes: 6, extraArgs: ['--shards', '3', '--log-level', 'warn'] });
  try {
    const shardLines = [...kemu.output().matchAll(/shard (\d) at (https:\/\/\S+) pid=(\d+)/g)];
    assert.is(shardLines.length, 3, kemu.output());
    const shardUrls = shardLines.map((m) => m[2]);
    const pids = shardLines.map((m) => Number(m[3]));
    assert.is(shardUrls[0], kemu.url);
    assert.is(new Set(shardUrls).size, 3);

    const kc = parse(await readFile(kemu.kubeconfig, 'utf8')) as Kubeconfig;
    assert.equal(kc.contexts.map((c) => c.name), ['hub', 'spoke-1', 'spoke-2', 'spoke-3', 'spoke-4', 'spoke-5', 'spoke-6']);
    const server = new Map(kc.clusters.map((c) => [c.name, c.cluster.server]));
    assert.is(server.get('hub'), shardUrls[0]);
    for (let i = 1; i <= 6; i++) assert.is(server.get(`spoke-${i}`), `${shardUrls[Math.floor((i - 1) / 2)]}/clusters/spoke-${i}`);

    // Each shard serves the hub it needs for itself and only its own spokes.
    const get = (base: string, path: string) => httpRequest(base, kemu.caCertPem, kemu.token, 'GET', path);
    for (const [k, url] of shardUrls.entries()) {
      const names = (await get(url, '/kemu/v1/clusters')).json<{ items: { name: string }[] }>().items.map((c) => c.name);
      assert.equal(names, ['hub', `spoke-${2 * k + 1}`, `spoke-${2 * k + 2}`]);
    }

    // Created through the spoke-5 context, found there, and unknown to another shard.
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'on-shard-2' } };
    const created = await httpRequest(server.get('spoke-5')!, kemu.caCertPem, kemu.token, 'POST', `${new URL(server.get('spoke-5')!).pathname}/api/v1/namespaces/default/configmaps`, cm);
    assert.is(created.status, 201, created.text);
    assert.is((await get(shardUrls[2], '/clusters/spoke-5/api/v1/namespaces/default/configmaps/on-shard-2')).status, 200);
    assert.is((await get(shardUrls[0], '/clusters/spoke-5/api/v1/namespaces/default/configmaps/on-shard-2')).status, 404);

    await writeFile(join(dir, 'across.yaml'), SCENARIO);
    const { report } = await runCommand({ scenario: join(dir, 'across.yaml'), scale: 1, sets: {}, out: join(dir, 'report'), progress: false, kubeconfig: kemu.kubeconfig });
    const phase = report.steps.flatMap((s) => s.phases).find((p) => p.name === 'configmaps');
    assert.is(phase?.succeeded, 12);
    for (const [k, url] of shardUrls.entries()) {
      let made = 0;
      for (const spoke of [2 * k + 1, 2 * k + 2]) {
        const list = (await get(url, `/clusters/spoke-${spoke}/api/v1/namespaces/default/configmaps`)).json<{ items: { metadata: { name: string } }[] }>();
        made += list.items.filter((i) => i.metadata.name.startsWith('across-')).length;
      }
      assert.is(made, 4, `shard ${k}`);
    }

    const stopped = await kemu.stop('SIGTERM');
    assert.equal(stopped, { code: 0, signal: null }, kemu.output());
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `shard pid ${pid} still running`);
  } finally {
    await kemu.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

test('a shard that dies takes the others and the parent down, non-zero', async () => {
  const dir = await tempDir('kemu-shards-');
  const kemu = await spawnChildServer({ dataDir: join(dir, 'data'), spokes: 2, extraArgs: ['--shards', '2', '--log-level', 'warn'] });
  try {
    const pids = [...kemu.output().matchAll(/shard \d at \S+ pid=(\d+)/g)].map((m) => Number(m[1]));
    assert.is(pids.length, 2, kemu.output());
    process.kill(pids[1], 'SIGKILL');
    // SIGCONT changes nothing: stop() only waits for the exit the dead shard causes.
    const exit = await kemu.stop('SIGCONT');
    assert.is(exit.code, 1, kemu.output());
    assert.match(kemu.output(), /shard 1 exited \(1\); stopping the others/);
    assert.throws(() => process.kill(pids[0], 0), /ESRCH/);
  } finally {
    await kemu.stop('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

test('the StatefulSet and headless Service in deploy/ pass kubectl apply --dry-run=server against kemu', async () => {
  const ts = await startTestServer({ spokes: 0 });
  const kubectl = await Kubectl.create(ts);
  try {
    const out = await kubectl.ok('hub', 'apply', '--dry-run=server', '-f', join(REPO_ROOT, 'deploy', 'kemu-statefulset.yaml'));
    assert.match(out, /service\/kemu created \(server dry run\)/);
    assert.match(out, /statefulset.apps\/kemu created \(server dry run\)/);
  } finally {
    await kubectl.close();
    await ts.close();
  }
});

test.run();
