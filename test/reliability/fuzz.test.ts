// Property-based bad input: thousands of generated requests, by class, each of which must fail
// (or, for unknown query parameters, be an ordinary read). Every answer must be a well-formed
// failure (a metav1.Status whose code is the HTTP status, or the plain-text 404 and 400 a real
// server writes for unknown paths and unparsable request targets), never a 5xx; afterwards the
// server still answers and nothing stored has changed, down to the lists' resourceVersions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { decodeContinue } from '../../model/registry/list-options.js';
import { parseFieldSelector } from '../../model/selectors/fields.js';
import { parseLabelSelector } from '../../model/selectors/labels.js';
import { isStatus } from '../../model/status.js';
import { isDNS1123Subdomain } from '../../model/validation.js';
import { httpRequest, startTestServer, type TestResponse, type TestServer } from '../helpers/server.js';

// KEMU_FUZZ_SEED explores other inputs; the suite runs the fixed one.
const SEED = Number(process.env.KEMU_FUZZ_SEED ?? 20261123);
const NS = '/api/v1/namespaces/fuzz';
const CM = `${NS}/configmaps`;
const BLOBS = '/apis/fuzz.kemu.dev/v1/namespaces/fuzz/blobs';

let t: TestServer;

const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'blobs.fuzz.kemu.dev' },
  spec: {
    group: 'fuzz.kemu.dev', scope: 'Namespaced', names: { plural: 'blobs', singular: 'blob', kind: 'Blob', listKind: 'BlobList' },
    versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

test.before(async () => {
  // Only the namespace controller: nothing writes on its own while the store is compared.
  t = await startTestServer({ spokes: 0, controllers: 'namespace' });
  const must = async (r: Promise<TestResponse>, code: number) => {
    const res = await r;
    assert.is(res.status, code, res.text);
  };
  await must(t.req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fuzz' } }), 201);
  for (const name of ['one', 'two']) await must(t.req('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { app: 'fuzz' } }, data: { k: name } }), 201);
  await must(t.req('POST', `${NS}/secrets`, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, stringData: { password: 'hunter2' } }), 201);
  await must(t.req('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', CRD), 201);
  for (let i = 0; ; i++) {
    const r = await t.req('POST', BLOBS, { apiVersion: 'fuzz.kemu.dev/v1', kind: 'Blob', metadata: { name: 'blob' }, spec: { deep: { er: [1, 2, 3] } } });
    if (r.status === 201) break;
    assert.ok(i < 100, `the Blob resource is served: ${r.status} ${r.text}`);
    await new Promise((res) => setTimeout(res, 50));
  }
});
test.after(async () => {
  await t?.close();
});

/** Everything a bad request could touch, with each list's resourceVersion. */
async function snapshot(): Promise<string> {
  const parts: unknown[] = [];
  for (const path of ['/api/v1/namespaces', '/api/v1/configmaps', '/api/v1/secrets', '/apis/fuzz.kemu.dev/v1/blobs', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', '/kemu/v1/clusters']) {
    const r = await t.req('GET', path);
    assert.is(r.status, 200, `${path}: ${r.text}`);
    parts.push(path, r.json());
  }
  return JSON.stringify(parts);
}

interface Req {
  readonly method: string;
  readonly path: string;
  readonly body?: string | Buffer;
  readonly headers?: Record<string, string>;
  /** undefined sends no Authorization header. */
  readonly token?: string | null;
}

function send(r: Req): Promise<TestResponse> {
  const token = r.token === null ? undefined : r.token ?? t.server.adminToken;
  return httpRequest(t.server.url, t.server.caCertPem, token, r.method, r.path, r.body, { 'Content-Type': 'application/json', ...r.headers });
}

/** A well-formed failure with one of the `codes`: a metav1.Status, or a real server's plain-text 404 or 400. */
function expectFailure(r: TestResponse, codes: readonly number[], what: string): void {
  if (!codes.includes(r.status)) throw new Error(`${what}: got ${r.status}, want one of ${codes.join(',')}: ${r.text.slice(0, 300)}`);
  if ((r.status === 404 && r.text === '404 page not found') || (r.status === 400 && r.text === '400 Bad Request')) return;
  let s: { kind?: unknown; apiVersion?: unknown; status?: unknown; code?: unknown; message?: unknown };
  try {
    s = JSON.parse(r.text) as typeof s;
  } catch {
    throw new Error(`${what}: ${r.status} is not a Status: ${r.text.slice(0, 300)}`);
  }
  if (s.kind !== 'Status' || s.apiVersion !== 'v1' || s.status !== 'Failure' || s.code !== r.status || typeof s.message !== 'string') {
    throw new Error(`${what}: malformed Status: ${r.text.slice(0, 300)}`);
  }
}

const counts = new Map<string, number>();

// Each class runs this many times its base count: about 10,000 requests in all.
const SCALE = 2;

/** Runs `runs` (times SCALE) generated requests of one class through `check`. */
async function fuzz<T>(name: string, runs: number, arb: fc.Arbitrary<T>, toReq: (v: T) => Req, check: (r: TestResponse, req: Req) => void): Promise<void> {
  await fc.assert(fc.asyncProperty(arb, async (v) => {
    const req = toReq(v);
    const res = await send(req);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    check(res, req);
  }), { numRuns: runs * SCALE, seed: SEED, endOnFailure: true, includeErrorInReport: true });
}

const fails = (...codes: number[]) => (r: TestResponse, req: Req) => expectFailure(r, codes, `${req.method} ${req.path.slice(0, 120)}`);

// Where a generated body goes: a create, an update, or one of the patch types of an object that exists.
const WRITES = [
  { method: 'POST', path: CM, type: 'application/json' },
  { method: 'PUT', path: `${CM}/one`, type: 'application/json' },
  { method: 'PATCH', path: `${CM}/one`, type: 'application/merge-patch+json' },
  { method: 'PATCH', path: `${CM}/one`, type: 'application/strategic-merge-patch+json' },
  { method: 'PATCH', path: `${CM}/one`, type: 'application/json-patch+json' },
  { method: 'POST', path: BLOBS, type: 'application/json' },
  { method: 'PATCH', path: `${BLOBS}/blob`, type: 'application/merge-patch+json' },
] as const;
const write = fc.constantFrom(...WRITES);

const notJson = (s: string) => {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
};
const notYaml = (s: string) => {
  try {
    parseYaml(s, { logLevel: 'silent' });
    return false;
  } catch {
    return true;
  }
};

// A JSON text with one character inserted, removed or the end cut off; kept only if no longer JSON.
const brokenJson = fc.oneof(
  fc.tuple(fc.json(), fc.nat(), fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'x')).map(([s, i, c]) => s.slice(0, i % (s.length + 1)) + c + s.slice(i % (s.length + 1))),
  fc.json({ maxDepth: 3 }).map((s) => s.slice(0, -1)),
  fc.string({ minLength: 1 }),
).filter(notJson);

const validName = (s: string) => s.length <= 253 && isDNS1123Subdomain(s);

// Numbers past float64 (JSON.parse makes them Infinity): an exponent past 308 or 310+ digits.
const hugeNumber = fc.oneof(
  fc.tuple(fc.constantFrom('', '-'), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 309, max: 99_999 })).map(([sign, m, e]) => `${sign}${m}e${e}`),
  fc.tuple(fc.constantFrom('', '-'), fc.integer({ min: 310, max: 400 })).map(([sign, n]) => `${sign}9${'9'.repeat(n)}`),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 309, max: 400 })).map(([m, e]) => `${m}.5E+${e}`),
);

