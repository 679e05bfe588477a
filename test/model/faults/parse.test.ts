import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadFaultRulesFile, parseFaultRules } from '../../../model/faults/parse.js';
import type { FaultRule } from '../../../model/faults/rules.js';
import { isStatus, type Status } from '../../../model/status.js';

function rules(doc: unknown): readonly FaultRule[] {
  const r = parseFaultRules(doc, 'test');
  if (isStatus(r)) throw new Error(r.message);
  return r;
}

function errors(doc: unknown): Status {
  const r = parseFaultRules(doc, 'faults.yaml');
  if (!isStatus(r)) throw new Error('expected a validation error');
  assert.is(r.code, 422);
  assert.is(r.reason, 'Invalid');
  return r;
}

function oneRule(rule: Record<string, unknown>): Status {
  return errors({ rules: [{ name: 'r', action: { type: 'timeout' }, ...rule }] });
}

function tempFile(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kemu-faults-')), name);
  writeFileSync(path, text);
  return path;
}

test('defaults: probability 1, match all, Retry-After 1, watch expiry as Expired', () => {
  const r = rules({ rules: [
    { name: 'throttle', action: { type: 'tooManyRequests' } },
    { name: 'relist', action: { type: 'expireWatch', afterEvents: 3 } },
  ] });
  assert.equal(r[0], { name: 'throttle', match: {}, probability: 1, action: { type: 'tooManyRequests', retryAfterSeconds: 1 } });
  assert.equal(r[1].action, { type: 'expireWatch', afterEvents: 3, reason: 'Expired' });
});

test('a YAML rules file loads, selectors and all', () => {
  const path = tempFile('faults.yaml', [
    'rules:',
    '- name: slow-pod-lists',
    '  match: {verbs: [list], resources: [pods, deployments.apps], namespaces: [default], clusters: [spoke-1], userAgent: {regex: "^kubectl/"}}',
    '  probability: 0.25',
    '  action: {type: latency, minMs: 100, maxMs: 300}',
    '- name: full-etcd',
    '  action: {type: databaseSpaceExceeded, afterMs: 20}',
  ].join('\n'));
  const r = loadFaultRulesFile(path);
  if (isStatus(r)) throw new Error(r.message);
  assert.equal(r[0], {
    name: 'slow-pod-lists',
    match: { clusters: ['spoke-1'], verbs: ['list'], resources: ['pods', 'deployments.apps'], namespaces: ['default'], userAgent: { regex: '^kubectl/' } },
    probability: 0.25,
    action: { type: 'latency', minMs: 100, maxMs: 300 },
  });
  assert.equal(r[1].action, { type: 'databaseSpaceExceeded', afterMs: 20 });
});

test('a JSON rules file loads too', () => {
  const path = tempFile('faults.json', JSON.stringify({ rules: [{ name: 'a', action: { type: 'cutWatch', afterEvents: 0 } }] }));
  const r = loadFaultRulesFile(path);
  assert.not.ok(isStatus(r));
});

test('an unreadable or unparsable file names the file', () => {
  const missing = loadFaultRulesFile('/nonexistent/faults.yaml');
  assert.ok(isStatus(missing));
  assert.match(missing.message, /^fault rules "\/nonexistent\/faults.yaml": ENOENT/);
  const broken = loadFaultRulesFile(tempFile('broken.yaml', 'rules: [\n'));
  assert.ok(isStatus(broken));
  assert.match(broken.message, /are not valid YAML or JSON/);
});

test('a document without a rules list is refused', () => {
  assert.is(errors([]).message, 'FaultRules "faults.yaml" is invalid: rules: Required value: a rules document is {rules: [...]}');
});

test('an unknown action type lists the supported ones', () => {
  const r = oneRule({ action: { type: 'explode' } });
  assert.match(r.message, /rules\[0\]\.action\.type: Unsupported value: "explode": supported values: "latency", "tooManyRequests", "internalError", "serviceUnavailable", "timeout", "conflict", "databaseSpaceExceeded", "cutWatch", "expireWatch"/);
});

