import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseGoDuration } from '../../../../model/lifecycle/kwok/duration.js';
import {
  bundledStages, delayOf, delayRange, loadStages, matchStage, possibleStages, weightOf, type Stage,
} from '../../../../model/lifecycle/kwok/index.js';
import type { KubeObject } from '../../../../model/object.js';
import { seededRng, type Rng } from '../../../../model/rng.js';
import { isStatus } from '../../../../model/status.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const noDraws: Rng = { next: () => { throw new Error('drew from the rng'); } };

function stages(...sets: string[]): Stage[] {
  const s = bundledStages(...sets);
  if (isStatus(s)) throw new Error(s.message);
  return s;
}

function named(list: Stage[], name: string): Stage {
  const s = list.find((x) => x.name === name);
  if (!s) throw new Error(name);
  return s;
}

function pod(annotations: Record<string, string> = {}, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', annotations, ...extra }, spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'n' } };
}

const general = stages('pod/general');
const ready = named(general, 'pod-ready');

test('Go durations as time.ParseDuration reads them, in ms', () => {
  assert.is(parseGoDuration('1m30s'), 90_000);
  assert.is(parseGoDuration('1.5h'), 5_400_000);
  assert.is(parseGoDuration('300ms'), 300);
  assert.is(parseGoDuration('-2s'), -2000);
  assert.is(parseGoDuration('1500us'), 1.5);
  assert.is(parseGoDuration('0'), 0);
  for (const bad of ['', '5', '1d', 's', '1m x', '.s']) assert.is(parseGoDuration(bad), undefined, bad);
});

test('delay range: durationMilliseconds to jitterDurationMilliseconds; none without spec.delay', () => {
  assert.equal(delayRange(ready, pod(), NOW), [1000, 5000]);
  assert.equal(delayRange(named(stages('node/heartbeat-with-lease'), 'node-heartbeat-with-lease'), { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' } }, NOW), [600_000, 610_000]);
  const fastReady = named(stages('pod/fast'), 'pod-ready');
  assert.is(delayRange(fastReady, pod(), NOW), undefined);
  assert.is(delayOf(fastReady, pod(), NOW, noDraws), 0);
});

test('delayOf: duration plus a uniform draw below (jitter - duration), the same for the same seed', () => {
  const draw = (seed: number) => {
    const rng = seededRng(seed);
    return Array.from({ length: 200 }, () => delayOf(ready, pod(), NOW, rng));
  };
  const a = draw(7);
  assert.equal(a, draw(7));
  assert.not.equal(a, draw(8));
  assert.ok(a.every((ms) => Number.isInteger(ms) && ms >= 1000 && ms < 5000));
  const ref = seededRng(7);
  assert.is(a[0], 1000 + Math.floor(ref.next() * 4000));
  // The draws spread over the range.
  assert.ok(Math.min(...a) < 1400 && Math.max(...a) > 4600);
});

test('durationFrom / jitterDurationFrom: Go durations from annotations override the fixed values', () => {
  assert.equal(delayRange(ready, pod({ 'pod-ready.stage.kwok.x-k8s.io/delay': '3s' }), NOW), [3000, 5000]);
  assert.equal(delayRange(ready, pod({ 'pod-ready.stage.kwok.x-k8s.io/jitter-delay': '1m' }), NOW), [1000, 60_000]);
  // A jitter not above the duration is used instead of it, as kwok does.
  const short = pod({ 'pod-ready.stage.kwok.x-k8s.io/delay': '3s', 'pod-ready.stage.kwok.x-k8s.io/jitter-delay': '2s' });
  assert.equal(delayRange(ready, short, NOW), [2000]);
  assert.is(delayOf(ready, short, NOW, noDraws), 2000);
  // Unparseable text falls back to the fixed value; an empty string means "no delay at all".
  assert.equal(delayRange(ready, pod({ 'pod-ready.stage.kwok.x-k8s.io/delay': 'soon' }), NOW), [1000, 5000]);
  assert.is(delayRange(ready, pod({ 'pod-ready.stage.kwok.x-k8s.io/delay': '' }), NOW), undefined);
});

test('a time in durationFrom / jitterDurationFrom counts from now: pod-delete waits for the grace period', () => {
  const del = named(general, 'pod-delete');
  const at = (offsetMs: number) => pod({}, { deletionTimestamp: new Date(NOW + offsetMs).toISOString().replace('.000', '') });
  assert.equal(delayRange(del, at(30_000), NOW), [1000, 30_000]);
  assert.equal(delayRange(del, at(0), NOW), [0]);
  assert.equal(delayRange(del, at(-10_000), NOW), [-10_000]);
  assert.is(delayOf(del, at(-10_000), NOW, noDraws), 0);
  const d = delayOf(del, at(30_000), NOW, seededRng(1));
  assert.ok(d >= 1000 && d < 30_000);
});

test('weightFrom: integers as strconv.ParseInt(s, 0, 0) reads them, else the fixed weight or no weight', () => {
  const key = 'pod-ready.stage.kwok.x-k8s.io/weight';
  assert.is(weightOf(ready, pod()), 1);
  assert.is(weightOf(ready, pod({ [key]: '3' })), 3);
  assert.is(weightOf(ready, pod({ [key]: '0x10' })), 16);
  assert.is(weightOf(ready, pod({ [key]: '010' })), 8);
  assert.is(weightOf(ready, pod({ [key]: 'heavy' })), undefined);
  assert.is(weightOf(ready, pod({ [key]: '' })), undefined);
});

function twoStages(wa: number, wb: number): Stage[] {
  const doc = (name: string, w: number) => `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata: {name: ${name}}
spec:
  resourceRef: {kind: Pod}
  selector: {matchExpressions: [{key: .status.phase, operator: DoesNotExist}]}
  weight: ${w}
  next: {statusTemplate: 'phase: ${name}'}
`;
  const s = loadStages(`${doc('a', wa)}---\n${doc('b', wb)}`);
  if (isStatus(s)) throw new Error(s.message);
  return s;
}

test('matchStage: one match is taken without a draw; several are drawn by weight from the rng', () => {
  assert.is(matchStage(twoStages(0, 0).slice(0, 1), pod(), noDraws)?.name, 'a');
  const pick = (list: Stage[], seed: number) => {
    const rng = seededRng(seed);
    return Array.from({ length: 4000 }, () => matchStage(list, pod(), rng)?.name);
  };
  const weighted = pick(twoStages(1, 3), 3);
  assert.equal(weighted, pick(twoStages(1, 3), 3));
  const share = weighted.filter((n) => n === 'a').length / weighted.length;
  assert.ok(share > 0.22 && share < 0.28, String(share));
  assert.ok(pick(twoStages(0, 5), 4).every((n) => n === 'b'), 'a weight-0 stage loses to a weighted one');
  const uniform = pick(twoStages(0, 0), 5).filter((n) => n === 'a').length / 4000;
  assert.ok(uniform > 0.45 && uniform < 0.55, String(uniform));
  assert.is(matchStage(twoStages(1, 1), pod({}, {}), seededRng(1)) !== undefined, true);
  assert.is(matchStage(twoStages(1, 1), { ...pod(), status: { phase: 'Running' } }, noDraws), undefined);
});

test('possibleStages: with positive weights only the weighted stages can be chosen', () => {
  assert.equal(possibleStages(twoStages(0, 2), pod()).map((s) => s.name), ['b']);
  assert.equal(possibleStages(twoStages(0, 0), pod()).map((s) => s.name), ['a', 'b']);
});

test.run();
