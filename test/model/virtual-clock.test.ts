// The virtual clock: timer order and cancellation, time standing still while a hold is taken or
// I/O is in flight, the cost of an advance, and that pending timers alone keep no process alive.
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { VirtualClock } from '../../model/virtual-clock.js';

const START = Date.parse('2026-03-01T08:00:00Z');
const HOUR = 3_600_000;

// Virtual timers do not keep a process alive on their own (as realClock's do not), so a ref'd
// real timer keeps the test process up; each test gets a fresh clock, stopped even when it fails.
let clock = new VirtualClock(START);
let alive: NodeJS.Timeout | undefined;
test.before.each(() => {
  clock = new VirtualClock(START);
  alive = setInterval(() => undefined, 1 << 30);
});
test.after.each(() => {
  clock.stop();
  clearInterval(alive);
});

const sleep = (c: VirtualClock, ms: number): Promise<void> => new Promise((r) => c.setTimeout(r, ms));

test('timers fire in due order, ties in insertion order, at their due time', async () => {
  const seen: string[] = [];
  const at = (name: string) => () => seen.push(`${name}@${clock.now() - START}`);
  clock.setTimeout(at('c'), 300);
  clock.setTimeout(at('a'), 100);
  clock.setTimeout(at('b1'), 200);
  clock.setTimeout(at('b2'), 200);
  clock.setTimeout(at('z'), 0);
  await sleep(clock, 400);
  assert.equal(seen, ['z@0', 'a@100', 'b1@200', 'b2@200', 'c@300']);
  assert.is(clock.now() - START, 400);
});

test('a cleared timer never fires; clearing twice or after firing is harmless', async () => {
  const seen: number[] = [];
  const h = clock.setTimeout(() => seen.push(1), 50);
  clock.setTimeout(() => seen.push(2), 100);
  clock.clearTimeout(h);
  clock.clearTimeout(h);
  await sleep(clock, 200);
  clock.clearTimeout(h);
  assert.equal(seen, [2]);
  assert.is(clock.stats.pending, 0);
});

test('many cleared timers are compacted away and the rest still fire in order', async () => {
  const seen: number[] = [];
  const handles = Array.from({ length: 5000 }, (_, i) => clock.setTimeout(() => seen.push(i), 10 + i));
  for (const [i, h] of handles.entries()) if (i % 100 !== 0) clock.clearTimeout(h);
  await sleep(clock, 10_000);
  assert.equal(seen, Array.from({ length: 50 }, (_, k) => k * 100));
});

test('a timer set by a firing timer for 0 ms fires at the same time, after the batch', async () => {
  const seen: string[] = [];
  clock.setTimeout(() => {
    seen.push('a');
    clock.setTimeout(() => seen.push(`inner@${clock.now() - START}`), 0);
  }, 10);
  clock.setTimeout(() => seen.push('b'), 10);
  await sleep(clock, 20);
  assert.equal(seen, ['a', 'b', 'inner@10']);
});

test('time stands still while a hold is taken', async () => {
  let fired = false;
  clock.setTimeout(() => { fired = true; }, 1000);
  const release = clock.hold();
  await new Promise((r) => setTimeout(r, 30));
  assert.is(fired, false);
  assert.is(clock.now(), START);
  release();
  release();
  await sleep(clock, 1000);
  assert.is(fired, true);
});

test('time stands still while file I/O is in flight', async () => {
  const file = join(tmpdir(), `kemu-virtual-clock-${process.pid}`);
  // Big enough for many threadpool round trips, each far longer than the settle turns.
  await fs.writeFile(file, Buffer.alloc(64 << 20, 1));
  let firedAt: number | undefined;
  clock.setTimeout(() => { firedAt = clock.now(); }, 5000);
  try {
    const read = await fs.readFile(file);
    assert.is(read.length, 64 << 20);
    // The read completed first: the timer, set before it, had not fired meanwhile.
    assert.is(firedAt, undefined);
    assert.is(clock.now(), START);
  } finally {
    await fs.rm(file, { force: true });
  }
  await sleep(clock, 5000);
  assert.is(firedAt, START + 5000);
});

