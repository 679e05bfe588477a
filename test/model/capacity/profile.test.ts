import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  bundledProfileNames, CAPACITY_VERBS, loadCapacityProfile, parseCapacityProfile, type CapacityProfile,
} from '../../../model/capacity/profile.js';
import { isStatus, type Status } from '../../../model/status.js';

function load(nameOrPath: string): CapacityProfile {
  const p = loadCapacityProfile(nameOrPath);
  if (isStatus(p)) throw new Error(p.message);
  return p;
}

function invalidDoc(doc: unknown): Status {
  const r = parseCapacityProfile(doc, 'test.json');
  if (!isStatus(r)) throw new Error('expected a validation error');
  assert.is(r.code, 422);
  assert.is(r.reason, 'Invalid');
  return r;
}

function validDoc(): Record<string, unknown> {
  const verbs: Record<string, unknown> = {};
  for (const v of CAPACITY_VERBS) verbs[v] = { baseMs: 1, perObjectMs: 0.1, perKiBMs: 0.01 };
  return { name: 'test', jitterSigma: 0.2, verbs };
}

test('bundled profiles are none and default', () => {
  assert.equal(bundledProfileNames(), ['default', 'none']);
});

test('none prices every verb at zero with no jitter', () => {
  const p = load('none');
  assert.is(p.jitterSigma, 0);
  for (const v of CAPACITY_VERBS) assert.equal({ ...p.verbs[v] }, { baseMs: 0, perObjectMs: 0, perKiBMs: 0 });
});

test('default prices every verb, and every verb carries its source', () => {
  const p = load('default');
  assert.is(p.name, 'default');
  for (const v of CAPACITY_VERBS) {
    assert.ok(p.verbs[v].baseMs > 0, v);
    assert.ok(p.verbs[v].source, `${v} has a source`);
  }
  assert.ok(p.jitterSource);
  assert.ok(p.verbs.list.perObjectMs > 0);
  assert.ok(p.verbs.create.perKiBMs > p.verbs.get.perKiBMs, 'a write passes over its body more often than a read');
});

test('a profile loads from a path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kemu-profile-'));
  const path = join(dir, 'mine.json');
  writeFileSync(path, JSON.stringify({ ...validDoc(), clusters: { 'spoke-1': 3 } }));
  const p = load(path);
  assert.is(p.name, 'test');
  assert.is(p.clusters['spoke-1'], 3);
});

test('an unknown bundled name lists the bundled ones', () => {
  const r = loadCapacityProfile('fast');
  assert.ok(isStatus(r));
  assert.is(r.code, 400);
  assert.is(r.message, 'capacity profile "fast" not found; bundled profiles: default, none');
});

test('a missing file and bad JSON are reported with the profile named', () => {
  const missing = loadCapacityProfile('/nonexistent/profile.json');
  assert.ok(isStatus(missing));
  assert.match(missing.message, /^capacity profile "\/nonexistent\/profile.json": ENOENT/);
  const dir = mkdtempSync(join(tmpdir(), 'kemu-profile-'));
  const path = join(dir, 'broken.json');
  writeFileSync(path, '{"name": ');
  const broken = loadCapacityProfile(path);
  assert.ok(isStatus(broken));
  assert.match(broken.message, /is not valid JSON/);
});

test('validation names the field and the problem', () => {
  const doc = validDoc();
  (doc.verbs as Record<string, unknown>).get = { baseMs: -1, perObjectMs: 0, perKiBMs: 0 };
  const r = invalidDoc(doc);
  assert.is(r.message, 'CapacityProfile "test" is invalid: verbs.get.baseMs: Invalid value: -1: must be a non-negative number');
});

test('validation reports every problem at once: missing verb, typo, bad multiplier', () => {
  const doc = validDoc();
  delete (doc.verbs as Record<string, unknown>).watch;
  (doc.verbs as Record<string, unknown>).list = { baseMS: 1, perObjectMs: 0, perKiBMs: 0 };
  doc.clusters = { 'spoke-1': 0 };
  const r = invalidDoc(doc);
  const fields = r.details?.causes?.map((c) => c.field);
  assert.equal(fields, ['verbs.list.baseMS', 'verbs.list.baseMs', 'verbs.watch', 'clusters.spoke-1']);
  assert.match(r.message, /verbs\.list\.baseMS: Unsupported value: "baseMS": supported values: "baseMs", "perObjectMs", "perKiBMs", "source"/);
  assert.match(r.message, /verbs\.watch: Required value/);
  assert.match(r.message, /clusters\.spoke-1: Invalid value: 0: must be a positive number/);
});

test('a document that is not an object, or lacks name and verbs, is invalid', () => {
  assert.match(invalidDoc([]).message, /<root>: Invalid value/);
  const r = invalidDoc({ jitterSigma: 0 });
  assert.match(r.message, /name: Required value/);
  assert.match(r.message, /verbs: Required value/);
});

test.run();
