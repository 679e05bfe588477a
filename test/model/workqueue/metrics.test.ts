import { Registry } from 'prom-client';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryWorkqueueMetrics } from '../../../model/workqueue/metrics-memory.js';
import { PromWorkqueueMetrics, teeWorkqueueMetrics, WORKQUEUE_DURATION_BUCKETS } from '../../../model/workqueue/metrics.js';
import { RateLimitingQueue } from '../../../model/workqueue/queue.js';
import { ManualClock } from '../../helpers/manual-clock.js';

test('in-memory figures: depth, peak, adds, retries and durations in virtual time', async () => {
  const clock = new ManualClock();
  const metrics = new MemoryWorkqueueMetrics();
  const q = new RateLimitingQueue<string>({ name: 'pods', clock, metrics });
  q.add('a');
  q.add('b');
  q.add('c');
  q.add('a');
  clock.advance(250);
  await q.get();
  clock.advance(750);
  await q.get();
  let f = metrics.figures('pods');
  assert.is(f?.depth, 1);
  assert.is(f?.peakDepth, 3);
  assert.is(f?.adds, 3, 'a dedup is no add');
  assert.is(f?.queueSeconds.count, 2);
  assert.is(f?.queueSeconds.mean, 0.625);
  assert.is(f?.queueSeconds.max, 1);
  assert.ok(Math.abs((f?.queueSeconds.p50 ?? 0) - 0.25) < 0.25 * 0.01, `p50 ${f?.queueSeconds.p50}`);
  clock.advance(2000);
  assert.is(f?.unfinishedSeconds, 0.75, 'figures are a snapshot: a held 0.75 s, b just taken');
  f = metrics.figures('pods');
  assert.is(f?.unfinishedSeconds, 2.75 + 2, 'a held 2.75 s, b held 2 s');
  assert.is(f?.longestRunningSeconds, 2.75);
  q.done('a');
  q.addAfter('a', 10);
  q.addRateLimited('b');
  f = metrics.figures('pods');
  assert.is(f?.workSeconds.count, 1);
  assert.is(f?.workSeconds.mean, 2.75);
  assert.is(f?.retries, 2);
  assert.is(f?.longestRunningSeconds, 2);
  assert.is(metrics.figures('nope'), undefined);
  assert.equal(metrics.all().map((x) => x.name), ['pods']);
});

test('an item re-added while held counts as an add and as depth, as in client-go', async () => {
  const clock = new ManualClock();
  const metrics = new MemoryWorkqueueMetrics();
  const q = new RateLimitingQueue<string>({ name: 'q', clock, metrics });
  q.add('a');
  await q.get();
  q.add('a');
  assert.is(q.len(), 0);
  assert.is(metrics.figures('q')?.depth, 1);
  assert.is(metrics.figures('q')?.adds, 2);
  clock.advance(40);
  q.done('a');
  await q.get();
  assert.is(metrics.figures('q')?.depth, 0);
  assert.is(metrics.figures('q')?.queueSeconds.max, 0.04, 'waited from the re-add until the second get');
});

test('client-go bucket bounds: ExponentialBuckets(10e-9, 10, 10)', () => {
  assert.is(WORKQUEUE_DURATION_BUCKETS.length, 10);
  assert.is(WORKQUEUE_DURATION_BUCKETS[0], 1e-8);
  assert.is(WORKQUEUE_DURATION_BUCKETS[3], 9.999999999999999e-6);
  assert.is(WORKQUEUE_DURATION_BUCKETS[9], 10);
});

test('Prometheus: client-go names with the name label, durations from the injected clock', async () => {
  const clock = new ManualClock();
  const registry = new Registry();
  const memory = new MemoryWorkqueueMetrics();
  const q = new RateLimitingQueue<string>({ name: 'deployments', clock, metrics: teeWorkqueueMetrics(new PromWorkqueueMetrics(registry), memory), maxDepth: 2 });
  q.add('a');
  q.add('b');
  q.add('c');
  clock.advance(500);
  await q.get();
  q.addAfter('a', 100);
  clock.advance(3000);
  let text = await registry.metrics();
  /** The sample of metric with name="deployments" and the extra labels, from the exposition text. */
  const value = (metric: string, extra: Record<string, string> = {}): number | undefined => {
    for (const line of text.split('\n')) {
      const m = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
      if (!m || m[1] !== metric) continue;
      const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
      if (labels.name === 'deployments' && Object.entries(extra).every(([k, v]) => labels[k] === v)) return Number(m[3]);
    }
    return undefined;
  };
  assert.is(value('workqueue_depth'), 2);
  assert.is(value('workqueue_adds_total'), 3);
  assert.is(value('workqueue_retries_total'), 1);
  assert.is(value('kemu_workqueue_refused_adds_total'), 1);
  assert.is(value('workqueue_queue_duration_seconds_count'), 1);
  assert.is(value('workqueue_queue_duration_seconds_sum'), 0.5);
  assert.is(value('workqueue_queue_duration_seconds_bucket', { le: '0.1' }), 0);
  assert.is(value('workqueue_queue_duration_seconds_bucket', { le: '1' }), 1);
  assert.is(value('workqueue_unfinished_work_seconds'), 3);
  assert.is(value('workqueue_longest_running_processor_seconds'), 3);
  q.done('a');
  text = await registry.metrics();
  assert.is(value('workqueue_work_duration_seconds_sum'), 3);
  assert.is(value('workqueue_work_duration_seconds_count'), 1);
  assert.is(memory.figures('deployments')?.adds, 3, 'the tee feeds both providers');
});

test.run();
