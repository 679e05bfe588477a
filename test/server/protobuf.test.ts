import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../model/fixtures.js';
import { Status } from '../../model/status.js';
import { decodeProtobufMessage, decodeProtobufObject, goDuration } from '../../server/protobuf.js';

// Go-written fixtures of kubernetes/api testdata/HEAD (v0.32.13), copied into test/golden: every
// field filled, the .pb and .json of each file holding the same object.
const GOLDEN = join(repoRoot(), 'test', 'golden', 'proto-v1.32');

function normal(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v));
}

function golden(base: string): { pb: Buffer; json: unknown } {
  return {
    pb: readFileSync(join(GOLDEN, `${base}.pb`)),
    json: JSON.parse(readFileSync(join(GOLDEN, `${base}.json`), 'utf8')),
  };
}

function decodeGolden(base: string, pb: Buffer): unknown {
  // The WatchEvent fixture's envelope has an empty typeMeta; its kind is only in the file name.
  if (base === 'core.v1.WatchEvent') return decodeWatchEventRaw(pb);
  return decodeProtobufObject(pb);
}

// Unknown{typeMeta(1): {}, raw(2): bytes, …} behind the 4-byte magic: read field 2 by hand.
function decodeWatchEventRaw(pb: Buffer): unknown {
  let o = 4;
  while (o < pb.length) {
    const key = pb[o++];
    let len = 0;
    for (let shift = 0; ; shift += 7) {
      const b = pb[o++];
      len |= (b & 0x7f) << shift;
      if (!(b & 0x80)) break;
    }
    if (key === 0x12) return decodeProtobufMessage('v1', 'WatchEvent', pb.subarray(o, o + len));
    o += len;
  }
  throw new Error('no raw field');
}

for (const base of [
  'core.v1.ConfigMap', 'core.v1.Secret', 'core.v1.Namespace', 'core.v1.Pod', 'apps.v1.Deployment',
  'core.v1.Service', 'authentication.k8s.io.v1.SelfSubjectReview', 'core.v1.Node', 'batch.v1.Job',
  'batch.v1.CronJob', 'rbac.authorization.k8s.io.v1.ClusterRole', 'core.v1.PersistentVolume',
  'policy.v1.PodDisruptionBudget', 'apps.v1.StatefulSet', 'core.v1.Event', 'coordination.k8s.io.v1.Lease',
]) {
  test(`golden ${base} decodes to its JSON`, () => {
    const { pb, json } = golden(base);
    const got = decodeProtobufObject(pb);
    assert.not.ok(got instanceof Status, got instanceof Status ? got.message : '');
    assert.equal(normal(got), json);
  });
}

test('every golden fixture decodes to its JSON', () => {
  const bases = readdirSync(GOLDEN).filter((f) => f.endsWith('.pb')).map((f) => f.slice(0, -3)).sort();
  const differ: string[] = [];
  for (const base of bases) {
    const { pb, json } = golden(base);
    const got = decodeGolden(base, pb);
    if (got instanceof Status) differ.push(`${base}: ${got.message}`);
    else if (JSON.stringify(normal(got)) !== JSON.stringify(json)) {
      try { assert.equal(normal(got), json); } catch { differ.push(base); }
    }
  }
  assert.ok(bases.length >= 171, `only ${bases.length} fixtures`);
  assert.equal(differ, [], `${bases.length - differ.length} of ${bases.length} match`);
});

