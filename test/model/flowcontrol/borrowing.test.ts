import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computeConcurrencyAllocation } from '../../../model/flowcontrol/borrowing.js';
import { FlowController } from '../../../model/flowcontrol/controller.js';
import type { PriorityLevel } from '../../../model/flowcontrol/level.js';
import type { Admission } from '../../../model/flowcontrol/types.js';
import { level, resourceRequest, schemaForUsers, user, VirtualClock } from './helpers.js';

const queuing = { queues: 64, handSize: 6, queueLengthLimit: 50 };

function levelNamed(fc: FlowController, name: string): PriorityLevel {
  return [...fc.priorityLevels()].find((l) => l.name === name) as PriorityLevel;
}

/**
 * 100 seats; A and B hold 50 shares each and the imagined catch-all 5: nominal 48, 48 and 5
 * (sum 101). A may lend half of its seats, B none.
 */
function lenderAndBorrower(clock: VirtualClock, borrowingLimitPercent?: number): FlowController {
  const fc = new FlowController({ clock, serverConcurrencyLimit: 100 });
  fc.setConfiguration(
    [schemaForUsers('a', 'a', 100, ['alice']), schemaForUsers('b', 'b', 100, ['bob'])],
    [level('a', 50, queuing, { lendablePercent: 50 }), level('b', 50, queuing, { borrowingLimitPercent })],
  );
  return fc;
}

test('allocation: a fair proportion of each target, within bounds, summing to the total', () => {
  assert.equal(computeConcurrencyAllocation(10, [
    { target: 2, lowerBound: 1, upperBound: 10 },
    { target: 3, lowerBound: 1, upperBound: 10 },
  ]), [4, 6]);
  // The first is held to its upper bound; the rest goes to the second.
  assert.equal(computeConcurrencyAllocation(10, [
    { target: 5, lowerBound: 0, upperBound: 2 },
    { target: 5, lowerBound: 0, upperBound: 20 },
  ]), [2, 8]);
  // The second cannot go under its lower bound.
  assert.equal(computeConcurrencyAllocation(10, [
    { target: 9, lowerBound: 0, upperBound: 20 },
    { target: 4, lowerBound: 4, upperBound: 20 },
  ])?.map((x) => Math.round(x * 1e9) / 1e9), [6, 4]);
  // Bounds that cannot reach the total, or a target under its lower bound, have no solution.
  assert.is(computeConcurrencyAllocation(10, [{ target: 1, lowerBound: 0, upperBound: 5 }]), undefined);
  assert.is(computeConcurrencyAllocation(10, [{ target: 1, lowerBound: 4, upperBound: 20 }]), undefined);
});

test('an idle server spreads the spare seats in proportion to each level\'s lower limit', () => {
  const fc = lenderAndBorrower(new VirtualClock());
  const a = levelNamed(fc, 'a');
  const b = levelNamed(fc, 'b');
  assert.equal([a.nominalCL, a.minCL, b.nominalCL, b.minCL], [48, 24, 48, 48]);
  // Lower limits 24 + 48 + 5 = 77 stretched to 101: 31, 63 and 7.
  assert.equal([a.currentCL, b.currentCL, levelNamed(fc, 'catch-all').currentCL, levelNamed(fc, 'exempt').currentCL], [31, 63, 7, 0]);
});

test('after one adjustment period a busy level borrows the seats an idle level may lend', async () => {
  const clock = new VirtualClock();
  const fc = lenderAndBorrower(clock);
  const b = levelNamed(fc, 'b');
  const answers = Array.from({ length: 100 }, () => fc.begin(resourceRequest(user('bob'), 'get', 'pods')));
  assert.equal([b.queues.executing, b.queues.waiting], [63, 37]);

  await clock.advance(10_000);
  // B wanted 100 seats all period; A wanted none and keeps only its lower limit 24; catch-all 5.
  assert.equal([levelNamed(fc, 'a').currentCL, b.currentCL, levelNamed(fc, 'catch-all').currentCL], [24, 72, 5]);
  assert.equal([b.queues.executing, b.queues.waiting], [72, 28]);
  await drain(clock, answers);
});

test('borrowingLimitPercent caps what a level may borrow', async () => {
  const clock = new VirtualClock();
  const fc = lenderAndBorrower(clock, 10);
  const b = levelNamed(fc, 'b');
  assert.is(b.maxCL, 48 + 5);
  const answers: (Admission | Promise<Admission>)[] = Array.from({ length: 100 }, () => fc.begin(resourceRequest(user('bob'), 'get', 'pods')));
  await clock.advance(10_000);
  assert.equal([b.currentCL, b.queues.executing], [53, 53]);
  // What B may not take goes to the others in proportion to their targets.
  assert.equal([levelNamed(fc, 'a').currentCL, levelNamed(fc, 'catch-all').currentCL], [40, 8]);
  await drain(clock, answers);
});

/** Lets every answer arrive (the last ones by timing out) and finishes the admitted. */
async function drain(clock: VirtualClock, answers: readonly (Admission | Promise<Admission>)[]): Promise<void> {
  const all = Promise.all(answers.map(async (a) => {
    const answer = await a;
    if (answer.admitted) answer.finish();
  }));
  await clock.advance(60_000);
  await all;
}

test.run();