/** Runs fn against a loopback HTTP server that answers every request with `answer`, then closes it. */
async function withServer(answer: string, fn: (port: number) => Promise<void>): Promise<void> {
  const server: Server = createServer((req, res) => { req.resume(); req.on('end', () => res.end(answer)); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn((server.address() as AddressInfo).port);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

function post(port: number, agent: Agent | false, body: string, onData?: () => void): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', agent }, (res) => {
      let n = 0;
      res.on('data', (c: Buffer) => { n += c.length; onData?.(); });
      res.on('end', () => resolve(n));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('time stands still while a loopback HTTP exchange is in flight', async () => {
  const answer = 'x'.repeat(4 << 20);
  await withServer(answer, async (port) => {
    let timerFired = false;
    let sawTimerFired = false;
    clock.setTimeout(() => { timerFired = true; }, 1);
    assert.is(await post(port, false, 'hello', () => { sawTimerFired ||= timerFired; }), answer.length);
    assert.is(sawTimerFired, false);
    assert.is(clock.now(), START);
    await sleep(clock, 1);
    assert.is(timerFired, true);
  });
});

test('no time passes during loopback exchanges while other timers keep the clock advancing', async () => {
  await withServer('y'.repeat(64 << 10), async (port) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let ticking = true;
    const tick = (): void => { if (ticking) clock.setTimeout(tick, 1); };
    tick();
    const moved: number[] = [];
    try {
      for (let i = 0; i < 100; i++) {
        const before = clock.now();
        await post(port, agent, 'x'.repeat(i * 1000));
        if (clock.now() !== before) moved.push(i);
        // Real time passes between exchanges, and with it virtual time.
        await new Promise((r) => setTimeout(r, 1));
      }
    } finally {
      ticking = false;
      agent.destroy();
    }
    assert.equal(moved, []);
    assert.ok(clock.now() - START > 100, 'the clock advanced between exchanges');
  });
});

test('10,000 chained one-hour timers run in modeled hours and real milliseconds', async () => {
  const real = performance.now();
  for (let i = 0; i < 10_000; i++) await sleep(clock, HOUR);
  const realMs = performance.now() - real;
  assert.is(clock.now() - START, 10_000 * HOUR);
  assert.is(clock.stats.advances, 10_000);
  assert.ok(realMs < 30_000, `took ${realMs} ms`);
  process.stdout.write(`\n  10,000 advances in ${Math.round(realMs)} ms real (${Math.round((realMs * 1000) / 10_000)} µs each)\n`);
});

test('a timer that sets the next one from its callback runs one loop, not one per advance', async () => {
  const real = performance.now();
  let left = 10_000;
  await new Promise<void>((done) => {
    const next = (): void => { if (--left === 0) done(); else clock.setTimeout(next, HOUR); };
    clock.setTimeout(next, HOUR);
  });
  assert.is(clock.now() - START, 10_000 * HOUR);
  assert.ok(performance.now() - real < 30_000);
});

test('stop() ends advancing: pending timers never fire', async () => {
  let fired = false;
  clock.stop();
  clock.setTimeout(() => { fired = true; }, 10);
  await new Promise((r) => setTimeout(r, 20));
  assert.is(fired, false);
  assert.is(clock.stats.pending, 1);
});

test('pending virtual timers do not keep a process alive on their own', () => {
  const code = `import { VirtualClock } from ${JSON.stringify(new URL('../../model/virtual-clock.ts', import.meta.url).href)};
    const c = new VirtualClock(0);
    c.setTimeout(() => console.log('fired'), 3_600_000);
    console.log('set');`;
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 20_000 });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), 'set');
  assert.ok(performance.now() - started < 20_000);
});

test.run();
