import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubeObject } from '../../model/object.js';
import { sameViewOr, selectableView } from '../../model/selectors/field-labels.js';
import { parseFieldSelector } from '../../model/selectors/fields.js';
import { parseLabelSelector } from '../../model/selectors/labels.js';
import { isStatus, type Status } from '../../model/status.js';
import { Store } from '../../model/store/store.js';
import { WatchCache, type WatchDelivery, type WatchFilter } from '../../model/watch/cache.js';
import { tempDir } from '../helpers/server.js';

const CM = { cluster: 'hub', group: '', resource: 'configmaps' };
const PODS = { cluster: 'hub', group: '', resource: 'pods' };

let dir = '';
let store: Store;
let cache: WatchCache;

test.before.each(async () => {
  dir = await tempDir('kemu-watch-cache-');
  store = Store.open({ path: join(dir, 'store.mdb') });
  cache = new WatchCache(store, { windowSize: 16 });
});

test.after.each(async () => {
  cache.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** A filter as the registry makes one. */
function filter(labelSelector: string, fieldSelector = '', namespace?: string): WatchFilter {
  const labels = parseLabelSelector(labelSelector);
  const fields = parseFieldSelector(fieldSelector);
  if (isStatus(labels) || isStatus(fields)) throw new Error('bad selector');
  return {
    namespace,
    selective: !labels.empty || !fields.empty,
    matchesView: (v) => labels.matches(v.labels) && (fields.empty || fields.matches(v.fields)),
  };
}

function collect(): { got: WatchDelivery[]; sink: { deliver(d: WatchDelivery): void } } {
  const got: WatchDelivery[] = [];
  return { got, sink: { deliver: (d) => got.push(d) } };
}

const summary = (ds: readonly WatchDelivery[]) => ds.map((d) => {
  const o = JSON.parse(d.bytes.toString('utf8')) as KubeObject;
  return `${d.type} ${o.metadata.name}@${d.rv}`;
});

/** A tiny object lifecycle on the store: create, update, remove, each from the last state. */
class Obj {
  private cur: KubeObject;
  private rv = 0;
  constructor(private readonly coll: typeof CM, obj: KubeObject) {
    this.cur = obj;
  }

  private get key() {
    return { ...this.coll, namespace: this.cur.metadata.namespace ?? '', name: this.cur.metadata.name ?? '' };
  }

  async create(): Promise<number> {
    const e = await store.create(this.key, structuredClone(this.cur));
    if (e === 'exists' || isStatus(e)) throw new Error('not created');
    this.rv = e.rv;
    return e.rv;
  }

  async update(change: (o: KubeObject) => void): Promise<number> {
    const prev = this.cur;
    const next = structuredClone(prev);
    change(next);
    const e = await store.update(this.key, this.rv, next, prev);
    if (e === 'conflict' || isStatus(e)) throw new Error('not updated');
    this.cur = next;
    this.rv = e.rv;
    return e.rv;
  }

  async remove(): Promise<number> {
    const e = await store.remove(this.key, this.rv, structuredClone(this.cur));
    if (e === 'conflict') throw new Error('conflict');
    return e.rv;
  }
}

const cm = (name: string, labels?: Record<string, string>, namespace = 'default'): KubeObject =>
  ({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace, ...(labels ? { labels } : {}) }, data: { a: name } });

async function labelStory(): Promise<number> {
  const a = new Obj(CM, cm('a', { app: 'web' }));
  const b = new Obj(CM, cm('b', { app: 'db' }));
  const start = store.currentRV;
  await a.create();
  await b.create();
  await a.update((o) => { o.metadata.labels = { app: 'db' }; }); // out of app=web
  await b.update((o) => { o.metadata.labels = { app: 'web' }; }); // into app=web
  await a.update((o) => { o.metadata.labels = { app: 'web' }; }); // back in
  await a.update((o) => { o.data = { a: 'changed' }; }); // labels alone: stays MODIFIED
  await b.update((o) => { o.metadata.labels = { app: 'web', tier: 'x' }; }); // still in
  await b.remove(); // deleted while in
  await a.update((o) => { delete o.metadata.labels; }); // out
  await a.remove(); // deleted while out: nothing
  return start;
}

const LABEL_STORY = [
  'ADDED a', 'DELETED a', 'ADDED b', 'ADDED a', 'MODIFIED a', 'MODIFIED b', 'DELETED b', 'DELETED a',
];

test('a replay from the window turns label transitions into ADDED and DELETED as the live watch did', async () => {
  const live = collect();
  const liveWatch = cache.watch(CM, store.currentRV, filter('app=web'), live.sink);
  assert.not.ok(isStatus(liveWatch));
  const start = await labelStory();
  const replay = collect();
  const replayWatch = cache.watch(CM, start, filter('app=web'), replay.sink);
  assert.not.ok(isStatus(replayWatch));
  const names = (ds: readonly WatchDelivery[]) => summary(ds).map((s) => s.replace(/@\d+$/, ''));
  assert.equal(names(live.got), LABEL_STORY);
  assert.equal(summary(replay.got), summary(live.got));
});

test('a replay from the middle of the window starts after the given resourceVersion', async () => {
  const start = await labelStory();
  const all = collect();
  cache.watch(CM, start, filter(''), all.sink);
  assert.equal(all.got.length, 10);
  const mid = all.got[4].rv;
  const rest = collect();
  cache.watch(CM, mid, filter('app=web'), rest.sink);
  assert.equal(summary(rest.got).map((s) => s.replace(/@\d+$/, '')), ['MODIFIED a', 'MODIFIED b', 'DELETED b', 'DELETED a']);
  assert.ok(rest.got.every((d) => d.rv > mid));
});

test('a replay of a field selector transition on pods sees the pod arrive on and leave its node', async () => {
  const pod = new Obj(PODS, { kind: 'Pod', apiVersion: 'v1', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } });
  const start = store.currentRV;
  await pod.create();
  await pod.update((o) => { (o.spec as Record<string, unknown>).nodeName = 'node-a'; });
  await pod.update((o) => { o.status = { phase: 'Running' }; });
  await pod.update((o) => { (o.spec as Record<string, unknown>).nodeName = 'node-b'; });
  await pod.remove();
  const onA = collect();
  cache.watch(PODS, start, filter('', 'spec.nodeName=node-a'), onA.sink);
  assert.equal(onA.got.map((d) => d.type), ['ADDED', 'MODIFIED', 'DELETED']);
  const runningOnB = collect();
  cache.watch(PODS, start, filter('', 'spec.nodeName=node-b,status.phase=Running'), runningOnB.sink);
  assert.equal(runningOnB.got.map((d) => d.type), ['ADDED', 'DELETED']);
});