// A value nested past kemu's 500 levels, as arrays, objects or both.
const deepValue = fc.tuple(fc.integer({ min: 501, max: 3_000 }), fc.constantFrom('array', 'object', 'mixed')).map(([depth, shape]) => {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const arr = shape === 'array' || (shape === 'mixed' && i % 2 === 0);
    open += arr ? '[' : '{"k":';
    close = (arr ? ']' : '}') + close;
  }
  return `${open}1${close}`;
});

/** A body of the write's type carrying `value` (a JSON text) somewhere that is decoded. */
function carrying(w: (typeof WRITES)[number], value: string, name: string): string {
  if (w.type === 'application/json-patch+json') return `[{"op":"add","path":"/data/x","value":${value}}]`;
  if (w.path.startsWith(BLOBS)) return `{"apiVersion":"fuzz.kemu.dev/v1","kind":"Blob","metadata":{"name":"${name}"},"spec":{"v":${value}}}`;
  return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${w.method === 'POST' ? name : 'one'}"},"zzz":${value}}`;
}

const KNOWN_PARAMS = new Set(['labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'watch', 'allowWatchBookmarks',
  'timeoutSeconds', 'sendInitialEvents', 'pretty', 'dryRun', 'fieldManager', 'fieldValidation', 'propagationPolicy', 'gracePeriodSeconds', 'orphanDependents', 'force', 'exact', 'export']);

