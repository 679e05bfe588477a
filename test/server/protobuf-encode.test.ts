import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadBuiltinCatalog } from '../../model/catalog.js';
import { fixturesDir, repoRoot } from '../../model/fixtures.js';
import { Status } from '../../model/status.js';
import { DiscoveryDocuments } from '../../server/discovery.js';
import { decodeProtobufObject } from '../../server/protobuf.js';
import { encodeProtobufList, encodeProtobufMessage, encodeProtobufObject, encodeWatchEvent } from '../../server/protobuf-encode.js';
import { parseGoDuration, parseRFC3339 } from '../../server/protobuf-time.js';

// Go-written fixtures of kubernetes/api testdata/HEAD (v0.32.13): every field filled, the .pb
// and .json of each file holding the same object.
const GOLDEN = join(repoRoot(), 'test', 'golden', 'proto-v1.32');

const bases = readdirSync(GOLDEN).filter((f) => f.endsWith('.pb')).map((f) => f.slice(0, -3)).sort();

function golden(base: string): { pb: Buffer; json: Record<string, unknown> } {
  return {
    pb: readFileSync(join(GOLDEN, `${base}.pb`)),
    json: JSON.parse(readFileSync(join(GOLDEN, `${base}.json`), 'utf8')) as Record<string, unknown>,
  };
}

// "k8s\0" + Unknown{typeMeta{"", ""}, raw, "", ""}: the WatchEvent fixture's envelope names no
// kind (the object is written without one), so its message is wrapped here as Go wrapped it.
function encodeGolden(base: string, json: Record<string, unknown>): Buffer | undefined {
  if (base !== 'core.v1.WatchEvent') return encodeProtobufObject(json)?.body;
  const raw = encodeProtobufMessage('v1', 'WatchEvent', json);
  if (!raw) return undefined;
  const head = Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x04, 0x0a, 0x00, 0x12, 0x00, 0x12]);
  const len: number[] = [];
  for (let n = raw.length; ; n >>>= 7) { if (n < 0x80) { len.push(n); break; } len.push((n & 0x7f) | 0x80); }
  return Buffer.concat([head, Buffer.from(len), raw, Buffer.from([0x1a, 0x00, 0x22, 0x00])]);
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

function hex(b: Buffer, at: number): string {
  return b.subarray(Math.max(0, at - 8), at + 16).toString('hex');
}

test('every golden fixture encodes to the bytes Go wrote', () => {
  const differ: string[] = [];
  for (const base of bases) {
    const { pb, json } = golden(base);
    const got = encodeGolden(base, json);
    if (!got) { differ.push(`${base}: no protobuf type`); continue; }
    if (!got.equals(pb)) {
      const at = firstDifference(got, pb);
      differ.push(`${base}: first difference at byte ${at} of ${pb.length} (got ${got.length}): go ${hex(pb, at)} kemu ${hex(got, at)}`);
    }
  }
  assert.ok(bases.length >= 171, `only ${bases.length} fixtures`);
  assert.equal(differ, [], `${bases.length - differ.length} of ${bases.length} byte-exact`);
});

test('decode(encode(json)) gives the JSON back for every golden fixture', () => {
  const differ: string[] = [];
  for (const base of bases) {
    if (base === 'core.v1.WatchEvent') continue;
    const { json } = golden(base);
    const back = decodeProtobufObject(encodeProtobufObject(json)!.body);
    if (back instanceof Status) differ.push(`${base}: ${back.message}`);
    else if (JSON.stringify(back) !== JSON.stringify(json)) {
      try { assert.equal(JSON.parse(JSON.stringify(back)), json); } catch { differ.push(base); }
    }
  }
  assert.equal(differ, []);
});

// Bodies kubectl 1.32.5 sent (see protobuf.test.ts): Go's encoding of objects with empty
// fields, which the every-field-filled fixtures cannot pin.
const KUBECTL = [
  'azhzAAoPCgJ2MRIJQ29uZmlnTWFwEh0KEwoDY20xEgAaACIAKgAyADgAQgASBgoBYRIBYhoAIgA=',
  'azhzAAoVCgdhcHBzL3YxEgpEZXBsb3ltZW50EqMBChsKAWQSABoAIgAqADIAOABCAFoICgNhcHASAWQSdggAEgoKCAoDYXBwEgFkGl4KGgoAEgAaACIAKgAyADgAQgBaCAoDYXBwEgFkEkASIgoFbmdpbngSBW5naW54KgBCAGoAcgCAAQCIAQCQAQCiAQAaADIAQgBKAFIAWABgAGgAggEAigEAmgEAwgEAIgIKACgAOAAaDAgAEAAYACAAKAA4ABoAIgA=',
  'azhzAAotChhhdXRoZW50aWNhdGlvbi5rOHMuaW8vdjESEVNlbGZTdWJqZWN0UmV2aWV3EhoKEAoAEgAaACIAKgAyADgAQgASBgoECgASABoAIgA=',
  'azhzAAoMCgJ2MRIGU2VjcmV0Eh0KEQoBcxIAGgAiACoAMgA4AEIAEgYKAWsSAXYaABoAIgA=',
];

for (const [i, b64] of KUBECTL.entries()) {
  test(`kubectl body ${i}: re-encoding its JSON gives kubectl's bytes (empty fields as Go writes them)`, () => {
    const pb = Buffer.from(b64, 'base64');
    const json = decodeProtobufObject(pb) as Record<string, unknown>;
    const got = encodeProtobufObject(json)!.body;
    assert.is(got.toString('hex'), pb.toString('hex'));
  });
}

