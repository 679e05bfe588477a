// Watch fan-out: W watchers of one collection, held by `clients` child processes
// (watch-client.ts, so their parsing does not share this event loop), while this process creates
// E 1 KB ConfigMaps (`concurrency` at a time, or paced at `rate`/s). Each object carries its send
// time on the monotonic clock all processes of the machine share, so a watcher knows the lag from
// send to the moment it has cut the event out of the stream.
// Delivered/s = events received by all watchers / (last delivery - first create sent).
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { decodeFromCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { REPO_ROOT } from '../../test/helpers/child-server.js';
import { nowUs, percentile, sleep } from '../common.js';
import {
  type Ctx, cmPath, configMaps, createNamespace, deleteNamespaces, nsName, objName, perSecond, type Prepared, round2, type Row, type Workload,
} from './types.js';
import { type DoneMsg, EVENT_PREFIX, newHistogram, type ReadyMsg, STAMP, type StartMsg } from './watch-client.js';

export interface WatchParams {
  readonly name: string;
  readonly watchers: number;
  readonly events: number;
  /** Client processes holding the watchers. */
  readonly clients?: number;
  /** Creates in flight. */
  readonly concurrency?: number;
  /** Creates per second, 0 for as fast as the server answers. */
  readonly rate?: number;
  readonly timeoutSeconds?: number;
  readonly goalPerSec?: number;
}

function waitMessage<T extends { type: string }>(c: ChildProcess, type: T['type'], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`watch client sent no ${type} in ${timeoutMs} ms`)), timeoutMs);
    const onMsg = (m: unknown) => {
      if ((m as T).type !== type) return;
      clearTimeout(timer);
      c.off('message', onMsg);
      resolve(m as T);
    };
    c.on('message', onMsg);
    c.once('exit', (code) => { clearTimeout(timer); reject(new Error(`watch client exited (${code}) before ${type}`)); });
  });
}

const CLIENT = fileURLToPath(new URL('./watch-client.ts', import.meta.url));

