// Reads a watch stream line by line, as client-go's decoder does.
import { request } from 'node:https';
import type { TestServer } from './server.js';

export interface WatchEvent {
  type: string;
  object: { kind?: string; apiVersion?: string; metadata: { name?: string; resourceVersion?: string; annotations?: Record<string, string> }; [k: string]: unknown };
}

export interface OpenWatch {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly events: WatchEvent[];
  /** Resolves when `n` events have arrived, or rejects after `ms`. */
  waitFor(n: number, ms?: number): Promise<WatchEvent[]>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export function openWatch(ts: TestServer, path: string, headers: Record<string, string> = {}): Promise<OpenWatch> {
  return new Promise((resolve, reject) => {
    const events: WatchEvent[] = [];
    const waiters: Array<() => void> = [];
    let endResolve: () => void = () => undefined;
    const ended = new Promise<void>((r) => { endResolve = r; });
    const req = request(new URL(path, ts.server.url), {
      ca: ts.server.caCertPem, headers: { Authorization: `Bearer ${ts.server.adminToken}`, ...headers },
    }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line) as WatchEvent);
        }
        for (const w of [...waiters]) w();
      });
      res.on('end', () => endResolve());
      res.on('close', () => endResolve());
      resolve({
        status: res.statusCode ?? 0, headers: res.headers, events, ended,
        waitFor(n, ms = 5000) {
          return new Promise((ok, fail) => {
            const timer = setTimeout(() => fail(new Error(`timed out waiting for ${n} events, have ${events.length}: ${JSON.stringify(events.map((e) => e.type))}`)), ms);
            const check = () => {
              if (events.length >= n) {
                clearTimeout(timer);
                waiters.splice(waiters.indexOf(check), 1);
                ok(events.slice(0, n));
              }
            };
            waiters.push(check);
            check();
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', (e) => { if (!(e as NodeJS.ErrnoException).code?.includes('ECONNRESET')) reject(e); });
    req.end();
  });
}