test('thousands of generated bad requests each get a well-formed failure and change nothing', async () => {
  const before = await snapshot();
  const started = Date.now();

  await fuzz('malformed JSON', 600, fc.tuple(write, brokenJson),
    ([w, body]) => ({ method: w.method, path: w.path, body, headers: { 'Content-Type': w.type } }), fails(400));

  const brokenYaml = fc.string({ minLength: 1, unit: fc.constantFrom('{', '}', '[', ']', ':', '-', ' ', '\t', '\n', '"', "'", '&', '*', '!', '|', '>', '%', '@', 'a', '1') }).filter(notYaml);
  await fuzz('malformed YAML', 300, fc.tuple(fc.constantFrom('POST', 'PUT', 'APPLY'), brokenYaml),
    ([m, body]) => m === 'APPLY'
      ? { method: 'PATCH', path: `${CM}/one?fieldManager=fuzz`, body, headers: { 'Content-Type': 'application/apply-patch+yaml' } }
      : { method: m, path: m === 'POST' ? CM : `${CM}/one`, body, headers: { 'Content-Type': 'application/yaml' } },
    fails(400));

  const otherKind = fc.oneof(fc.constantFrom('Secret', 'Pod', 'Namespace', 'Service', 'configmap', 'ConfigMapList', ''), fc.string()).filter((k) => k !== 'ConfigMap');
  const otherVersion = fc.oneof(fc.constantFrom('apps/v1', 'v2', 'v1beta1', 'core/v1', ''), fc.string()).filter((v) => v !== 'v1');
  await fuzz('wrong kind or apiVersion', 300, fc.tuple(fc.boolean(), otherKind, otherVersion, fc.constantFrom('POST', 'PUT')),
    ([kindWrong, kind, apiVersion, method]) => ({
      method, path: method === 'POST' ? CM : `${CM}/one`,
      body: JSON.stringify(kindWrong ? { apiVersion: 'v1', kind, metadata: { name: 'one' } } : { apiVersion, kind: 'ConfigMap', metadata: { name: 'one' } }),
    }), fails(400));

  await fuzz('not an object', 100, fc.oneof(fc.array(fc.jsonValue()), fc.string(), fc.double(), fc.constant(null), fc.boolean()).map((v) => JSON.stringify(v)),
    (body) => ({ method: 'POST', path: CM, body }), fails(400));

  const badName = fc.oneof(fc.string(), fc.string({ minLength: 254, maxLength: 300 }), fc.stringMatching(/^[A-Z_.-][a-zA-Z0-9_.-]{0,20}$/)).filter((n) => !validName(n));
  await fuzz('invalid names', 300, fc.tuple(badName, fc.boolean()),
    ([name, generate]) => ({ method: 'POST', path: CM, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: generate && name !== '' ? { generateName: name } : { name } }) }),
    fails(422));

  await fuzz('deep nesting', 150, fc.tuple(write, deepValue, fc.constantFrom('json', 'yaml', 'apply')),
    ([w, value, format]) => format === 'yaml'
      ? { method: 'POST', path: CM, body: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\nzzz: ${value}\n`, headers: { 'Content-Type': 'application/yaml' } }
      : format === 'apply'
        ? { method: 'PATCH', path: `${BLOBS}/blob?fieldManager=fuzz`, body: carrying(WRITES[5], value, 'blob'), headers: { 'Content-Type': 'application/apply-patch+yaml' } }
        : { method: w.method, path: w.path, body: carrying(w, value, 'deep'), headers: { 'Content-Type': w.type } },
    fails(400));

  await fuzz('huge numbers', 300, fc.tuple(write, hugeNumber, fc.constantFrom('value', 'generation', 'yaml-inf')),
    ([w, num, where]) => where === 'yaml-inf'
      ? { method: 'POST', path: CM, body: `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: inf}\nzzz: ${num.startsWith('-') ? '-' : ''}.inf\n`, headers: { 'Content-Type': 'application/yaml' } }
      : where === 'generation' && w.type === 'application/json'
        ? { method: w.method, path: w.path, body: `{"apiVersion":"${w.path.startsWith(BLOBS) ? 'fuzz.kemu.dev/v1' : 'v1'}","kind":"${w.path.startsWith(BLOBS) ? 'Blob' : 'ConfigMap'}","metadata":{"name":"${w.method === 'POST' ? 'huge' : 'one'}","generation":${num}}}` }
        : { method: w.method, path: w.path, body: carrying(w, num, 'huge'), headers: { 'Content-Type': w.type } },
    fails(400));

  // Invalid UTF-8 decodes to U+FFFD (as Go's decoder does), which no name or label key allows;
  // raw bytes outside a string break the JSON itself.
  const junk = fc.uint8Array({ minLength: 1, maxLength: 8 }).map((a) => Buffer.from(a.map((b) => 0x80 | b)));
  await fuzz('invalid UTF-8', 400, fc.tuple(junk, fc.constantFrom('name', 'label', 'bare')),
    ([bytes, where]) => {
      const [head, tail] = where === 'name'
        ? ['{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"u', '"}}']
        : where === 'label' ? ['{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"utf","labels":{"k', '":"v"}}}'] : ['{"apiVersion":"v1","kind":"ConfigMap",', '"metadata":{"name":"utf"}}'];
      return { method: 'POST', path: CM, body: Buffer.concat([Buffer.from(head), bytes, Buffer.from(tail)]) };
    },
    fails(400, 422));

  await fuzz('bodies over 3 MiB', 12, fc.tuple(write, fc.integer({ min: 1, max: 512 * 1024 })),
    ([w, extra]) => ({ method: w.method, path: w.path, body: carrying(w, JSON.stringify('x'.repeat(3 * 1024 * 1024 + extra)), 'big'), headers: { 'Content-Type': w.type } }),
    fails(413));

  const badLabelSelector = fc.oneof(
    fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z]{0,8}$/)).map(([k, v]) => `${k} in (${v}`),
    fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z]{1,8}$/)).map(([k, v]) => `${k}=${v}=${v}`),
    fc.string({ unit: fc.constantFrom('a', '=', '!', '(', ')', ',', ' ', 'in', 'notin', '-', '/', '.', '%', '$') }),
  ).filter((s) => isStatus(parseLabelSelector(s)));
  const badFieldSelector = fc.oneof(
    fc.stringMatching(/^[a-z.]{1,20}=[a-z]{0,5}$/),
    fc.string({ unit: fc.constantFrom('metadata.name', '=', '!', '==', ',', '\\', 'x', ' ') }),
  ).filter((s) => { const f = parseFieldSelector(s); return isStatus(f) || f.requirements.some((r) => r.field !== 'metadata.name' && r.field !== 'metadata.namespace'); });
  const badContinue = fc.oneof(fc.string(), fc.base64String(), fc.json().map((j) => Buffer.from(j).toString('base64url')))
    .filter((s) => s !== '' && isStatus(decodeContinue(s)));
  const badRv = fc.oneof(fc.string({ minLength: 1 }), fc.stringMatching(/^-\d{1,5}$/), fc.integer({ min: 21, max: 40 }).map((n) => '9'.repeat(n)))
    .filter((s) => !/^\d+$/.test(s) || BigInt(s) > 0xffff_ffff_ffff_ffffn);
  const path = fc.constantFrom(CM, '/api/v1/configmaps', BLOBS, '/api/v1/namespaces');
  await fuzz('invalid selectors, continue tokens, limits, resourceVersions', 800, fc.oneof(
    fc.tuple(path, badLabelSelector).map(([p, s]) => ({ p: `${p}?labelSelector=${encodeURIComponent(s)}`, codes: [400] })),
    fc.tuple(path, badFieldSelector).map(([p, s]) => ({ p: `${p}?fieldSelector=${encodeURIComponent(s)}`, codes: [400] })),
    fc.tuple(path, badContinue).map(([p, s]) => ({ p: `${p}?limit=1&continue=${encodeURIComponent(s)}`, codes: [400] })),
    fc.tuple(path, fc.string({ minLength: 1 }).filter((s) => !/^-?\d+$/.test(s))).map(([p, s]) => ({ p: `${p}?limit=${encodeURIComponent(s)}`, codes: [400] })),
    fc.tuple(fc.constantFrom(CM, BLOBS, '/api/v1/namespaces'), badRv, fc.boolean()).map(([p, rv, watch]) => ({ p: `${p}?resourceVersion=${encodeURIComponent(rv)}${watch ? '&watch=true' : ''}`, codes: [400] })),
    fc.tuple(path, fc.string().filter((s) => s !== 'Exact' && s !== 'NotOlderThan' && s !== '')).map(([p, m]) => ({ p: `${p}?resourceVersion=1&resourceVersionMatch=${encodeURIComponent(m)}`, codes: [422] })),
  ), (q) => ({ method: 'GET', path: q.p }), (r, req) => expectFailure(r, [400, 422], `GET ${req.path}`));

  // Options that fail validation must fail before anything is written or deleted.
  await fuzz('invalid write options', 200, fc.oneof(
    fc.string().filter((s) => s !== 'All').map((s) => ({ method: 'DELETE', path: `${CM}/one?dryRun=${encodeURIComponent(s)}` })),
    fc.string().filter((s) => !['Foreground', 'Background', 'Orphan'].includes(s)).map((s) => ({ method: 'DELETE', path: `${CM}/one?propagationPolicy=${encodeURIComponent(s)}` })),
    fc.string({ minLength: 1 }).filter((s) => !/^-?\d+$/.test(s)).map((s) => ({ method: 'DELETE', path: `${CM}/two?gracePeriodSeconds=${encodeURIComponent(s)}` })),
    fc.string().filter((s) => !['Ignore', 'Warn', 'Strict', ''].includes(s)).map((s) => ({ method: 'POST', path: `${CM}?fieldValidation=${encodeURIComponent(s)}`, body: '{"metadata":{"name":"opts"}}' })),
    fc.string({ minLength: 129, maxLength: 200 }).map((s) => ({ method: 'POST', path: `${CM}?fieldManager=${encodeURIComponent(s)}`, body: '{"metadata":{"name":"opts"}}' })),
  ), (r) => r, fails(400, 422));

  const unknownParams = fc.dictionary(fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,15}$/).filter((k) => !KNOWN_PARAMS.has(k)), fc.string(), { minKeys: 1, maxKeys: 4 });
  await fuzz('unknown query parameters (ignored, as upstream)', 300, fc.tuple(fc.constantFrom(CM, `${CM}/one`, BLOBS, `${BLOBS}/blob`), unknownParams),
    ([p, params]) => ({ method: 'GET', path: `${p}?${new URLSearchParams(params).toString()}` }),
    (r, req) => {
      if (r.status !== 200) throw new Error(`GET ${req.path}: ${r.status} ${r.text.slice(0, 200)}`);
      JSON.parse(r.text);
    });

  const segment = fc.oneof(fc.stringMatching(/^[a-z0-9.-]{1,12}$/), fc.constantFrom('api', 'apis', 'v1', 'namespaces', 'fuzz', 'configmaps', 'pods', 'status', 'scale', 'clusters', 'kemu', '..', '%2F', '%00', '~', 'watch'));
  const resource = fc.constantFrom('configmaps', 'secrets', 'pods', 'services', 'events', 'serviceaccounts', 'blobs', 'deployments', 'nodes', 'nope');
  const randomPath = fc.oneof(
    fc.array(segment, { minLength: 1, maxLength: 7 }).map((s) => `/${s.join('/')}`),
    fc.tuple(resource, fc.stringMatching(/^[a-z0-9-]{1,10}$/), fc.option(fc.constantFrom('status', 'scale', 'binding', 'log', 'exec', 'proxy', 'x'), { nil: undefined }))
      .map(([r, n, sub]) => `${r === 'blobs' ? '/apis/fuzz.kemu.dev/v1' : r === 'deployments' ? '/apis/apps/v1' : '/api/v1'}/${r === 'nodes' ? '' : 'namespaces/fuzz/'}${r}/zz-${n}${sub ? `/${sub}` : ''}`),
    fc.tuple(fc.stringMatching(/^[a-z0-9-]{1,10}$/), fc.array(segment, { maxLength: 4 })).map(([c, s]) => `/clusters/zz-${c}/${s.join('/')}`),
    fc.stringMatching(/^\/kemu\/v1\/clusters\/zz-[a-z]{1,6}(\/controllers)?$/),
  );
  await fuzz('random paths and methods', 800, fc.tuple(fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'), randomPath),
    ([method, p]): Req => ({ method, path: p, headers: method === 'PATCH' ? { 'Content-Type': 'application/merge-patch+json' } : {} }),
    (r, req) => {
      if (r.status >= 500) throw new Error(`${req.method} ${req.path}: ${r.status} ${r.text.slice(0, 200)}`);
      // Reads may find something (a list, discovery); discovery documents answer any method, and
      // the snapshot at the end shows that nothing was written.
      if (r.status < 300) return;
      // A HEAD answer has no body to be a Status.
      if (req.method === 'HEAD' && r.status >= 400 && r.status < 500 && r.text === '') return;
      expectFailure(r, [400, 404, 405, 406, 415, 422], `${req.method} ${req.path}`);
    });

  await fuzz('missing or wrong credentials', 200, fc.tuple(
    fc.oneof(fc.constant(null), fc.string().map((s) => `Bearer ${s}`), fc.string(), fc.constant(`Basic ${Buffer.from('admin:admin').toString('base64')}`)),
    fc.constantFrom('GET', 'POST', 'DELETE'), fc.constantFrom(CM, `${CM}/one`, '/metrics', '/kemu/v1/clusters', '/apis', '/openapi/v2'),
  ), ([auth, method, p]): Req => ({ method, path: p, body: method === 'POST' ? '{"metadata":{"name":"anon"}}' : undefined, token: null, headers: auth === null ? {} : { Authorization: auth } }),
  fails(401));

  await fuzz('unsupported media types', 150, fc.tuple(fc.constantFrom('application/xml', 'text/html', 'image/png', 'application/x-www-form-urlencoded', 'text/csv'), fc.boolean()),
    ([type, asAccept]): Req => asAccept ? { method: 'GET', path: CM, headers: { Accept: type } } : { method: 'POST', path: CM, body: '{"metadata":{"name":"media"}}', headers: { 'Content-Type': type } },
    fails(406, 415));

  const ready = await t.req('GET', '/readyz');
  assert.is(ready.status, 200, 'the server still answers');
  assert.is(await snapshot(), before, 'nothing stored changed');
  const metrics = (await t.req('GET', '/metrics')).text;
  assert.not.match(metrics, /^apiserver_request_total\{[^}]*code="5\d\d"\}/m, 'no request was answered with a 5xx');
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  console.log(`  fuzz: ${total} requests in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED})`);
  for (const [name, n] of counts) console.log(`    ${String(n).padStart(5)}  ${name}`);
});

test.run();
