// Bodies the JSON and YAML parsers accept but the Go decoders refuse (nesting past the depth
// limit, numbers past float64), and bodies that do not decode at all: exact Statuses. An object
// at the depth limit is served by every path (JSON, YAML, Table, watch, patches) without
// running out of stack.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULTS } from '../../model/defaults.js';
import { openWatch } from '../helpers/watch.js';
import { startTestServer, type TestResponse, type TestServer } from '../helpers/server.js';

let t: TestServer;
const CM = '/api/v1/namespaces/default/configmaps';
const BLOBS = '/apis/limits.kemu.dev/v1/namespaces/default/blobs';
const MAX = DEFAULTS.maxNestingDepth;

test.before(async () => {
  t = await startTestServer({ spokes: 0, controllers: 'namespace' });
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'blobs.limits.kemu.dev' },
    spec: {
      group: 'limits.kemu.dev', scope: 'Namespaced', names: { plural: 'blobs', singular: 'blob', kind: 'Blob', listKind: 'BlobList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
    },
  };
  assert.is((await t.req('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status, 201);
  for (let i = 0; (await t.req('GET', BLOBS)).status !== 200; i++) {
    assert.ok(i < 100, 'the Blob resource is served');
    await new Promise((r) => setTimeout(r, 50));
  }
});
test.after(async () => {
  await t?.close();
});

/** `{"a":…{"a":1}…}` with `levels` objects. */
const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

function badRequest(r: TestResponse, message: string | RegExp): void {
  assert.is(r.status, 400, r.text.slice(0, 300));
  const s = r.json<{ kind: string; reason: string; message: string; code: number }>();
  assert.is(s.kind, 'Status');
  assert.is(s.reason, 'BadRequest');
  if (typeof message === 'string') assert.is(s.message, message); else assert.match(s.message, message);
}

test(`an object nested ${MAX} levels deep is stored and served every way; one level more is refused as Go refuses it`, async () => {
  // The Blob itself is level 1, so its spec holds MAX - 1 objects.
  const body = `{"apiVersion":"limits.kemu.dev/v1","kind":"Blob","metadata":{"name":"deepest"},"spec":${nested(MAX - 1)}}`;
  assert.is((await t.req('POST', BLOBS, body)).status, 201);
  for (const accept of ['application/json', 'application/yaml', 'application/json;as=Table;v=v1;g=meta.k8s.io']) {
    assert.is((await t.req('GET', `${BLOBS}/deepest`, undefined, { Accept: accept })).status, 200, accept);
  }
  const w = await openWatch(t, `${BLOBS}?watch=true&resourceVersion=0`);
  assert.is((await w.waitFor(1))[0].object.metadata.name, 'deepest');
  w.close();
  const merged = await t.req('PATCH', `${BLOBS}/deepest`, `{"metadata":{"labels":{"a":"b"}},"spec":${nested(MAX - 1)}}`, { 'Content-Type': 'application/merge-patch+json' });
  assert.is(merged.status, 200, merged.text.slice(0, 300));
  const applied = await t.req('PATCH', `${BLOBS}/applied?fieldManager=limits`, body.replace('deepest', 'applied'), { 'Content-Type': 'application/apply-patch+yaml' });
  assert.is(applied.status, 201, applied.text.slice(0, 300));

  const over = `{"apiVersion":"limits.kemu.dev/v1","kind":"Blob","metadata":{"name":"deeper"},"spec":${nested(MAX)}}`;
  badRequest(await t.req('POST', BLOBS, over), /^the object provided is unrecognized \(must be of type Blob\): couldn't get version\/kind; json parse error: invalid character '\{' exceeded max depth \(\{"apiVersion/);
  badRequest(await t.req('PATCH', `${BLOBS}/deepest`, `{"spec":${nested(MAX)}}`, { 'Content-Type': 'application/merge-patch+json' }), "error decoding patch: invalid character '{' exceeded max depth");
  badRequest(await t.req('PATCH', `${BLOBS}/applied?fieldManager=limits`, over.replace('deeper', 'applied'), { 'Content-Type': 'application/apply-patch+yaml' }),
    `error decoding YAML: error converting YAML to JSON: yaml: exceeded max depth of ${MAX}`);
  badRequest(await t.req('POST', BLOBS, `apiVersion: limits.kemu.dev/v1\nkind: Blob\nmetadata: {name: deeper}\nspec: ${nested(MAX)}\n`, { 'Content-Type': 'application/yaml' }),
    new RegExp(`: error converting YAML to JSON: yaml: exceeded max depth of ${MAX} \\(`));
  // A JSON patch of checked parts that builds something too deep: refused when decoded.
  const path = `/spec${'/a'.repeat(MAX - 3)}`;
  badRequest(await t.req('PATCH', `${BLOBS}/deepest`, `[{"op":"replace","path":"${path}","value":${nested(10)}}]`, { 'Content-Type': 'application/json-patch+json' }),
    /^Blob in version "v1" cannot be handled as a Blob: invalid character '\{' exceeded max depth$/);
  assert.is((await t.req('GET', `${BLOBS}/deeper`)).status, 404);
});

test('numbers past float64 are refused, not stored as null', async () => {
  badRequest(await t.req('POST', CM, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"huge","generation":1e400}}'),
    /^the object provided is unrecognized \(must be of type ConfigMap\): json: cannot unmarshal number 1e400 into Go value of type float64 \(/);
  badRequest(await t.req('POST', BLOBS, `{"apiVersion":"limits.kemu.dev/v1","kind":"Blob","metadata":{"name":"huge"},"spec":{"n":-${'9'.repeat(400)}}}`),
    new RegExp(`json: cannot unmarshal number -${'9'.repeat(400)} into Go value of type float64`));
  badRequest(await t.req('PATCH', `${CM}/x`, '{"data":{"n":2E+999}}', { 'Content-Type': 'application/merge-patch+json' }),
    'error decoding patch: json: cannot unmarshal number 2E+999 into Go value of type float64');
  badRequest(await t.req('POST', CM, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inf}\nx: .inf\n', { 'Content-Type': 'application/yaml' }),
    /: error converting YAML to JSON: json: unsupported value: \+Inf \(/);
  // Large but finite numbers are numbers, as a float64 holds them.
  const big = await t.req('POST', BLOBS, '{"apiVersion":"limits.kemu.dev/v1","kind":"Blob","metadata":{"name":"big"},"spec":{"n":1e300}}');
  assert.is(big.status, 201, big.text);
  assert.equal(big.json<{ spec: unknown }>().spec, { n: 1e300 });
  assert.is((await t.req('GET', `${CM}/huge`)).status, 404);
});

test('an apply body with an alias to no anchor is a 400, not a crash', async () => {
  badRequest(await t.req('PATCH', `${CM}/alias?fieldManager=limits`, 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: alias}\ndata: *nowhere\n', { 'Content-Type': 'application/apply-patch+yaml' }),
    /^error decoding YAML: error converting YAML to JSON: yaml: /);
});

test('a resourceVersion past uint64 is invalid, not a future one to wait for', async () => {
  for (const q of ['resourceVersion=18446744073709551616', 'resourceVersion=99999999999999999999999&watch=true']) {
    const started = Date.now();
    badRequest(await t.req('GET', `${CM}?${q}`), /^invalid resource version: \d+$/);
    assert.ok(Date.now() - started < 1_000, 'answered at once');
  }
});

test.run();
