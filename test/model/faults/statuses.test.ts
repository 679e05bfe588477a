import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FaultInjector, type FaultDecision, type FaultRequest } from '../../../model/faults/injector.js';
import { parseFaultRules } from '../../../model/faults/parse.js';
import { seededRng } from '../../../model/rng.js';
import { isStatus } from '../../../model/status.js';

const request: FaultRequest = {
  cluster: 'hub', verb: 'update', group: 'apps', resource: 'deployments', namespace: 'default', name: 'web',
  userAgent: 'kube-controller-manager/v1.32.0',
};

function decide(action: Record<string, unknown>, over: Partial<FaultRequest> = {}): FaultDecision {
  const rules = parseFaultRules({ rules: [{ name: 'rule-1', action }] }, 'test');
  if (isStatus(rules)) throw new Error(rules.message);
  const inj = new FaultInjector(seededRng(1));
  inj.setRules(rules);
  const d = inj.match({ ...request, ...over });
  if (!d) throw new Error('rule did not fire');
  return d;
}

function body(d: FaultDecision): Record<string, unknown> | undefined {
  return d.status?.toJSON();
}

test('429 carries the rejection message, details.retryAfterSeconds and the Retry-After header value', () => {
  const d = decide({ type: 'tooManyRequests', retryAfterSeconds: 3 });
  assert.is(d.retryAfterSeconds, 3);
  assert.equal(body(d), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'Too many requests, please try again later.', reason: 'TooManyRequests', details: { retryAfterSeconds: 3 }, code: 429,
  });
});

test('500 is an InternalError with its cause', () => {
  const d = decide({ type: 'internalError', cause: 'etcdserver: leader changed' });
  assert.equal(body(d), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'Internal error occurred: etcdserver: leader changed', reason: 'InternalError',
    details: { causes: [{ reason: '', message: 'etcdserver: leader changed' }] }, code: 500,
  });
  assert.is(decide({ type: 'internalError' }).status?.message, 'Internal error occurred: injected by kemu fault rule "rule-1"');
});

test('503 is the shutdown answer with Retry-After 1', () => {
  const d = decide({ type: 'serviceUnavailable' });
  assert.is(d.retryAfterSeconds, 1);
  assert.equal(body(d), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'apiserver is shutting down', reason: 'ServiceUnavailable', code: 503,
  });
});

test('504 is the request timeout, after the delay asked for', () => {
  const d = decide({ type: 'timeout', afterMs: 60_000 });
  assert.is(d.delayMs, 60_000);
  assert.is(d.retryAfterSeconds, undefined);
  assert.equal(body(d), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'Timeout: request did not complete within requested timeout - context deadline exceeded',
    reason: 'Timeout', details: {}, code: 504,
  });
});

test('409 is the optimistic-lock conflict on the named object', () => {
  const d = decide({ type: 'conflict' }, { verb: 'patch' });
  assert.equal(body(d), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    reason: 'Conflict', details: { name: 'web', group: 'apps', kind: 'deployments' }, code: 409,
  });
});

test('a full etcd answers 500 with no reason and etcd\'s own text', () => {
  const d = decide({ type: 'databaseSpaceExceeded' }, { verb: 'create' });
  assert.equal(body(d), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'etcdserver: mvcc: database space exceeded', code: 500,
  });
});

test('cutWatch ends the stream after N events without an error', () => {
  const d = decide({ type: 'cutWatch', afterEvents: 5 }, { verb: 'watch' });
  assert.equal(d, { rule: 'rule-1', action: 'cutWatch', delayMs: 0, watch: { afterEvents: 5 } });
  assert.is(d.status, undefined);
});

test('expireWatch sends 410 Expired (or Gone) as the watch\'s last event', () => {
  const expired = decide({ type: 'expireWatch', afterEvents: 0 }, { verb: 'watch' });
  assert.is(expired.watch?.afterEvents, 0);
  assert.equal(expired.watch?.error?.toJSON(), {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
    message: 'The resourceVersion for the provided watch is too old.', reason: 'Expired', code: 410,
  });
  const gone = decide({ type: 'expireWatch', afterEvents: 2, reason: 'Gone' }, { verb: 'watch' });
  assert.is(gone.watch?.error?.reason, 'Gone');
  assert.is(gone.watch?.error?.code, 410);
});

test.run();
