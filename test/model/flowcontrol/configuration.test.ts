import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FlowController } from '../../../model/flowcontrol/controller.js';
import type { Admission, Admitted } from '../../../model/flowcontrol/types.js';
import { level, resourceRequest, schemaForUsers, settle, user, VirtualClock } from './helpers.js';

const frank = user('frank');
const get = resourceRequest(frank, 'get', 'pods');
const levelNames = (fc: FlowController): string[] => [...fc.priorityLevels()].map((l) => l.name).sort();

test('a removed level keeps serving its queued requests, then goes', async () => {
  const clock = new VirtualClock();
  const fc = new FlowController({ clock, serverConcurrencyLimit: 1 });
  const schema = schemaForUsers('mine', 'mine', 100, ['frank']);
  fc.setConfiguration([schema], [level('mine', 95, { queues: 1, handSize: 1, queueLengthLimit: 5 })]);
  const running = fc.begin(get) as Admitted;
  const queued = fc.begin(get) as Promise<Admission>;

  fc.setConfiguration([schema], []);
  const mine = [...fc.priorityLevels()].find((l) => l.name === 'mine');
  assert.ok(mine?.quiescing);
  assert.equal(levelNames(fc), ['catch-all', 'exempt', 'mine']);
  // New requests no longer reach it: its schema dangles.
  const newcomer = fc.begin(get) as Admitted;
  assert.is(newcomer.priorityLevel?.name, 'catch-all');
  newcomer.finish();

  running.finish();
  const drained = await queued;
  assert.is(drained.priorityLevel?.name, 'mine');
  (drained as Admitted).finish();
  await settle();
  assert.equal(levelNames(fc), ['catch-all', 'exempt']);
});

test('a level configured again while draining is kept', () => {
  const fc = new FlowController({ clock: new VirtualClock(), serverConcurrencyLimit: 10 });
  const schema = schemaForUsers('mine', 'mine', 100, ['frank']);
  const pl = level('mine', 95, { queues: 4, handSize: 2, queueLengthLimit: 5 });
  fc.setConfiguration([schema], [pl]);
  const running = fc.begin(get) as Admitted;
  fc.setConfiguration([schema], []);
  fc.setConfiguration([schema], [pl]);
  running.finish();
  const mine = [...fc.priorityLevels()].find((l) => l.name === 'mine');
  assert.equal([mine?.quiescing, levelNames(fc)], [false, ['catch-all', 'exempt', 'mine']]);
});

test('deleted mandatory levels are retained, deleted mandatory schemas supplied', () => {
  const fc = new FlowController({ clock: new VirtualClock(), serverConcurrencyLimit: 10 });
  const exemptPl = { metadata: { name: 'exempt', uid: 'uid-exempt' }, spec: { type: 'Exempt' as const, exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } } };
  fc.setConfiguration([], [exemptPl]);
  fc.setConfiguration([], []);
  assert.equal(levelNames(fc), ['catch-all', 'exempt']);
  const admin = fc.begin(resourceRequest(user('root', 'system:masters'), 'get', 'pods')) as Admitted;
  assert.equal([admin.flowSchema?.name, admin.priorityLevel?.name], ['exempt', 'exempt']);
});

test('changing the number of queues keeps the level and its waiting requests', async () => {
  const clock = new VirtualClock();
  const fc = new FlowController({ clock, serverConcurrencyLimit: 1 });
  const schema = schemaForUsers('mine', 'mine', 100, ['frank']);
  fc.setConfiguration([schema], [level('mine', 95, { queues: 8, handSize: 2, queueLengthLimit: 5 })]);
  const running = fc.begin(get) as Admitted;
  const queued = fc.begin(get) as Promise<Admission>;
  fc.setConfiguration([schema], [level('mine', 95, { queues: 2, handSize: 1, queueLengthLimit: 5 })]);
  const mine = [...fc.priorityLevels()].find((l) => l.name === 'mine');
  assert.ok((mine?.queues.queueRows().length ?? 0) >= 2);
  running.finish();
  assert.is((await queued).priorityLevel?.name, 'mine');
});

test.run();