// Bodies kubectl 1.32.5 sent to a listener (kubectl create configmap / deployment --replicas=0 /
// secret generic, kubectl auth whoami), against `--dry-run=client -o json` of the same command:
// the JSON a JSON client would have sent. They pin Go's empty-field rules, which the golden
// fixtures (every field filled) cannot: value strings sent as "" dropped, creationTimestamp
// kept as null, a pointer 0 (replicas) kept.
const KUBECTL: [string, string, unknown][] = [
  ['configmap',
    'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEh0KEwoDY20xEgAaACIAKgAyADgAQgASBgoBYRIBYhoAIgA=',
    { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm1', creationTimestamp: null }, data: { a: 'b' } }],
  ['deployment',
    'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EqMBChsKAWQSABoAIgAqADIAOABCAFoICgNhcHASAWQSdggAEgoKCAoDYXBwEgFkGl4KGgoAEgAaACIAKgAyADgAQgBaCAoDYXBwEgFkEkASIgoFbmdpbngSBW5naW54KgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=',
    {
      kind: 'Deployment', apiVersion: 'apps/v1',
      metadata: { name: 'd', creationTimestamp: null, labels: { app: 'd' } },
      spec: {
        replicas: 0, selector: { matchLabels: { app: 'd' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'd' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', resources: {} }] },
        },
        strategy: {},
      },
      status: {},
    }],
  ['selfsubjectreview',
    'azhzAAotChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESEVNlbGZTdWJqZWN0UmV2aWV3EhoKEAoAEgAaACIAKgAyADgAQgASBgoECgASABoAIgA=',
    {
      kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1',
      metadata: { creationTimestamp: null }, status: { userInfo: {} },
    }],
  ['secret',
    'azhzAAoMCgJ2MRIGU2VjcmV0Eh0KEQoBcxIAGgAiACoAMgA4AEIAEgYKAWsSAXYaABoAIgA=',
    { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', creationTimestamp: null }, data: { k: 'dg==' } }],
];

for (const [name, b64, want] of KUBECTL) {
  test(`kubectl ${name} body decodes to what kubectl would send as JSON`, () => {
    const got = decodeProtobufObject(Buffer.from(b64, 'base64'));
    assert.not.ok(got instanceof Status, got instanceof Status ? got.message : '');
    assert.equal(normal(got), want);
  });
}

test('kind and apiVersion come first, from the envelope', () => {
  const got = decodeProtobufObject(Buffer.from(KUBECTL[0][1], 'base64')) as Record<string, unknown>;
  assert.equal(Object.keys(got).slice(0, 2), ['kind', 'apiVersion']);
});

function status(v: unknown): Status {
  assert.ok(v instanceof Status, 'expected a Status');
  return v as Status;
}

test('bad magic is a 400', () => {
  const body = Buffer.from(KUBECTL[0][1], 'base64');
  body[3] = 0x01;
  const s = status(decodeProtobufObject(body));
  assert.is(s.code, 400);
  assert.is(s.reason, 'BadRequest');
  assert.match(s.message, 'expected prefix [107 56 115 0]');
  assert.is(status(decodeProtobufObject(Buffer.from('{"kind":"ConfigMap"}'))).code, 400);
  assert.is(status(decodeProtobufObject(Buffer.alloc(0))).code, 400);
});

test('truncated bytes are a 400', () => {
  const body = Buffer.from(KUBECTL[1][1], 'base64');
  for (const cut of [5, 10, 30, body.length - 20, body.length - 1]) {
    const s = status(decodeProtobufObject(body.subarray(0, cut)));
    assert.is(s.code, 400, `cut at ${cut}`);
  }
});

test('a kind with no protobuf type is a 400', () => {
  // Unknown{typeMeta{apiVersion "v1", kind "Widget"}, raw ""}
  const tm = Buffer.concat([Buffer.from([0x0a, 2]), Buffer.from('v1'), Buffer.from([0x12, 6]), Buffer.from('Widget')]);
  const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x0a, tm.length]), tm, Buffer.from([0x12, 0])]);
  const s = status(decodeProtobufObject(body));
  assert.is(s.code, 400);
  assert.match(s.message, 'no kind "Widget" is registered for version "v1"');
});

test('goDuration prints like Go time.Duration.String', () => {
  assert.is(goDuration(0n), '0s');
  assert.is(goDuration(1n), '1ns');
  assert.is(goDuration(1500n), '1.5µs');
  assert.is(goDuration(2_500_000n), '2.5ms');
  assert.is(goDuration(1_000_000_000n), '1s');
  assert.is(goDuration(90_000_000_000n), '1m30s');
  assert.is(goDuration(3_723_500_000_000n), '1h2m3.5s');
  assert.is(goDuration(-61_000_000_000n), '-1m1s');
});

test.run();
