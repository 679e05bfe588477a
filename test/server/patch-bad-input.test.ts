// Bad PATCH input against a running kemu: a patch document that is not one, a JSON patch whose
// test fails, an apply body that is not YAML or JSON, bad PatchOptions, an unsupported media
// type, a strategic patch with a bad directive, a custom resource patched out of its schema.
// Each case is a golden file test/golden/patch/http/bad-*.json: the Status kube-apiserver 1.32
// sends, and the stored object (GET before and after, resourceVersion included) is unchanged.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GOLDEN_DIR, startPatchGoldenServer } from '../helpers/patch-golden.js';
import type { TestServer } from '../helpers/server.js';

type Obj = Record<string, unknown>;

interface BadCase {
  readonly source: string;
  readonly why: string;
  readonly path: string;
  readonly target: string;
  readonly create: { readonly query?: string; readonly body: Obj };
  readonly steps: readonly [{
    readonly step: string;
    /** A string body is sent as is; anything else as JSON. */
    readonly patch: { readonly contentType: string; readonly query?: string; readonly body: unknown };
    /** `status` is the whole metav1.Status; `messagePrefix` stands for a message only partly known. */
    readonly expect: { readonly code: number; readonly status: Obj; readonly messagePrefix?: string };
    /** Status fields where kemu is known to differ from kube-apiserver: not compared. */
    readonly knownDifference?: { readonly fields: readonly string[]; readonly bug: string };
  }];
}


let t: TestServer;

test.before(async () => {
  t = await startPatchGoldenServer();
});

test.after(async () => {
  await t?.close();
});

const withQuery = (path: string, query?: string): string => (query ? `${path}?${query}` : path);

const cases = readdirSync(GOLDEN_DIR).filter((f) => f.startsWith('bad-') && f.endsWith('.json')).sort()
  .map((file) => ({ file, c: JSON.parse(readFileSync(join(GOLDEN_DIR, file), 'utf8')) as BadCase }));

test('the bad-input goldens are there', () => {
  assert.ok(cases.length >= 15, `${cases.length} cases`);
});

for (const { file, c } of cases) {
  const [step] = c.steps;
  test(`${file}: ${c.why}`, async () => {
    assert.ok(c.source, 'a golden says where its answer comes from');
    const path = `${c.path}/${c.target}`;
    const created = await t.req('POST', withQuery(c.path, c.create.query), c.create.body);
    assert.is(created.status, 201, created.text);
    try {
      const before = await t.req('GET', path);
      assert.is(before.status, 200, before.text);

      const res = await t.req('PATCH', withQuery(path, step.patch.query), step.patch.body, { 'Content-Type': step.patch.contentType });
      assert.is(res.status, step.expect.code, `HTTP ${res.status}: ${res.text.slice(0, 600)}`);
      assert.match(String(res.headers['content-type']), /^application\/json/, 'the Status is JSON');
      const got: Obj = res.json();
      const want: Obj = { ...step.expect.status };
      if (step.expect.messagePrefix !== undefined) {
        assert.type(got.message, 'string');
        assert.ok((got.message as string).startsWith(step.expect.messagePrefix), `message ${JSON.stringify(got.message)}`);
        delete got.message;
      }
      for (const field of step.knownDifference?.fields ?? []) {
        delete want[field];
        delete got[field];
      }
      assert.equal(got, want, 'Status');

      const after = await t.req('GET', path);
      assert.is(after.text, before.text, 'the stored object is unchanged, resourceVersion included');
    } finally {
      const del = await t.req('DELETE', path);
      assert.is(del.status, 200, del.text);
    }
  });
}

test.run();
