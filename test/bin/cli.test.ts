import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { tempDir } from '../helpers/server.js';

const run = promisify(execFile);
const KEMU = ['--import', 'tsx', 'bin/kemu.ts'];

async function kemu(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...KEMU, ...args], { timeout: 20_000 });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

function waitForLine(child: ChildProcess, re: RegExp, ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${re} within ${ms} ms; got: ${out}`)), ms);
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = out.split('\n').find((l) => re.test(l));
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
  });
}

test('kemu --help and kemu serve --help describe the commands and flags', async () => {
  const top = await kemu('--help');
  assert.is(top.code, 0);
  for (const w of ['kemu serve', 'kemu clusters', 'kemu kubeconfig']) assert.ok(top.stdout.includes(w), w);
  const serve = await kemu('serve', '--help');
  for (const f of ['--host', '--port', '--data-dir', '--spokes', '--kubeconfig', '--tokens-file']) assert.ok(serve.stdout.includes(f), f);
  const bad = await kemu('frobnicate');
  assert.is(bad.code, 2);
});

test('serve prints one ready line, clusters and kubeconfig commands talk to it, SIGTERM stops it', async () => {
  const dir = await tempDir('kemu-cli-');
  const dataDir = join(dir, 'data');
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(process.execPath, [...KEMU, 'serve', '--port', '0', '--data-dir', dataDir, '--kubeconfig', kubeconfig, '--spokes', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const line = await waitForLine(child, /^kemu serving/, 20_000);
    assert.match(line, /^kemu serving 3 clusters at https:\/\/127\.0\.0\.1:\d+ kubeconfig=.*kubeconfig$/);
    const written = parseYaml(await (await import('node:fs/promises')).readFile(kubeconfig, 'utf8')) as { contexts: { name: string }[]; 'current-context': string };
    assert.equal(written.contexts.map((c) => c.name), ['hub', 'spoke-1', 'spoke-2']);
    assert.is(written['current-context'], 'hub');

    const added = await kemu('clusters', 'add', 'spoke-9', '--data-dir', dataDir);
    assert.is(added.code, 0, added.stderr);
    const list = await kemu('clusters', 'list', '--data-dir', dataDir);
    assert.equal(list.stdout.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[0]), ['hub', 'spoke-1', 'spoke-2', 'spoke-9']);
    const one = await kemu('kubeconfig', '--cluster', 'spoke-9', '--data-dir', dataDir);
    const kc = parseYaml(one.stdout) as { clusters: { cluster: { server: string } }[]; 'current-context': string };
    assert.is(kc['current-context'], 'spoke-9');
    assert.match(kc.clusters[0].cluster.server, /\/clusters\/spoke-9$/);
    const removed = await kemu('clusters', 'remove', 'spoke-9', '--data-dir', dataDir);
    assert.is(removed.code, 0);
    const missing = await kemu('kubeconfig', '--cluster', 'spoke-9', '--data-dir', dataDir);
    assert.is(missing.code, 1);
    assert.match(missing.stderr, /not found/);

    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.is(await exited, 0);
  } finally {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
