// Runs `kemu serve` in a child process (so it can be SIGKILLed or measured on its own), waits for
// its ready line, and talks to it with the CA and admin token it left in its data dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { httpRequest, type TestResponse } from './server.js';

/** The repository root: test/helpers/ is two levels down. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildServerOptions {
  readonly dataDir: string;
  readonly kubeconfig?: string;
  readonly spokes?: number;
  readonly readyTimeoutMs?: number;
  readonly extraArgs?: readonly string[];
  /** `--host` (default 127.0.0.1); null leaves the flag out, so kemu binds its default. */
  readonly host?: string | null;
}

export interface ChildServer {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly url: string;
  readonly caCertPem: string;
  readonly token: string;
  readonly dataDir: string;
  readonly kubeconfig: string;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  /** Sends the signal and waits (bounded) for the process to exit. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly exited: boolean;
}

const READY_LINE = /kemu serving \d+ clusters at (https:\/\/\S+) kubeconfig=/;

export async function spawnChildServer(opts: ChildServerOptions): Promise<ChildServer> {
  const kubeconfig = opts.kubeconfig ?? join(opts.dataDir, 'kubeconfig');
  const args = [
    '--import', 'tsx', join(REPO_ROOT, 'bin', 'kemu.ts'), 'serve',
    ...(opts.host === null ? [] : ['--host', opts.host ?? '127.0.0.1']), '--port', '0', '--data-dir', opts.dataDir, '--kubeconfig', kubeconfig,
    '--spokes', String(opts.spokes ?? 0), ...(opts.extraArgs ?? []),
  ];
  const proc = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitWaiters: (() => void)[] = [];
  proc.stdout?.setEncoding('utf8').on('data', (s: string) => { out += s; });
  proc.stderr?.setEncoding('utf8').on('data', (s: string) => { out += s; });
  proc.on('exit', (code, signal) => {
    exitInfo = { code, signal };
    for (const w of exitWaiters.splice(0)) w();
  });
  const waitExit = (timeoutMs: number) => new Promise<boolean>((resolve) => {
    if (exitInfo) return resolve(true);
    const t = setTimeout(() => resolve(false), timeoutMs);
    exitWaiters.push(() => { clearTimeout(t); resolve(true); });
  });

  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  const url = await new Promise<string>((resolve, reject) => {
    const started = Date.now();
    const timer = setInterval(() => {
      const m = READY_LINE.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(m[1]);
      } else if (exitInfo) {
        clearInterval(timer);
        reject(new Error(`kemu exited before ready (${JSON.stringify(exitInfo)}):\n${out}`));
      } else if (Date.now() - started > readyTimeoutMs) {
        clearInterval(timer);
        proc.kill('SIGKILL');
        reject(new Error(`kemu not ready within ${readyTimeoutMs} ms:\n${out}`));
      }
    }, 20);
  });
  const [caCertPem, tokenText] = await Promise.all([
    readFile(join(opts.dataDir, 'pki', 'ca.crt'), 'utf8'),
    readFile(join(opts.dataDir, 'admin-token'), 'utf8'),
  ]);
  const token = tokenText.trim();
  return {
    proc, pid: proc.pid ?? 0, url, caCertPem, token, dataDir: opts.dataDir, kubeconfig,
    output: () => out,
    req: (method, path, body, headers) => httpRequest(url, caCertPem, token, method, path, body, headers),
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (!exitInfo) {
        proc.kill(signal);
        if (!(await waitExit(timeoutMs))) {
          proc.kill('SIGKILL');
          await waitExit(5_000);
        }
      }
      return exitInfo ?? { code: null, signal: null };
    },
    get exited() { return exitInfo !== undefined; },
  };
}