export function watch(p: WatchParams): Workload {
  const clients = Math.max(1, Math.min(p.clients ?? 1, p.watchers));
  const concurrency = p.concurrency ?? 32;
  const rate = p.rate ?? 0;
  const timeoutS = p.timeoutSeconds ?? 240;
  return {
    name: p.name,
    title: `WATCH fan-out: ${p.watchers.toLocaleString('en-US')} watcher(s) of one collection, ${p.events.toLocaleString('en-US')} creates of 1 KB ConfigMaps`,
    async setup(ctx: Ctx) {
      const ep = ctx.target.main;
      const ns = nsName(ctx, p.name);
      await createNamespace(ctx, ep, ns);
      const kids: ChildProcess[] = [];
      const prepared: Prepared = {
        async run() {
          const http = ctx.target.http;
          const coll = cmPath(ns);
          const width = String(p.events).length;
          const maker = await configMaps(ctx, ep, ns, EVENT_PREFIX.length + width, { [STAMP]: '0'.repeat(16) });
          const listRV = (await http.json<{ metadata: { resourceVersion: string } }>(ep, 'GET', `${coll}?limit=1`)).metadata.resourceVersion;

          const deadlineUs = nowUs() + timeoutS * 1e6;
          const readies: Promise<ReadyMsg>[] = [];
          const dones: Promise<DoneMsg>[] = [];
          for (let c = 0; c < clients; c++) {
            const kid = fork(CLIENT, ['--watch-client'], { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
            kids.push(kid);
            const share = Math.floor(p.watchers / clients) + (c < p.watchers % clients ? 1 : 0);
            const ready = waitMessage<ReadyMsg>(kid, 'ready', 120_000);
            const done = waitMessage<DoneMsg>(kid, 'done', timeoutS * 1000 + 180_000);
            // Awaited later (the listeners must be there from the start): a client that dies
            // early fails the run there, not as an unhandled rejection before.
            ready.catch(() => undefined);
            done.catch(() => undefined);
            readies.push(ready);
            dones.push(done);
            kid.send({
              type: 'start', url: `${ep.origin}${ep.prefix}${coll}?watch=true&resourceVersion=${listRV}&timeoutSeconds=3600`,
              tls: ep.tls, headers: { ...ep.headers }, client: c, watchers: share, events: p.events, openConcurrency: 32, deadlineUs,
            } satisfies StartMsg);
          }
          const ready = await Promise.all(readies);
          const opened = ready.reduce((a, r) => a + r.opened, 0);
          if (opened !== p.watchers) throw new Error(`${p.watchers - opened} watches failed to open: ${ready.flatMap((r) => r.failed).slice(0, 3).join('; ')}`);
          const connectMs = Math.max(...ready.map((r) => r.openMs));
          await sleep(500);

          // The writer.
          const cpu0 = await ctx.target.cpuSeconds();
          const createMs: number[] = [];
          let failedCreates = 0;
          let next = 1;
          const firstSendUs = nowUs();
          await Promise.all(Array.from({ length: concurrency }, async () => {
            while (next <= p.events && failedCreates < 10 && nowUs() < deadlineUs) {
              const seq = next++;
              if (rate > 0) {
                const wait = firstSendUs + ((seq - 1) / rate) * 1e6 - nowUs();
                if (wait > 1000) await sleep(wait / 1000);
              }
              const sent = nowUs();
              const r = await http.call(ep, 'POST', coll, maker.body(objName(EVENT_PREFIX, seq, width), seq, undefined, { [STAMP]: String(sent).padStart(16, '0') }));
              createMs.push((nowUs() - sent) / 1000);
              if (r.status !== 201) failedCreates++;
            }
          }));
          const lastAckUs = nowUs();
          if (failedCreates) ctx.log(`${failedCreates} creates failed`);

          const done = await Promise.all(dones);
          const endUs = Math.max(...done.map((d) => d.lastDeliveryUs));
          const cpu1 = await ctx.target.cpuSeconds();

          const hist: Histogram = newHistogram();
          for (const d of done) hist.add(decodeFromCompressedBase64(d.histogram));
          const sum = (f: (d: DoneMsg) => number) => done.reduce((a, d) => a + f(d), 0);
          const delivered = sum((d) => d.delivered);
          const complete = sum((d) => d.complete);
          const hashes = new Set(done.flatMap((d) => Object.keys(d.hashes)));
          const badEvents = done.flatMap((d) => d.badEvents);
          if (badEvents.length) ctx.log(`unexpected events: ${badEvents.slice(0, 2).join(' | ')}`);
          const expected = p.watchers * p.events;
          const spanS = Math.max(1e-6, (endUs - firstSendUs) / 1e6);
          const errors = (expected - delivered) + sum((d) => d.orderErrors) + sum((d) => d.dupes) + badEvents.length
            + sum((d) => d.fullParseMismatch) + failedCreates + (hashes.size > 1 ? 1 : 0);
          const sortedCreate = [...createMs].sort((a, b) => a - b);
          const lag = (q: number) => round2(hist.getValueAtPercentile(q) / 1000);
          const perSec = delivered / spanS;
          const row: Row = {
            name: p.name, unit: 'events', requests: delivered, errors, reqPerSec: Math.round(perSec), p50Ms: lag(50), p99Ms: lag(99),
            extra: {
              watchers: p.watchers, events: p.events, clients, connectSeconds: round2(connectMs / 1000),
              writerCreatesPerSec: perSecond(p.events, (lastAckUs - firstSendUs) / 1e6),
              createP50Ms: round2(percentile(sortedCreate, 50)), createP99Ms: round2(percentile(sortedCreate, 99)),
              lagMaxMs: round2(hist.maxValue / 1000), spanSeconds: round2(spanS), completeWatchers: complete,
              allInOrderOnce: errors === 0, clientCpuSeconds: round2(sum((d) => d.cpuUserMs + d.cpuSystemMs) / 1000),
              serverCpuUsPerEvent: cpu0 !== null && cpu1 !== null && delivered ? round2(((cpu1 - cpu0) * 1e6) / delivered) : null,
            },
            ...(p.goalPerSec ? { goal: { text: `≥ ${p.goalPerSec.toLocaleString('en-US')} events/s`, met: perSec >= p.goalPerSec } } : {}),
          };
          return [row];
        },
        async cleanup() {
          for (const k of kids) if (k.exitCode === null && k.signalCode === null) k.kill('SIGKILL');
          await deleteNamespaces(ctx, [{ ep, ns }]);
        },
      };
      return prepared;
    },
  };
}