test('a replay filters by namespace', async () => {
  const start = store.currentRV;
  await new Obj(CM, cm('x', undefined, 'one')).create();
  await new Obj(CM, cm('y', undefined, 'two')).create();
  const one = collect();
  cache.watch(CM, start, filter('', '', 'one'), one.sink);
  assert.equal(summary(one.got).map((s) => s.replace(/@\d+$/, '')), ['ADDED x']);
});

test('replayed and live deliveries carry the very bytes the store wrote', async () => {
  const live = collect();
  cache.watch(CM, store.currentRV, filter(''), live.sink);
  const start = store.currentRV;
  const a = new Obj(CM, cm('a'));
  await a.create();
  await a.update((o) => { o.data = { a: '2' }; });
  const replay = collect();
  cache.watch(CM, start, filter(''), replay.sink);
  assert.equal(replay.got.length, 2);
  for (let i = 0; i < 2; i++) assert.ok(replay.got[i].bytes === live.got[i].bytes, `event ${i} shares its buffer`);
});

test('a resourceVersion older than the window is 410 Expired; the rest of the window still replays', async () => {
  const start = store.currentRV;
  const a = new Obj(CM, cm('a', { app: 'web' }));
  await a.create();
  for (let i = 0; i < 20; i++) await a.update((o) => { o.data = { a: String(i) }; });
  const old = cache.watch(CM, start, filter(''), collect().sink);
  assert.ok(isStatus(old));
  assert.equal((old as Status).code, 410);
  const recent = collect();
  const w = cache.watch(CM, store.currentRV - 16, filter('app=web'), recent.sink);
  assert.not.ok(isStatus(w));
  assert.equal(recent.got.length, 16);
  assert.ok(recent.got.every((d) => d.type === 'MODIFIED'));
});

test('a stopped watcher gets nothing more', async () => {
  const got = collect();
  const w = cache.watch(CM, store.currentRV, filter(''), got.sink);
  if (isStatus(w)) throw new Error('expired');
  await new Obj(CM, cm('a')).create();
  w.stop();
  await new Obj(CM, cm('b')).create();
  assert.equal(summary(got.got).map((s) => s.replace(/@\d+$/, '')), ['ADDED a']);
});

test('a change that leaves labels and selectable fields alone shares one view; any other change does not', () => {
  const pod = (labels: Record<string, string> | undefined, nodeName?: string, data?: string) => selectableView('', 'pods',
    { metadata: { name: 'p', namespace: 'ns', ...(labels ? { labels } : {}) }, spec: { nodeName }, data });
  const a = pod({ app: 'web' }, 'n1');
  assert.ok(sameViewOr(a, pod({ app: 'web' }, 'n1', 'other')) === a);
  for (const b of [pod({ app: 'db' }, 'n1'), pod({ app: 'web', x: '' }, 'n1'), pod(undefined, 'n1'), pod({ app: 'web' }, 'n2')]) {
    assert.ok(sameViewOr(a, b) === b);
  }
  const none = pod(undefined);
  assert.ok(sameViewOr(none, pod({})) === none, 'no labels and empty labels select alike');
});

test.run();
