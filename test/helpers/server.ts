// Starts a kemu on 127.0.0.1 with an ephemeral port and a temp data dir, and talks to it.
import { request as httpsRequest } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type KemuServer, type ServerOptions } from '../../server/app.js';

export interface TestServer {
  readonly server: KemuServer;
  readonly dataDir: string;
  readonly kubeconfig: string;
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<TestResponse>;
  close(opts?: { keepData?: boolean }): Promise<void>;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

export async function tempDir(prefix = 'kemu-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function startTestServer(opts: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? await tempDir();
  const kubeconfig = join(dataDir, 'kubeconfig');
  // Warnings and errors only: the start line of every test's server would bury the test output.
  const server = await startServer({ port: 0, host: '127.0.0.1', spokes: 1, kubeconfigPath: kubeconfig, logLevel: 'warn', ...opts, dataDir });
  return {
    server, dataDir, kubeconfig,
    req: (method, path, body, headers) => httpRequest(server.url, server.caCertPem, server.adminToken, method, path, body, headers),
    async close(o) {
      await server.close();
      if (!o?.keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function httpRequest(base: string, ca: string, token: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<TestResponse> {
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const h: Record<string, string> = { ...headers };
  if (token !== undefined && !('Authorization' in h)) h.Authorization = `Bearer ${token}`;
  if (payload && !('Content-Type' in h)) h['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const r = httpsRequest(new URL(path, base), { method, ca, headers: h }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
    });
    r.on('error', reject);
    r.end(payload);
  });
}
