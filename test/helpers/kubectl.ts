// Runs kubectl 1.32 (/usr/bin/kubectl) against a test kemu, with its own HOME, discovery cache
// and working directory (where tests put the YAML files they apply).
import * as assert from 'uvu/assert';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, type TestServer } from './server.js';

export const KUBECTL = '/usr/bin/kubectl';

export interface Run { readonly code: number; readonly stdout: string; readonly stderr: string }

export class Kubectl {
  private readonly children: ChildProcess[] = [];

  private constructor(private readonly ts: TestServer, readonly work: string) {}

  static async create(ts: TestServer): Promise<Kubectl> {
    const work = await tempDir('kemu-kubectl-');
    await mkdir(join(work, 'home'), { recursive: true });
    return new Kubectl(ts, work);
  }

  private args(ctx: string): string[] {
    return ['--kubeconfig', this.ts.kubeconfig, '--cache-dir', join(this.work, 'cache'), '--context', ctx];
  }

  private env(): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(this.work, 'home'), KUBECTL_INTERACTIVE_DELETE: 'false' };
  }

  run(ctx: string, ...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(KUBECTL, [...this.args(ctx), ...args], { cwd: this.work, env: this.env(), timeout: 20_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      });
    });
  }

  /** Runs kubectl and fails the test unless it exits 0; returns stdout. */
  async ok(ctx: string, ...args: string[]): Promise<string> {
    const r = await this.run(ctx, ...args);
    assert.is(r.code, 0, `kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** Runs kubectl, expects exit 1, and returns stderr. */
  async fails(ctx: string, ...args: string[]): Promise<string> {
    const r = await this.run(ctx, ...args);
    assert.is(r.code, 1, `kubectl ${args.join(' ')} should fail; exited ${r.code}, stdout ${r.stdout}`);
    return r.stderr;
  }

  /** A long-running kubectl (get -w) whose output is collected as it arrives. */
  spawn(ctx: string, ...args: string[]): { child: ChildProcess; out: () => string } {
    const child = spawn(KUBECTL, [...this.args(ctx), ...args], { cwd: this.work, env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    let out = '';
    child.stdout!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    child.stderr!.on('data', (c: Buffer) => { out += c.toString('utf8'); });
    return { child, out: () => out };
  }

  async close(): Promise<void> {
    for (const c of this.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await rm(this.work, { recursive: true, force: true });
  }
}
