// Load faults: a thousand watchers that stop reading, and a burst far over the flow-control
// limits. Memory stays bounded (the watch frames are shared, a stalled watcher is cut off at its
// buffer bound and its connection closed after the drain grace), every request is answered or
// refused as a real server does, and nothing is left executing afterwards.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const CM = '/api/v1/namespaces/default/configmaps';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MiB = 1024 * 1024;

/** JS-held memory: the heap and the buffers (watch frames, socket write queues). */
const jsBytes = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

async function metricLines(t: TestServer, re: RegExp): Promise<string[]> {
  return (await t.req('GET', '/metrics')).text.split('\n').filter((l) => re.test(l));
}

test('1,000 watchers that stop reading are cut off at their buffer bound and dropped after the grace; memory stays bounded', async () => {
  const WATCHERS = 1_000;
  const EVENTS = 30;
  const EVENT_BYTES = 64 * 1024;
  const t = await startTestServer({ spokes: 0, controllers: 'namespace', watchMaxBufferedBytes: 256 * 1024, watchDrainGraceMs: 1_000 });
  try {
    const port = Number(new URL(t.server.url).port);
    const baseline = jsBytes();
    const sockets: TLSSocket[] = [];
    for (let i = 0; i < WATCHERS; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, WATCHERS - i) }, () => new Promise<void>((resolve, reject) => {
        const s = connect({ host: '127.0.0.1', port, ca: t.server.caCertPem }, () => {
          s.write(`GET ${CM}?watch=true&resourceVersion=0 HTTP/1.1\r\nHost: kemu\r\nAuthorization: Bearer ${t.server.adminToken}\r\n\r\n`);
          // Read the response head, then never again: the kernel's buffers fill, then kemu's.
          s.once('data', () => { s.pause(); resolve(); });
        });
        s.once('error', reject);
        sockets.push(s);
      })));
    }
    let peak = 0;
    for (let i = 0; i < EVENTS; i++) {
      const r = await t.req('POST', CM, { metadata: { name: `big-${i}` }, data: { x: 'x'.repeat(EVENT_BYTES) } });
      assert.is(r.status, 201, 'writes go on while the watchers stall');
      peak = Math.max(peak, jsBytes() - baseline);
    }
    const offered = WATCHERS * EVENTS * EVENT_BYTES;
    const deadline = Date.now() + 10_000;
    let watching: string[] = [];
    while (Date.now() < deadline) {
      watching = (await metricLines(t, /^apiserver_longrunning_requests\{/)).filter((l) => !l.endsWith(' 0'));
      if (watching.length === 0) break;
      await sleep(200);
    }
    assert.equal(watching, [], 'every stalled watch\'s connection is closed after the grace');
    const terminated = await metricLines(t, /^apiserver_terminated_watchers_total\{/);
    assert.equal(terminated, [`apiserver_terminated_watchers_total{resource="configmaps",cluster="hub"} ${WATCHERS}`]);
    assert.ok(peak < 200 * MiB, `JS memory grew by at most ${Math.round(peak / MiB)} MiB while ${Math.round(offered / MiB)} MiB of events were offered`);
    console.log(`  ${WATCHERS} stalled watchers, ${EVENTS} events of ${EVENT_BYTES / 1024} KiB (${Math.round(offered / MiB)} MiB offered): `
      + `all cut off, JS memory peak +${Math.round(peak / MiB)} MiB, RSS ${Math.round(process.memoryUsage().rss / MiB)} MiB (server and clients)`);
    for (const s of sockets) s.destroy();
    assert.is((await t.req('GET', '/readyz')).text, 'ok');
  } finally {
    await t.close();
  }
});

test('a burst far over the flow-control limits gets 200s and plain-text 429s, then nothing is left executing or queued', async () => {
  const dir = await tempDir('kemu-burst-');
  await writeFile(join(dir, 'tokens.csv'), 'burst-token,burster,2001\n');
  // 4 read seats in all (max-requests-inflight 2 plus mutating 2), shared by the priority levels.
  const t = await startTestServer({ dataDir: dir, spokes: 0, controllers: 'namespace', tokensFile: join(dir, 'tokens.csv'), maxRequestsInflight: 2, maxMutatingRequestsInflight: 2 });
  const agent = new Agent({ ca: t.server.caCertPem, keepAlive: true, maxSockets: 600 });
  try {
    const BURST = 2_000;
    const codes = new Map<number, number>();
    const one = () => new Promise<void>((resolve, reject) => {
      const r = request(new URL('/api/v1/configmaps', t.server.url), { agent, headers: { Authorization: 'Bearer burst-token' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (s: string) => { text += s; }).on('end', () => {
          const code = res.statusCode ?? 0;
          codes.set(code, (codes.get(code) ?? 0) + 1);
          if (code === 429) {
            if (text !== 'Too many requests, please try again later.\n' || !res.headers['retry-after']) reject(new Error(`429 as a real server writes it: ${JSON.stringify(text)} ${String(res.headers['retry-after'])}`));
          } else if (code !== 200) {
            reject(new Error(`${code} ${text.slice(0, 200)}`));
          }
          resolve();
        });
      });
      r.on('error', reject);
      r.end();
    });
    const started = Date.now();
    await Promise.all(Array.from({ length: BURST }, one));
    const ms = Date.now() - started;
    assert.ok((codes.get(429) ?? 0) > 0, 'some requests were refused');
    assert.ok((codes.get(200) ?? 0) > 0, 'some requests were served');
    const busy = (await metricLines(t, /^apiserver_flowcontrol_current_(executing|inqueue)_(requests|seats)\{/))
      .filter((l) => !l.includes('priority_level="exempt"') && !l.endsWith(' 0'));
    assert.equal(busy, [], 'nothing executing or queued after the burst');
    assert.is((await t.req('GET', '/readyz')).text, 'ok');
    console.log(`  burst of ${BURST} lists at 4 seats in ${ms} ms: ${codes.get(200) ?? 0} served, ${codes.get(429) ?? 0} refused with 429`);
  } finally {
    agent.destroy();
    await t.close();
  }
});

test.run();
