import { Registry } from 'prom-client';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bootstrapConfiguration } from '../../../model/flowcontrol/bootstrap.js';
import { FlowController } from '../../../model/flowcontrol/controller.js';
import { dumpPriorityLevels, dumpQueues, seatSeconds } from '../../../model/flowcontrol/debug.js';
import { MaxInFlightLimiter } from '../../../model/flowcontrol/max-in-flight.js';
import { FlowControlMetrics } from '../../../model/flowcontrol/metrics.js';
import type { Admission, Admitted } from '../../../model/flowcontrol/types.js';
import { level, resourceRequest, schemaForUsers, user, VirtualClock } from './helpers.js';

const frank = user('frank');
const get = resourceRequest(frank, 'get', 'pods');

test('seat-seconds print as upstream\'s SeatSeconds.String', () => {
  assert.is(seatSeconds(0), '0.00000000ss');
  assert.is(seatSeconds(0.003), '0.00300000ss');
  assert.is(seatSeconds(1234.5), '1234.50000000ss');
});

test('dump_queues and dump_priority_levels while one request runs and one waits', async () => {
  const clock = new VirtualClock();
  const fc = new FlowController({ clock, serverConcurrencyLimit: 1 });
  fc.setConfiguration([schemaForUsers('mine', 'mine', 100, ['frank'])], [level('mine', 95, { queues: 2, handSize: 1, queueLengthLimit: 5 })]);
  const running = fc.begin(get) as Admitted;
  const waiting = fc.begin(get) as Promise<Admission>;
  const mine = [...fc.priorityLevels()].find((l) => l.name === 'mine');
  const used = mine?.queues.queueRows().findIndex((q) => q !== undefined);
  const rows = used === 0
    ? ['mine,              0,      1,               1,                 1,          0.00300000ss,  1,               1,           0.00300000ss',
      'mine,              1,      0,               0,                 0,          0.00000000ss,  0,               0,           0.00000000ss']
    : ['mine,              0,      0,               0,                 0,          0.00000000ss,  0,               0,           0.00000000ss',
      'mine,              1,      1,               1,                 1,          0.00300000ss,  1,               1,           0.00300000ss'];
  assert.fixture(dumpQueues(fc.priorityLevels()), [
    'PriorityLevelName, Index,  PendingRequests, ExecutingRequests, SeatsInUse, NextDispatchR, InitialSeatsSum, MaxSeatsSum, TotalWorkSum',
    ...rows, '',
  ].join('\n'));
  assert.ok(dumpPriorityLevels(fc.priorityLevels()).includes(
    'mine,              1,            false,  false,       1,               1,                 1,                  0,                0,                0\n'));

  // Finishing after 1 s charges the queue the real 1 s instead of G = 3 ms (0.003 + 0.997); the
  // waiting request is dispatched (+0.003) and, finishing at once, gets its G back (-0.003).
  await clock.advance(1000);
  running.finish();
  (await waiting as Admitted).finish();
  assert.ok(dumpQueues(fc.priorityLevels()).includes(`mine,              ${used},      0,               0,                 0,          1.00000000ss,`));
});

test('metrics carry kube-apiserver names and labels plus cluster', async () => {
  const clock = new VirtualClock();
  const registry = new Registry();
  const metrics = new FlowControlMetrics(registry, clock);
  const fc = new FlowController({ clock, serverConcurrencyLimit: 1, observer: metrics.observer('c1') });
  metrics.attach('c1', fc);
  metrics.attach('c2', new MaxInFlightLimiter({ clock }));
  fc.setConfiguration([schemaForUsers('mine', 'mine', 100, ['frank'])], [level('mine', 95, { queues: 1, handSize: 1, queueLengthLimit: 1 })]);
  const running = fc.begin(get) as Admitted;
  const waiting = fc.begin(get) as Promise<Admission>;
  fc.begin(get);
  await clock.advance(250);
  running.finish();
  const second = await waiting as Admitted;

  const text = await registry.metrics();
  const line = (prefix: string): string | undefined => text.split('\n').find((l) => l.startsWith(prefix));
  assert.is(line('apiserver_flowcontrol_rejected_requests_total{'), 'apiserver_flowcontrol_rejected_requests_total{priority_level="mine",flow_schema="mine",reason="queue-full",cluster="c1"} 1');
  assert.is(line('apiserver_flowcontrol_dispatched_requests_total{'), 'apiserver_flowcontrol_dispatched_requests_total{priority_level="mine",flow_schema="mine",cluster="c1"} 2');
  assert.is(line('apiserver_flowcontrol_current_executing_requests{priority_level="mine"'), 'apiserver_flowcontrol_current_executing_requests{priority_level="mine",flow_schema="mine",cluster="c1"} 1');
  assert.is(line('apiserver_flowcontrol_current_inqueue_requests{priority_level="mine"'), 'apiserver_flowcontrol_current_inqueue_requests{priority_level="mine",flow_schema="mine",cluster="c1"} 0');
  assert.is(line('apiserver_flowcontrol_nominal_limit_seats{priority_level="mine"'), 'apiserver_flowcontrol_nominal_limit_seats{priority_level="mine",cluster="c1"} 1');
  // The second request waited 250 ms and was executed; the rejected one waited 0 and was not.
  assert.is(line('apiserver_flowcontrol_request_wait_duration_seconds_bucket{le="0.2",priority_level="mine",flow_schema="mine",execute="true"'),
    'apiserver_flowcontrol_request_wait_duration_seconds_bucket{le="0.2",priority_level="mine",flow_schema="mine",execute="true",cluster="c1"} 1');
  assert.is(line('apiserver_flowcontrol_request_wait_duration_seconds_count{priority_level="mine",flow_schema="mine",execute="false"'),
    'apiserver_flowcontrol_request_wait_duration_seconds_count{priority_level="mine",flow_schema="mine",execute="false",cluster="c1"} 1');
  assert.is(line('apiserver_flowcontrol_request_execution_seconds_count{'),
    'apiserver_flowcontrol_request_execution_seconds_count{priority_level="mine",flow_schema="mine",type="regular",cluster="c1"} 1');
  assert.ok(text.includes('apiserver_current_inflight_requests{request_kind="readOnly",cluster="c2"} 0'));
  await clock.advance(1000);
  assert.ok((await registry.metrics()).includes('apiserver_current_inflight_requests{request_kind="readOnly",cluster="c1"} 2'));
  second.finish();
});

test('the bootstrapped levels report their nominal seats', async () => {
  const clock = new VirtualClock();
  const registry = new Registry();
  const metrics = new FlowControlMetrics(registry, clock);
  const fc = new FlowController({ clock });
  const { flowSchemas, priorityLevels } = bootstrapConfiguration();
  fc.setConfiguration(flowSchemas, priorityLevels);
  metrics.attach('hub', fc);
  const text = await registry.metrics();
  assert.ok(text.includes('apiserver_flowcontrol_nominal_limit_seats{priority_level="workload-low",cluster="hub"} 245'));
  metrics.detach('hub');
  assert.not.ok((await registry.metrics()).includes('workload-low'));
});

test.run();