test('names are required, DNS subdomains, and unique', () => {
  assert.match(errors({ rules: [{ action: { type: 'timeout' } }] }).message, /rules\[0\]\.name: Required value/);
  assert.match(oneRule({ name: 'Bad_Name' }).message, /rules\[0\]\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
  const dup = errors({ rules: [{ name: 'x', action: { type: 'timeout' } }, { name: 'x', action: { type: 'conflict' } }] });
  assert.match(dup.message, /rules\[1\]\.name: Duplicate value: "x"/);
});

test('probability must lie in [0, 1]', () => {
  assert.match(oneRule({ probability: 1.5 }).message, /rules\[0\]\.probability: Invalid value: 1\.5: must be a number between 0 and 1/);
  assert.match(oneRule({ probability: -0.1 }).message, /rules\[0\]\.probability: Invalid value: -0\.1: must be a number between 0 and 1/);
});

test('selectors: unknown verbs, bad resources, empty lists, bad user agents, unknown keys', () => {
  const r = oneRule({ match: { verbs: ['fetch'], resources: ['Pods'], clusters: [], userAgent: { regex: '(' }, user: 'x' } });
  const fields = r.details?.causes?.map((c) => c.field);
  assert.equal(fields, ['rules[0].match.user', 'rules[0].match.verbs[0]', 'rules[0].match.resources[0]', 'rules[0].match.clusters', 'rules[0].match.userAgent.regex']);
  assert.match(r.message, /match\.verbs\[0\]: Invalid value: "fetch": supported values: "get"/);
  assert.match(r.message, /match\.userAgent\.regex: Invalid value: "\(": Invalid regular expression/);
  assert.match(oneRule({ match: { userAgent: { substring: 'a', regex: 'b' } } }).message, /must be \{substring: "<text>"\} or \{regex: "<pattern>"\}/);
});

test('latency needs ms or a min/max range in order', () => {
  assert.match(oneRule({ action: { type: 'latency' } }).message, /latency needs either ms, or both minMs and maxMs/);
  assert.match(oneRule({ action: { type: 'latency', ms: 5, minMs: 1, maxMs: 2 } }).message, /latency needs either ms/);
  assert.match(oneRule({ action: { type: 'latency', minMs: 9, maxMs: 2 } }).message, /action\.maxMs: Invalid value: 2: must be at least minMs \(9\)/);
  assert.match(oneRule({ action: { type: 'latency', ms: -1 } }).message, /action\.ms: Invalid value: -1/);
});

test('action fields: integer Retry-After of at least 1, afterEvents required, known keys only', () => {
  assert.match(oneRule({ action: { type: 'tooManyRequests', retryAfterSeconds: 0.5 } }).message,
    /action\.retryAfterSeconds: Invalid value: 0\.5: must be an integer of at least 1/);
  assert.match(oneRule({ action: { type: 'cutWatch' } }).message, /action\.afterEvents: Required value/);
  assert.match(oneRule({ action: { type: 'expireWatch', afterEvents: 1, reason: 'Old' } }).message,
    /action\.reason: Unsupported value: "Old": supported values: "Expired", "Gone"/);
  assert.match(oneRule({ action: { type: 'conflict', retryAfterSeconds: 1 } }).message,
    /action\.retryAfterSeconds: Unsupported value: "retryAfterSeconds": supported values: "type", "afterMs"/);
});

test('an action cannot be aimed only at verbs it never happens to', () => {
  assert.match(oneRule({ match: { verbs: ['get', 'list'] }, action: { type: 'cutWatch', afterEvents: 1 } }).message,
    /match\.verbs: Invalid value: \["get","list"\]: action cutWatch happens only to watch/);
  assert.match(oneRule({ match: { verbs: ['delete'] }, action: { type: 'databaseSpaceExceeded' } }).message,
    /action databaseSpaceExceeded happens only to create, update, patch/);
  assert.match(oneRule({ match: { verbs: ['watch'] }, action: { type: 'timeout' } }).message, /action timeout happens only to/);
});

test('every problem in every rule is reported at once', () => {
  const r = errors({ rules: [{ name: 'a', probability: 2, action: { type: 'nope' } }, 'rule', { name: 'c', action: { type: 'timeout' } }] });
  assert.equal(r.details?.causes?.map((c) => c.field), ['rules[0].probability', 'rules[0].action.type', 'rules[1]']);
});

test.run();
