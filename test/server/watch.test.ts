import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { openWatch } from '../helpers/watch.js';

let ts: TestServer;
const CM = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, labels: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data: { k: name } });

test.before(async () => {
  ts = await startTestServer({ watchWindow: 5, bookmarkIntervalMs: 200 });
});
test.after(async () => {
  await ts.close();
});

test('a watch from the list resourceVersion sees ADDED, MODIFIED and DELETED with kind and apiVersion', async () => {
  const list = await ts.req('GET', CM);
  const rv = list.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
  const w = await openWatch(ts, `${CM}?watch=true&resourceVersion=${rv}`);
  assert.is(w.status, 200);
  assert.is(w.headers['content-type'], 'application/json');
  const created = (await ts.req('POST', CM, cm('w1'))).json<{ metadata: { resourceVersion: string } }>();
  const updated = await ts.req('PUT', `${CM}/w1`, { ...cm('w1'), data: { k: 'changed' }, metadata: { name: 'w1', resourceVersion: created.metadata.resourceVersion } });
  assert.is(updated.status, 200);
  const del = await ts.req('DELETE', `${CM}/w1`);
  assert.is(del.status, 200);
  const events = await w.waitFor(3);
  w.close();
  assert.equal(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  for (const e of events) {
    assert.is(e.object.kind, 'ConfigMap');
    assert.is(e.object.apiVersion, 'v1');
  }
  const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
  assert.ok(rvs[0] < rvs[1] && rvs[1] < rvs[2], 'DELETED carries the deletion resourceVersion');
});

test('a watch from a resourceVersion inside the window replays the events the client missed', async () => {
  const a = (await ts.req('POST', CM, cm('missed-a'))).json<{ metadata: { resourceVersion: string } }>();
  await ts.req('POST', CM, cm('missed-b'));
  await ts.req('DELETE', `${CM}/missed-a`);
  const w = await openWatch(ts, `${CM}?watch=true&resourceVersion=${a.metadata.resourceVersion}`);
  const events = await w.waitFor(2);
  w.close();
  assert.equal(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED missed-b', 'DELETED missed-a']);
  await ts.req('DELETE', `${CM}/missed-b`);
});

test('a watch without resourceVersion starts with the current objects as ADDED', async () => {
  await ts.req('POST', CM, cm('init-a'));
  await ts.req('POST', CM, cm('init-b'));
  const w = await openWatch(ts, `${CM}?watch=1&labelSelector=`);
  const events = await w.waitFor(2);
  w.close();
  assert.equal(events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED init-a', 'ADDED init-b']);
  await ts.req('DELETE', `${CM}/init-a`);
  await ts.req('DELETE', `${CM}/init-b`);
});

test('label selectors turn a change out of the selector into DELETED and into it into ADDED', async () => {
  const created = (await ts.req('POST', CM, cm('sel', { app: 'a' }))).json<{ metadata: { resourceVersion: string } }>();
  const w = await openWatch(ts, `${CM}?watch=true&labelSelector=app%3Da&resourceVersion=${created.metadata.resourceVersion}`);
  const moved = await ts.req('PUT', `${CM}/sel`, cm('sel', { app: 'b' }));
  assert.is(moved.status, 200);
  await ts.req('PUT', `${CM}/sel`, cm('sel', { app: 'a' }));
  const events = await w.waitFor(2);
  w.close();
  assert.equal(events.map((e) => e.type), ['DELETED', 'ADDED']);
  await ts.req('DELETE', `${CM}/sel`);
});

test('a resourceVersion older than the window gets a 200 stream with one ERROR 410 Expired event', async () => {
  const first = (await ts.req('POST', CM, cm('old-0'))).json<{ metadata: { resourceVersion: string } }>();
  for (let i = 1; i <= 7; i++) await ts.req('POST', CM, cm(`old-${i}`));
  const w = await openWatch(ts, `${CM}?watch=true&resourceVersion=${Number(first.metadata.resourceVersion) - 1}`);
  assert.is(w.status, 200);
  const [e] = await w.waitFor(1);
  await w.ended;
  assert.is(e.type, 'ERROR');
  assert.is(e.object.kind, 'Status');
  assert.is(e.object.code, 410);
  assert.is(e.object.reason, 'Expired');
  assert.match(String(e.object.message), /^too old resource version: \d+ \(\d+\)$/);
  for (let i = 0; i <= 7; i++) await ts.req('DELETE', `${CM}/old-${i}`);
});

test('watch-list: initial events, then one bookmark annotated initial-events-end', async () => {
  await ts.req('POST', CM, cm('wl'));
  const w = await openWatch(ts, `${CM}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
  const events = await w.waitFor(2);
  w.close();
  assert.equal(events.map((e) => e.type), ['ADDED', 'BOOKMARK']);
  assert.is(events[1].object.kind, 'ConfigMap');
  assert.is(events[1].object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
  await ts.req('DELETE', `${CM}/wl`);
});

test('progress bookmarks are sent when asked, with a resourceVersion', async () => {
  const list = await ts.req('GET', CM);
  const rv = list.json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion;
  const w = await openWatch(ts, `${CM}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`);
  const [b] = await w.waitFor(1, 3000);
  w.close();
  assert.is(b.type, 'BOOKMARK');
  assert.ok(Number(b.object.metadata.resourceVersion) >= Number(rv));
});

test('timeoutSeconds ends the watch cleanly', async () => {
  const started = Date.now();
  const w = await openWatch(ts, `${CM}?watch=true&timeoutSeconds=1&resourceVersion=0`);
  await w.ended;
  const took = Date.now() - started;
  assert.ok(took >= 900 && took < 5000, `ended after ${took} ms`);
});

test('a named watch is a watch on metadata.name', async () => {
  const created = (await ts.req('POST', CM, cm('named'))).json<{ metadata: { resourceVersion: string } }>();
  await ts.req('POST', CM, cm('other'));
  const w = await openWatch(ts, `/api/v1/watch/namespaces/default/configmaps/named?resourceVersion=${created.metadata.resourceVersion}`);
  await ts.req('DELETE', `${CM}/other`);
  await ts.req('DELETE', `${CM}/named`);
  const [e] = await w.waitFor(1);
  w.close();
  assert.is(e.type, 'DELETED');
  assert.is(e.object.metadata.name, 'named');
});

test('watches of one cluster do not see another cluster', async () => {
  const w = await openWatch(ts, `/clusters/spoke-1${CM}?watch=true&resourceVersion=0&allowWatchBookmarks=false`);
  await ts.req('POST', CM, cm('hub-only'));
  await ts.req('POST', `/clusters/spoke-1${CM}`, cm('spoke-only'));
  const [e] = await w.waitFor(1);
  await new Promise((r) => setTimeout(r, 100));
  w.close();
  assert.is(w.events.length, 1);
  assert.is(e.object.metadata.name, 'spoke-only');
});

test.run();
