import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryWorkqueueMetrics } from '../../../model/workqueue/metrics-memory.js';
import { RateLimitingQueue, type GetResult } from '../../../model/workqueue/queue.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const flush = () => new Promise<void>((r) => setImmediate(r));

function queue(opts: { maxDepth?: number; metrics?: MemoryWorkqueueMetrics } = {}) {
  const clock = new ManualClock();
  return { clock, q: new RateLimitingQueue<string>({ name: 'q', clock, ...opts }) };
}

/** Tracks a get() so a test can see whether it has resolved yet. */
function pending(p: Promise<GetResult<string>>): { result: GetResult<string> | undefined } {
  const box: { result: GetResult<string> | undefined } = { result: undefined };
  void p.then((r) => { box.result = r; });
  return box;
}

async function item(q: RateLimitingQueue<string>): Promise<string | undefined> {
  return (await q.get()).item;
}

test('FIFO, and an item added twice before a worker takes it is queued once', async () => {
  const { q } = queue();
  assert.ok(q.add('a'));
  assert.ok(q.add('b'));
  assert.ok(q.add('a'));
  assert.is(q.len(), 2);
  assert.is(await item(q), 'a');
  assert.is(await item(q), 'b');
  assert.is(q.len(), 0);
});

test('get waits for an add', async () => {
  const { q } = queue();
  const g = pending(q.get());
  await flush();
  assert.is(g.result, undefined);
  q.add('x');
  await flush();
  assert.equal(g.result, { item: 'x', shutdown: false });
});

test('an item a worker holds is not handed to a second worker; re-added, it comes back after done', async () => {
  const { q } = queue();
  q.add('a');
  assert.is(await item(q), 'a');
  assert.ok(q.add('a'));
  assert.ok(q.add('a'));
  assert.is(q.len(), 0, 'dirty while processing, not ready');
  const second = pending(q.get());
  await flush();
  assert.is(second.result, undefined, 'a second worker must not get a while the first holds it');
  q.add('b');
  await flush();
  assert.equal(second.result, { item: 'b', shutdown: false });
  const third = pending(q.get());
  await flush();
  assert.is(third.result, undefined);
  q.done('a');
  await flush();
  assert.equal(third.result, { item: 'a', shutdown: false }, 'handed out once more after done');
  q.done('a');
  q.done('b');
  assert.is(q.len(), 0);
});

test('done without a re-add does not queue the item again; a stray done is ignored', async () => {
  const { q } = queue();
  q.add('a');
  await q.get();
  q.done('a');
  q.done('a');
  q.done('never-added');
  assert.is(q.len(), 0);
});

test('shutDown: waiting workers hear shutdown, adds are refused, queued items still drain out', async () => {
  const { q } = queue();
  const idle = pending(q.get());
  await flush();
  q.shutDown();
  await flush();
  assert.equal(idle.result, { item: undefined, shutdown: true });
  assert.ok(q.shuttingDown());
  assert.not.ok(q.add('late'));

  const { q: q2 } = queue();
  q2.add('a');
  q2.add('b');
  q2.shutDown();
  assert.is(await item(q2), 'a');
  assert.is(await item(q2), 'b');
  assert.equal(await q2.get(), { item: undefined, shutdown: true });
});

test('shutDownWithDrain waits for every held item; queued ones are still handed out', async () => {
  const { q } = queue();
  q.add('a');
  q.add('b');
  assert.is(await item(q), 'a');
  let drained = false;
  void q.shutDownWithDrain().then(() => { drained = true; });
  assert.not.ok(q.add('c'));
  assert.is(await item(q), 'b');
  q.done('a');
  await flush();
  assert.not.ok(drained, 'b is still held');
  q.done('b');
  await flush();
  assert.ok(drained);
  assert.equal(await q.get(), { item: undefined, shutdown: true });
});

test('shutDownWithDrain of an idle queue resolves at once; shutDown ends a drain in progress', async () => {
  const { q } = queue();
  await q.shutDownWithDrain();
  const { q: q2 } = queue();
  q2.add('a');
  await q2.get();
  let drained = false;
  void q2.shutDownWithDrain().then(() => { drained = true; });
  await flush();
  assert.not.ok(drained);
  q2.shutDown();
  await flush();
  assert.ok(drained);
});

test('maxDepth: adds beyond it are refused and counted; room comes back when a worker takes one', async () => {
  const metrics = new MemoryWorkqueueMetrics();
  const { q } = queue({ maxDepth: 2, metrics });
  assert.ok(q.add('a'));
  assert.ok(q.add('b'));
  assert.not.ok(q.add('c'));
  assert.ok(q.add('a'), 'a dedup is not a refusal');
  assert.is(await item(q), 'a');
  assert.ok(q.add('c'));
  assert.not.ok(q.add('a'), 'b and c fill it, so re-adding the held a is refused');
  assert.is(metrics.figures('q')?.refused, 2);
});

test('maxDepth counts delayed items too', () => {
  const metrics = new MemoryWorkqueueMetrics();
  const { q, clock } = queue({ maxDepth: 2, metrics });
  assert.ok(q.addAfter('x', 100));
  assert.ok(q.add('a'));
  assert.not.ok(q.add('b'));
  assert.not.ok(q.addAfter('y', 100));
  assert.ok(q.addAfter('x', 50), 'an item already delayed takes no more room');
  clock.advance(50);
  assert.is(q.len(), 2, 'a delayed item coming due is never refused');
  assert.is(metrics.figures('q')?.refused, 2);
  assert.throws(() => new RateLimitingQueue<string>({ name: 'bad', clock, maxDepth: 0 }), RangeError);
});

test.run();
