import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bootstrapConfiguration } from '../../../model/flowcontrol/bootstrap.js';
import { FlowController } from '../../../model/flowcontrol/controller.js';
import type { Admitted, ListOptionsDigest } from '../../../model/flowcontrol/types.js';
import { estimateWork, type WorkEstimatorHooks } from '../../../model/flowcontrol/work-estimate.js';
import { resourceRequest, user, VirtualClock } from './helpers.js';

const alice = user('alice');
const counts: WorkEstimatorHooks = {
  estimateObjectCount: (_cluster, group, resource) => (group === '' && resource === 'pods' ? 1234 : group === '' && resource === 'configmaps' ? 40 : undefined),
};

function listSeats(listOptions: ListOptionsDigest, options: { name?: string; resource?: string; levelMaxSeats?: number } = {}): number {
  const rd = resourceRequest(alice, 'list', options.resource ?? 'pods', { listOptions, name: options.name ?? '' });
  return estimateWork(rd, options.levelMaxSeats ?? 0, counts).initialSeats;
}

test('a LIST from the watch cache takes a seat per 100 stored objects, up to the level\'s max seats', () => {
  assert.is(listSeats({}, { levelMaxSeats: 20 }), 10); // ceil(1234 / 100) = 13, but never above 10
  assert.is(listSeats({}, { levelMaxSeats: 8 }), 8);
  assert.is(listSeats({}, { resource: 'configmaps' }), 1);
  assert.is(listSeats({ limit: 500, resourceVersion: '0' }, { levelMaxSeats: 20 }), 10);
});

test('a LIST from etcd counts the objects it reads: twice the limit, or all plus the limit with a selector', () => {
  // limit 30 without resourceVersion "0" goes to etcd: 2 * 30 = 60 objects, one seat.
  assert.is(listSeats({ limit: 30 }), 1);
  assert.is(listSeats({ limit: 300 }), 6);
  assert.is(listSeats({ limit: 300, hasSelector: true }), 10);
  assert.is(listSeats({ continue: 'token', limit: 100 }), 2);
  assert.is(listSeats({ resourceVersion: '5', resourceVersionMatch: 'Exact', limit: 100 }), 2);
});

test('a LIST by name, of an unknown resource, or a plain WATCH takes one seat', () => {
  assert.is(listSeats({}, { name: 'p1' }), 1);
  assert.is(listSeats({}, { resource: 'widgets' }), 1);
  assert.is(estimateWork(resourceRequest(alice, 'watch', 'pods'), 0, counts).initialSeats, 1);
  // A WATCH streaming its initial events costs what the list would.
  assert.is(estimateWork(resourceRequest(alice, 'watch', 'pods', { listOptions: { sendInitialEvents: true } }), 0, counts).initialSeats, 10);
});

test('a mutation watched by many keeps final seats for the event fan-out', () => {
  const watchers = (n: number): WorkEstimatorHooks => ({ estimateWatchCount: () => n });
  const create = resourceRequest(alice, 'create', 'pods');
  assert.equal(estimateWork(create, 0, watchers(9)), { initialSeats: 1, finalSeats: 0, additionalLatencyMs: 0 });
  // 250 watchers: 25 seats for 5 ms, reshaped to 10 seats for 12.5 ms.
  assert.equal(estimateWork(create, 0, watchers(250)), { initialSeats: 1, finalSeats: 10, additionalLatencyMs: 12.5 });
  assert.equal(estimateWork(create, 0, watchers(30)), { initialSeats: 1, finalSeats: 3, additionalLatencyMs: 5 });
  const token = resourceRequest(alice, 'create', 'serviceaccounts', { subresource: 'token' });
  assert.is(estimateWork(token, 0, watchers(250)).finalSeats, 0);
});

test('a wide LIST occupies its seats in its priority level while it runs', () => {
  const clock = new VirtualClock();
  const fc = new FlowController({ clock, ...counts });
  const { flowSchemas, priorityLevels } = bootstrapConfiguration();
  fc.setConfiguration(flowSchemas, priorityLevels);
  // global-default: nominal 49 seats, max seats min(ceil(0.15 * 49), 49 / 6) = 8.
  const list = fc.begin(resourceRequest(alice, 'list', 'pods')) as Admitted;
  const get = fc.begin(resourceRequest(alice, 'get', 'pods')) as Admitted;
  const level = [...fc.priorityLevels()].find((l) => l.name === 'global-default');
  const flow = [...fc.flowStats()].find((s) => s.flowSchema === 'global-default');
  assert.equal([level?.queues.seatsInUse, level?.queues.executing, flow?.executingSeats], [9, 2, 9]);
  list.finish();
  get.finish();
  assert.equal([level?.queues.seatsInUse, flow?.executingSeats], [0, 0]);
});

test('final seats stay taken for the additional latency after the request finishes', async () => {
  const clock = new VirtualClock();
  const fc = new FlowController({ clock, estimateWatchCount: () => 250 });
  const { flowSchemas, priorityLevels } = bootstrapConfiguration();
  fc.setConfiguration(flowSchemas, priorityLevels);
  const create = fc.begin(resourceRequest(alice, 'create', 'configmaps')) as Admitted;
  const level = [...fc.priorityLevels()].find((l) => l.name === 'global-default');
  // max(initial 1, final min(25, 8)) = 8 seats.
  assert.equal([level?.queues.seatsInUse, level?.queues.executing], [8, 1]);
  create.finish();
  assert.equal([level?.queues.seatsInUse, level?.queues.executing], [8, 0]);
  // 25 seats * 5 ms reshaped onto 8 seats: 15.625 ms.
  await clock.advance(15);
  assert.is(level?.queues.seatsInUse, 8);
  await clock.advance(1);
  assert.is(level?.queues.seatsInUse, 0);
});

test.run();
