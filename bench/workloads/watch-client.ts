// A watch fan-out client (bench/workloads/watch.ts forks it): holds its share of the watchers
// of one collection, reads every event, and reports counts, order checks and the lag histogram.
//
// Each watcher cuts lines at '\n' and pulls type, resourceVersion, name and the send stamp out of
// the bytes with Buffer.indexOf (no JSON.parse per event, which would cost the client more CPU
// than the server spends); the first watcher of each client JSON.parses every event too and
// checks the cheap parse against it. Events of objects not named ev-<n> (a real cluster's
// kube-root-ca.crt) are skipped.
import { Agent, request } from 'node:https';
import { build, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { nowUs, sleep } from '../common.js';
import type { Tls } from '../target.js';

export const STAMP = 'kemu.bench/sent-us';
export const EVENT_PREFIX = 'ev-';

export const newHistogram = () => build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

export interface StartMsg {
  type: 'start';
  /** The watch URL, query included. */
  url: string;
  tls: Tls;
  headers: Record<string, string>;
  watchers: number; events: number; openConcurrency: number; deadlineUs: number; client: number;
}
export interface ReadyMsg { type: 'ready'; opened: number; failed: string[]; openMs: number }
export interface DoneMsg {
  type: 'done'; client: number; watchers: number; delivered: number; complete: number; ended: number;
  orderErrors: number; dupes: number; badEvents: string[]; fullParseChecked: number; fullParseMismatch: number;
  firstDeliveryUs: number; lastDeliveryUs: number; doneUs: number[]; hashes: Record<string, number>;
  histogram: string; cpuUserMs: number; cpuSystemMs: number;
}

const NEEDLE_RV = Buffer.from('"resourceVersion":"');
const NEEDLE_NAME = Buffer.from(`"name":"${EVENT_PREFIX}`);
const NEEDLE_STAMP = Buffer.from(`"${STAMP}":"`);
const ADDED_PREFIX = Buffer.from('{"type":"ADDED",');

function digitsAt(b: Buffer, at: number): number {
  let v = 0;
  for (let i = at; i < b.length; i++) {
    const c = b[i];
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
  }
  return v;
}

function fieldAt(b: Buffer, needle: Buffer, from: number, to: number): number {
  const i = b.indexOf(needle, from);
  return i < 0 || i >= to ? -1 : digitsAt(b, i + needle.length);
}

async function runClient(): Promise<void> {
  const start = await new Promise<StartMsg>((resolve) => process.once('message', (m) => resolve(m as StartMsg)));
  const E = start.events;
  const agent = new Agent({
    keepAlive: false, maxSockets: Infinity,
    ca: start.tls.ca, cert: start.tls.cert, key: start.tls.key, rejectUnauthorized: start.tls.rejectUnauthorized,
    ...(start.tls.servername ? { servername: start.tls.servername } : {}),
  });
  const hist = newHistogram();
  let delivered = 0, complete = 0, ended = 0, orderErrors = 0, dupes = 0, fullParseChecked = 0, fullParseMismatch = 0;
  let firstDeliveryUs = 0, lastDeliveryUs = 0;
  const badEvents: string[] = [];
  const doneUs: number[] = [];
  const hashes = new Map<number, number>();
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((r) => { finish = r; });

  const watch = (idx: number) => new Promise<void>((resolve, reject) => {
    const seen = new Uint8Array(E + 1);
    let count = 0, lastRv = 0, hash = 0x811c9dc5, finished = false;
    let rest: Buffer | undefined;
    const fullParse = idx === 0;
    const finishWatcher = () => {
      if (finished) return;
      finished = true;
      hashes.set(hash >>> 0, (hashes.get(hash >>> 0) ?? 0) + 1);
      if (count === E) { complete++; doneUs.push(lastDeliveryUs); }
      if (complete + ended === start.watchers) finish();
    };
    const req = request(start.url, { agent, headers: start.headers }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`watch ${idx}: HTTP ${res.statusCode}`)); res.resume(); return; }
      resolve();
      res.on('data', (chunk: Buffer) => {
        const b = rest ? Buffer.concat([rest, chunk]) : chunk;
        rest = undefined;
        let pos = 0;
        const t = nowUs();
        for (;;) {
          const nl = b.indexOf(10, pos);
          if (nl < 0) { if (pos < b.length) rest = b.subarray(pos); break; }
          const seq = fieldAt(b, NEEDLE_NAME, pos, nl);
          if (seq < 0) { pos = nl + 1; continue; } // not one of ours
          if (b.compare(ADDED_PREFIX, 0, ADDED_PREFIX.length, pos, pos + ADDED_PREFIX.length) !== 0) {
            if (badEvents.length < 5) badEvents.push(b.subarray(pos, Math.min(nl, pos + 300)).toString());
            pos = nl + 1;
            continue;
          }
          const rv = fieldAt(b, NEEDLE_RV, pos, nl);
          const sent = fieldAt(b, NEEDLE_STAMP, pos, nl);
          if (fullParse) {
            const ev = JSON.parse(b.subarray(pos, nl).toString('utf8')) as { type: string; object: { metadata: { name: string; resourceVersion: string; annotations: Record<string, string> } } };
            const m = ev.object.metadata;
            fullParseChecked++;
            if (ev.type !== 'ADDED' || Number(m.resourceVersion) !== rv || Number(m.name.slice(EVENT_PREFIX.length)) !== seq || Number(m.annotations[STAMP]) !== sent) fullParseMismatch++;
          }
          if (rv <= lastRv) orderErrors++;
          lastRv = rv;
          hash = Math.imul(hash ^ rv, 16777619);
          if (seq < 1 || seq > E || seen[seq]) dupes++;
          else seen[seq] = 1;
          count++;
          delivered++;
          if (sent > 0) hist.recordValue(Math.max(1, t - sent));
          pos = nl + 1;
        }
        if (!firstDeliveryUs) firstDeliveryUs = t;
        lastDeliveryUs = t;
        if (count >= E) finishWatcher();
      });
      res.on('end', () => { if (!finished) { ended++; finishWatcher(); } });
      res.on('error', () => { if (!finished) { ended++; finishWatcher(); } });
    });
    req.on('error', reject);
    req.end();
  });

  const t0 = performance.now();
  const failed: string[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: start.openConcurrency }, async () => {
    while (next < start.watchers) {
      const i = next++;
      await watch(i).catch((e: unknown) => { failed.push(String(e)); ended++; });
    }
  }));
  process.send?.({ type: 'ready', opened: start.watchers - failed.length, failed: failed.slice(0, 5), openMs: performance.now() - t0 } satisfies ReadyMsg);
  await Promise.race([allDone, sleep(Math.max(0, (start.deadlineUs - nowUs()) / 1000))]);
  const cpu = process.cpuUsage();
  const msg: DoneMsg = {
    type: 'done', client: start.client, watchers: start.watchers, delivered, complete, ended, orderErrors, dupes, badEvents,
    fullParseChecked, fullParseMismatch, firstDeliveryUs, lastDeliveryUs, doneUs,
    hashes: Object.fromEntries([...hashes].map(([h, n]) => [h.toString(16), n])),
    histogram: encodeIntoCompressedBase64(hist), cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000,
  };
  process.send?.(msg, () => process.exit(0));
}

// Only as a forked child: the orchestrator imports the types and constants above.
if (process.send && process.argv.includes('--watch-client')) void runClient();