test('a kind without a protobuf type gives undefined', () => {
  assert.is(encodeProtobufObject({ kind: 'Widget', apiVersion: 'example.com/v1', metadata: { name: 'w' } }), undefined);
});

test('lists carry the items as bare messages after ListMeta', () => {
  const a = encodeProtobufObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'a', resourceVersion: '5' }, data: { k: 'v' } })!;
  const b = encodeProtobufObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'b', resourceVersion: '6' } })!;
  const list = encodeProtobufList('v1', 'ConfigMapList', { resourceVersion: '7', continue: 'tok', remainingItemCount: 3 }, [a, b]);
  const back = decodeProtobufObject(list) as Record<string, unknown>;
  assert.equal(JSON.parse(JSON.stringify(back)), {
    kind: 'ConfigMapList', apiVersion: 'v1',
    metadata: { resourceVersion: '7', continue: 'tok', remainingItemCount: 3 },
    items: [
      { metadata: { name: 'a', resourceVersion: '5', creationTimestamp: null }, data: { k: 'v' } },
      { metadata: { name: 'b', resourceVersion: '6', creationTimestamp: null } },
    ],
  });
  const empty = decodeProtobufObject(encodeProtobufList('v1', 'ConfigMapList', { resourceVersion: '1' }, [])) as Record<string, unknown>;
  assert.equal(JSON.parse(JSON.stringify(empty)), { kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: null });
});

test('a watch event frame is a big-endian length and a WatchEvent whose object is a whole body', () => {
  const obj = encodeProtobufObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'a' } })!.body;
  const frame = encodeWatchEvent('ADDED', obj);
  assert.is(frame.readUInt32BE(0), frame.length - 4);
  const event = frame.subarray(4);
  assert.is(event.subarray(0, 7).toString('latin1'), '\x0a\x05ADDED');
  assert.is(event[7], 0x12);
  assert.ok(event.subarray(event.length - obj.length).equals(obj));
});

test('RFC 3339 times and Go durations parse as Go parses them', () => {
  assert.equal(parseRFC3339('1970-01-01T00:00:01Z'), { seconds: 1, nanos: 0 });
  assert.equal(parseRFC3339('2024-02-29T12:00:00.123456Z'), { seconds: 1709208000, nanos: 123456000 });
  assert.equal(parseRFC3339('2024-02-29T13:00:00+01:00'), { seconds: 1709208000, nanos: 0 });
  assert.equal(parseRFC3339('0001-01-01T00:00:00Z'), { seconds: -62135596800, nanos: 0 });
  assert.is(parseRFC3339('yesterday'), undefined);
  assert.is(parseGoDuration('1h2m3.5s'), 3_723_500_000_000n);
  assert.is(parseGoDuration('1.5µs'), 1500n);
  assert.is(parseGoDuration('-1m1s'), -61_000_000_000n);
  assert.is(parseGoDuration('0s'), 0n);
});

/** Leaves of `want` that `got` lacks or has otherwise; `got` may hold more (Go's zero values). */
function missing(want: unknown, got: unknown, path: string, out: string[]): void {
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object') out.push(`${path}: ${JSON.stringify(want).slice(0, 80)} became ${JSON.stringify(got)}`);
    else for (const [k, v] of Object.entries(want)) missing(v, (got as Record<string, unknown>)[k], `${path}.${k}`, out);
  } else if (want !== got) out.push(`${path}: ${JSON.stringify(want)} became ${JSON.stringify(got)}`);
}

test('the fixture CRDs (deep JSONSchemaProps) keep every value through protobuf', () => {
  const dir = join(fixturesDir(), 'crds');
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.yaml'));
  const lost: string[] = [];
  let crds = 0;
  for (const f of files) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      const crd = doc.toJSON() as Record<string, unknown> | null;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      crds++;
      // What Go's own protobuf round trip loses too: empty lists (nil after decoding) and the
      // omitempty bool preserveUnknownFields when false.
      const want = JSON.parse(JSON.stringify(crd), (k, v: unknown) => (Array.isArray(v) && v.length === 0) || (k === 'preserveUnknownFields' && v === false) ? undefined : v) as unknown;
      const out: string[] = [];
      missing(want, decodeProtobufObject(encodeProtobufObject(crd)!.body), '', out);
      if (out.length) lost.push(`${f}: ${out.slice(0, 3).join('; ')}`);
    }
  }
  assert.ok(crds >= 40, `only ${crds} CRDs`);
  assert.equal(lost, []);
});

test('discovery documents in protobuf decode to their JSON', () => {
  const docs = new DiscoveryDocuments(loadBuiltinCatalog(), '10.0.0.1:6443');
  const PB = 'application/vnd.kubernetes.protobuf';
  const AGG = ';g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
  for (const [path, params] of [['/api', ''], ['/api/v1', ''], ['/apis', ''], ['/apis/apps', ''], ['/apis/apps/v1', ''], ['/apis', AGG], ['/api', AGG]]) {
    const pb = docs.respond(path, `${PB}${params}`, undefined)!;
    assert.is(pb.headers['Content-Type'], `${PB}${params}`);
    const json = JSON.parse(docs.respond(path, `application/json${params}`, undefined)!.body.toString()) as Record<string, unknown>;
    // The core group's documents have no apiVersion in JSON; their envelope says v1.
    assert.equal(JSON.parse(JSON.stringify(decodeProtobufObject(pb.body))), { apiVersion: 'v1', ...json }, `${path}${params}`);
  }
});

test.run();
