import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';

let ts: TestServer;
const NS = '/api/v1/namespaces/paging/configmaps';
type List = { kind: string; apiVersion: string; metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number }; items: { kind?: string; metadata: { name: string; resourceVersion: string } }[] };

async function createMany(n: number, prefix: string, concurrency = 32): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      const i = next++;
      const res = await ts.req('POST', NS, { metadata: { name: `${prefix}${String(i).padStart(5, '0')}` }, data: { i: String(i) } });
      if (res.status !== 201) throw new Error(`create ${i}: ${res.status} ${res.text}`);
    }
  }));
}

test.before(async () => {
  ts = await startTestServer();
  await ts.req('POST', '/api/v1/namespaces', { metadata: { name: 'paging' } });
  await createMany(10_000, 'cm-');
});
test.after(async () => {
  await ts.close();
});

test('paging 10,000 objects with limit=500 returns each exactly once from the first page\'s state', async () => {
  const seen = new Map<string, number>();
  let token: string | undefined;
  let pages = 0;
  let firstRV = '';
  let remaining: number[] = [];
  do {
    const res = await ts.req('GET', `${NS}?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
    assert.is(res.status, 200, res.text);
    const list = res.json<List>();
    if (pages === 0) {
      firstRV = list.metadata.resourceVersion;
      // Writes after the first page must not show up in later pages: one sorts last, one first.
      await ts.req('POST', NS, { metadata: { name: 'zz-late' } });
      await ts.req('DELETE', `${NS}/cm-09999`);
    }
    assert.is(list.metadata.resourceVersion, firstRV, 'every page is at the first page\'s resourceVersion');
    for (const it of list.items) seen.set(it.metadata.name, (seen.get(it.metadata.name) ?? 0) + 1);
    if (list.metadata.remainingItemCount !== undefined) remaining.push(list.metadata.remainingItemCount);
    token = list.metadata.continue;
    pages++;
  } while (token && pages < 100);
  assert.is(pages, 20);
  assert.is(seen.size, 10_000);
  assert.ok([...seen.values()].every((n) => n === 1), 'no object twice');
  assert.ok(seen.has('cm-09999'), 'deleted after the first page, still in the snapshot');
  assert.not.ok(seen.has('zz-late'), 'created after the first page, not in the snapshot');
  assert.equal(remaining.slice(0, 3), [9500, 9000, 8500]);
  await ts.req('DELETE', `${NS}/zz-late`);
  await ts.req('POST', NS, { metadata: { name: 'cm-09999' } });
});

test('resourceVersionMatch=Exact reads a held snapshot, and an older one is 410 Expired', async () => {
  const first = (await ts.req('GET', `${NS}?limit=5`)).json<List>();
  await ts.req('POST', NS, { metadata: { name: 'exact-later' } });
  const exact = await ts.req('GET', `${NS}?resourceVersion=${first.metadata.resourceVersion}&resourceVersionMatch=Exact&limit=10000`);
  assert.is(exact.status, 200);
  const names = exact.json<List>().items.map((i) => i.metadata.name);
  assert.not.ok(names.includes('exact-later'));
  const old = await ts.req('GET', `${NS}?resourceVersion=3&resourceVersionMatch=Exact`);
  assert.is(old.status, 410);
  assert.is(old.json<{ reason: string; message: string }>().message, 'The resourceVersion for the provided list is too old.');
  const nowList = await ts.req('GET', `${NS}?resourceVersion=${first.metadata.resourceVersion}&resourceVersionMatch=NotOlderThan`);
  assert.ok(nowList.json<List>().items.some((i) => i.metadata.name === 'exact-later'), 'NotOlderThan serves the current state');
  await ts.req('DELETE', `${NS}/exact-later`);
});

test('a list at a future resourceVersion waits, then 504 Too large resource version', async () => {
  const cur = Number((await ts.req('GET', `${NS}?limit=1`)).json<List>().metadata.resourceVersion);
  const started = Date.now();
  const res = await ts.req('GET', `${NS}?resourceVersion=${cur + 1000}&resourceVersionMatch=NotOlderThan`);
  assert.ok(Date.now() - started >= 2900);
  assert.is(res.status, 504);
  const s = res.json<{ reason: string; message: string; details: { causes: { reason: string }[]; retryAfterSeconds: number } }>();
  assert.is(s.reason, 'Timeout');
  assert.match(s.message, new RegExp(`^Timeout: Too large resource version: ${cur + 1000}, current: \\d+$`));
  assert.is(s.details.causes[0].reason, 'ResourceVersionTooLarge');
  assert.is(res.headers['retry-after'], '1');
});

test('a continue token whose snapshot is gone is 410 Expired with a fresh token', async () => {
  const first = (await ts.req('GET', `${NS}?limit=2`)).json<List>();
  // More paged lists at newer states than the server holds snapshots for (64) push it out.
  for (let i = 0; i < 70; i++) {
    await ts.req('POST', NS, { metadata: { name: `push-${i}` } });
    await ts.req('GET', `${NS}?limit=1`);
  }
  const res = await ts.req('GET', `${NS}?limit=2&continue=${encodeURIComponent(first.metadata.continue ?? '')}`);
  assert.is(res.status, 410);
  const s = res.json<{ reason: string; message: string; metadata: { continue?: string } }>();
  assert.is(s.reason, 'Expired');
  assert.match(s.message, /^The provided continue parameter is too old to display a consistent list result\./);
  assert.ok(s.metadata.continue, 'a token for the rest at a newer state');
  const rest = await ts.req('GET', `${NS}?limit=2&continue=${encodeURIComponent(s.metadata.continue ?? '')}`);
  assert.is(rest.status, 200);
  assert.equal(rest.json<List>().items.map((i) => i.metadata.name), ['cm-00002', 'cm-00003']);
});

test('metadata-only lists and gets for metadata informers', async () => {
  const accept = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
  const res = await ts.req('GET', `${NS}?limit=2`, undefined, { Accept: accept });
  assert.is(res.headers['content-type'], 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1');
  const list = res.json<List & { items: Record<string, unknown>[] }>();
  assert.is(list.kind, 'PartialObjectMetadataList');
  assert.is(list.apiVersion, 'meta.k8s.io/v1');
  assert.equal(Object.keys(list.items[0]), ['kind', 'apiVersion', 'metadata']);
  assert.is(list.items[0].kind, 'PartialObjectMetadata');
  const one = await ts.req('GET', `${NS}/cm-00000`, undefined, { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1' });
  assert.is(one.json<{ kind: string; data?: unknown }>().kind, 'PartialObjectMetadata');
  assert.is(one.json<{ data?: unknown }>().data, undefined);
});

test.run();
