// The CLI's side of the admin API: reads the running kemu's URL, CA and admin token from its
// data dir and makes one request.
import { request } from 'node:https';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ADMIN_PREFIX } from './admin.js';

export interface AdminResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly message: string;
}

export async function adminRequest(dataDir: string, method: string, name: string, body?: unknown): Promise<AdminResponse> {
  let serving: { url: string };
  try {
    serving = JSON.parse(await readFile(join(dataDir, 'serving.json'), 'utf8')) as { url: string };
  } catch {
    return { statusCode: 503, body: undefined, message: `no running kemu found in ${dataDir} (serving.json missing)` };
  }
  const [ca, token] = await Promise.all([
    readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8'),
    readFile(join(dataDir, 'admin-token'), 'utf8'),
  ]);
  const url = new URL(`${ADMIN_PREFIX}${name ? `/${encodeURIComponent(name)}` : ''}`, serving.url);
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve) => {
    const req = request(url, {
      method, ca,
      headers: { Authorization: `Bearer ${token.trim()}`, ...(payload ? { 'Content-Type': 'application/json' } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown = text;
        try { parsed = JSON.parse(text); } catch { /* not JSON: keep the text */ }
        const message = typeof parsed === 'object' && parsed !== null && 'message' in parsed ? String((parsed as { message: unknown }).message) : text;
        resolve({ statusCode: res.statusCode ?? 0, body: parsed, message });
      });
    });
    req.on('error', (e) => resolve({ statusCode: 503, body: undefined, message: `cannot reach kemu at ${serving.url}: ${e.message}` }));
    req.end(payload);
  });
}
