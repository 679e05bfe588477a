import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Store, type StoreEvent } from '../../model/store/store.js';
import type { KubeObject } from '../../model/object.js';
import { isStatus, type Status } from '../../model/status.js';
import { tempDir } from '../helpers/server.js';

const key = (name: string, namespace = 'default', cluster = 'hub') => ({ cluster, group: '', resource: 'configmaps', namespace, name });
const cm = (name: string): KubeObject => ({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace: 'default' }, data: { a: name } });

function created<T>(r: T | 'exists' | Status): T {
  if (r === 'exists') throw new Error('create found the key present');
  if (isStatus(r)) throw new Error(r.message);
  return r;
}

function updated<T>(r: T | 'conflict' | Status): T {
  if (r === 'conflict') throw new Error('update conflicted');
  if (isStatus(r)) throw new Error(r.message);
  return r;
}

let dir = '';
let store: Store;

test.before.each(async () => {
  dir = await tempDir('kemu-store-');
  store = Store.open({ path: join(dir, 'store.mdb') });
});

test.after.each(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

test('create assigns increasing resourceVersions and stores the served bytes', async () => {
  const a = created(await store.create(key('a'), cm('a')));
  const b = created(await store.create(key('b'), cm('b')));
  assert.ok(b.rv > a.rv);
  const got = store.get(key('a'));
  assert.equal(got?.bytes.toString(), a.bytes.toString());
  assert.equal(JSON.parse(a.bytes.toString()).metadata.resourceVersion, String(a.rv));
});

test('the served bytes of each write are a buffer of their own, not a slice of the shared pool', async () => {
  const seen: StoreEvent[] = [];
  store.subscribe((e) => seen.push(e));
  const a = created(await store.create(key('a'), { ...cm('a'), data: { note: 'é and ü' } }));
  const u = updated(await store.update(key('a'), a.rv, { ...cm('a'), data: { a: 'changed' } }, cm('a')));
  for (const b of [a.bytes, u.bytes, ...seen.map((e) => e.bytes)]) {
    assert.is(b.byteOffset, 0);
    assert.is(b.buffer.byteLength, b.length);
  }
  assert.ok(seen[0].bytes === a.bytes, 'the event carries the very buffer the write returned');
  assert.equal(JSON.parse(a.bytes.toString('utf8')).data, { note: 'é and ü' });
});

test('create of an existing key answers exists and changes nothing', async () => {
  await store.create(key('a'), cm('a'));
  const before = store.get(key('a'));
  assert.is(await store.create(key('a'), cm('a')), 'exists');
  assert.equal(store.get(key('a'))?.bytes, before?.bytes);
});

test('update and remove are conditional on the resourceVersion', async () => {
  const a = created(await store.create(key('a'), cm('a')));
  assert.is(await store.update(key('a'), a.rv + 100, cm('a'), cm('a')), 'conflict');
  const u = updated(await store.update(key('a'), a.rv, { ...cm('a'), data: { a: 'changed' } }, cm('a')));
  assert.is(await store.remove(key('a'), a.rv, cm('a')), 'conflict');
  assert.ok(await store.remove(key('a'), u.rv, cm('a')) !== 'conflict');
  assert.is(store.get(key('a')), undefined);
});

test('list pages in key order from one snapshot with the store resourceVersion', async () => {
  for (const n of ['c', 'a', 'b', 'd']) await store.create(key(n), cm(n));
  await store.create(key('z', 'other'), cm('z'));
  const page1 = store.list({ cluster: 'hub', group: '', resource: 'configmaps', namespace: 'default' }, { limit: 3 });
  assert.equal(page1.entries.map((e) => e.key.split('/').pop()), ['a', 'b', 'c']);
  assert.is(page1.remaining, 1);
  assert.is(page1.rv, store.currentRV);
  const page2 = store.list({ cluster: 'hub', group: '', resource: 'configmaps', namespace: 'default' }, { after: 'c', limit: 3 });
  assert.equal(page2.entries.map((e) => e.key.split('/').pop()), ['d']);
  assert.is(page2.remaining, 0);
  const all = store.list({ cluster: 'hub', group: '', resource: 'configmaps' });
  assert.is(all.entries.length, 5);
});

test('clusters are isolated key prefixes and dropCluster removes only one', async () => {
  await store.create(key('a', 'default', 'hub'), cm('a'));
  await store.create(key('a', 'default', 'spoke-1'), cm('a'));
  await store.dropCluster('spoke-1');
  assert.ok(store.get(key('a', 'default', 'hub')));
  assert.is(store.get(key('a', 'default', 'spoke-1')), undefined);
});

test('events reach listeners after commit in resourceVersion order', async () => {
  const seen: StoreEvent[] = [];
  store.subscribe((e) => seen.push(e));
  await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => store.create(key(n), cm(n))));
  assert.equal(seen.map((e) => e.type), ['ADDED', 'ADDED', 'ADDED', 'ADDED', 'ADDED']);
  const rvs = seen.map((e) => e.rv);
  assert.equal(rvs, [...rvs].sort((x, y) => x - y));
  for (const e of seen) assert.ok(store.get(e.key), 'event for a committed object');
});

test('the resourceVersion counter survives reopening', async () => {
  const a = created(await store.create(key('a'), cm('a')));
  await store.close();
  store = Store.open({ path: join(dir, 'store.mdb') });
  assert.is(store.openedAtRV, a.rv);
  const b = created(await store.create(key('b'), cm('b')));
  assert.ok(b.rv > a.rv);
});

test.run();
