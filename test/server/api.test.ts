import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntilAsync } from '../helpers/wait-until.js';

let ts: TestServer;
const CM = '/api/v1/namespaces/default/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
type Obj = { kind: string; metadata: Record<string, unknown> & { name: string; resourceVersion: string; uid: string }; [k: string]: unknown };

const deployment = (name: string, replicas = 1) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});

test.before(async () => {
  ts = await startTestServer();
});
test.after(async () => {
  await ts.close();
});

test('create sets uid, second-precision creationTimestamp and resourceVersion, and answers 201', async () => {
  const res = await ts.req('POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'meta', uid: 'mine', resourceVersion: '999' } });
  assert.is(res.status, 201);
  const o = res.json<Obj>();
  assert.match(o.metadata.uid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(String(o.metadata.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.is.not(o.metadata.resourceVersion, '999');
  assert.is(o.metadata.generation, undefined, 'configmaps carry no generation');
  const got = await ts.req('GET', `${CM}/meta`);
  assert.is(got.text, res.text, 'GET serves the stored bytes');
});

test('generateName appends five characters from the apiserver alphabet', async () => {
  const res = await ts.req('POST', CM, { metadata: { generateName: 'gen-' } });
  assert.is(res.status, 201);
  assert.match(res.json<Obj>().metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

test('a stale resourceVersion on update is 409 Conflict with the optimistic-lock message', async () => {
  const created = (await ts.req('POST', CM, { metadata: { name: 'stale' }, data: { a: '1' } })).json<Obj>();
  const ok = await ts.req('PUT', `${CM}/stale`, { metadata: { name: 'stale', resourceVersion: created.metadata.resourceVersion }, data: { a: '2' } });
  assert.is(ok.status, 200);
  const bad = await ts.req('PUT', `${CM}/stale`, { metadata: { name: 'stale', resourceVersion: created.metadata.resourceVersion }, data: { a: '3' } });
  assert.is(bad.status, 409);
  const s = bad.json<{ reason: string; message: string; details: Record<string, string> }>();
  assert.is(s.reason, 'Conflict');
  assert.is(s.message, 'Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again');
  assert.equal(s.details, { name: 'stale', kind: 'configmaps' });
});

test('an update that changes nothing keeps the resourceVersion', async () => {
  const created = (await ts.req('POST', CM, { metadata: { name: 'noop' }, data: { a: '1' } })).json<Obj>();
  const again = await ts.req('PUT', `${CM}/noop`, { metadata: { name: 'noop' }, data: { a: '1' } });
  assert.is(again.json<Obj>().metadata.resourceVersion, created.metadata.resourceVersion);
});

test('generation starts at 1 and moves with the spec only; status writes go through /status', async () => {
  const d = (await ts.req('POST', DEPLOY, { ...deployment('web'), status: { replicas: 7 } })).json<Obj>();
  assert.is(d.metadata.generation, 1);
  assert.is(d.status, undefined, 'create drops status for types with a status subresource');
  const labelled = (await ts.req('PUT', `${DEPLOY}/web`, { ...deployment('web'), metadata: { name: 'web', labels: { x: 'y' } } })).json<Obj>();
  assert.is(labelled.metadata.generation, 1);
  const scaled = (await ts.req('PUT', `${DEPLOY}/web`, deployment('web', 3))).json<Obj>();
  assert.is(scaled.metadata.generation, 2);
  const st = await ts.req('PUT', `${DEPLOY}/web/status`, { ...deployment('web', 9), status: { replicas: 3 } });
  assert.is(st.status, 200);
  const after = st.json<Obj & { spec: { replicas: number }; status: { replicas: number } }>();
  assert.is(after.status.replicas, 3);
  assert.is(after.spec.replicas, 3, 'a /status write does not change spec');
  const main = (await ts.req('PUT', `${DEPLOY}/web`, { ...deployment('web', 3), status: { replicas: 0 } })).json<Obj & { status: { replicas: number } }>();
  assert.is(main.status.replicas, 3, 'a main-resource write does not change status');
});

test('finalizers hold a deleted object with deletionTimestamp until they are removed', async () => {
  await ts.req('POST', CM, { metadata: { name: 'fin', finalizers: ['example.com/hold'], ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'meta', uid: '0b5e8c7e-0000-4000-8000-000000000001' }] } });
  const del = await ts.req('DELETE', `${CM}/fin`);
  assert.is(del.status, 200);
  const held = del.json<Obj>();
  assert.ok(held.metadata.deletionTimestamp);
  assert.is(held.metadata.deletionGracePeriodSeconds, 0);
  assert.is((held.metadata.ownerReferences as unknown[]).length, 1, 'ownerReferences are kept');
  const added = await ts.req('PUT', `${CM}/fin`, { metadata: { name: 'fin', finalizers: ['example.com/hold', 'example.com/more'] } });
  assert.is(added.status, 422);
  const released = await ts.req('PUT', `${CM}/fin`, { metadata: { name: 'fin', finalizers: [] } });
  assert.is(released.status, 200);
  assert.is((await ts.req('GET', `${CM}/fin`)).status, 404);
});

test('DELETE answers a Success Status for configmaps and the object for pods', async () => {
  await ts.req('POST', CM, { metadata: { name: 'gone' } });
  const s = (await ts.req('DELETE', `${CM}/gone`)).json<{ kind: string; status: string; details: { name: string; kind: string; uid: string } }>();
  assert.is(s.kind, 'Status');
  assert.is(s.status, 'Success');
  assert.is(s.details.kind, 'configmaps');
  assert.ok(s.details.uid);
  await ts.req('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const p = (await ts.req('DELETE', '/api/v1/namespaces/default/pods/p')).json<Obj>();
  assert.is(p.kind, 'Pod');
});

test('dryRun=All runs validation but stores nothing', async () => {
  const res = await ts.req('POST', `${CM}?dryRun=All`, { metadata: { name: 'dry' } });
  assert.is(res.status, 201);
  assert.ok(res.json<Obj>().metadata.uid);
  assert.is((await ts.req('GET', `${CM}/dry`)).status, 404);
  const bad = await ts.req('POST', `${CM}?dryRun=Some`, { metadata: { name: 'dry' } });
  assert.is(bad.status, 422);
});

test('namespaces: system ones exist, default may not be deleted, deletion finalizes once content is gone', async () => {
  const names = (await ts.req('GET', '/api/v1/namespaces')).json<{ items: Obj[] }>().items.map((n) => n.metadata.name);
  for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(names.includes(n), n);
  const forbidden = await ts.req('DELETE', '/api/v1/namespaces/default');
  assert.is(forbidden.status, 403);
  assert.is(forbidden.json<{ message: string }>().message, 'namespaces "default" is forbidden: this namespace may not be deleted');
  const ns = (await ts.req('POST', '/api/v1/namespaces', { metadata: { name: 'doomed' } })).json<Obj & { spec: { finalizers: string[] }; status: { phase: string } }>();
  assert.equal(ns.spec.finalizers, ['kubernetes']);
  assert.is(ns.status.phase, 'Active');
  await ts.req('POST', '/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'plain' } });
  await ts.req('POST', '/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
  const del = (await ts.req('DELETE', '/api/v1/namespaces/doomed')).json<Obj & { status: { phase: string } }>();
  assert.is(del.status.phase, 'Terminating');
  const again = await ts.req('DELETE', '/api/v1/namespaces/doomed');
  assert.is(again.status, 409);
  const create = await ts.req('POST', '/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'c' } });
  assert.is(create.status, 403);
  assert.is(create.json<{ message: string }>().message, 'configmaps "c" is forbidden: unable to create new content in namespace doomed because it is being terminated');
  await waitUntilAsync('the doomed ConfigMap to be gone', async () => (await ts.req('GET', '/api/v1/namespaces/doomed/configmaps/plain')).status === 404, 5_000);
  assert.is((await ts.req('GET', '/api/v1/namespaces/doomed')).status, 200, 'held by content with a finalizer');
  await ts.req('PUT', '/api/v1/namespaces/doomed/configmaps/held', { metadata: { name: 'held', finalizers: [] } });
  await waitUntilAsync('the doomed namespace to be gone', async () => (await ts.req('GET', '/api/v1/namespaces/doomed')).status === 404, 5_000);
});

test('list: label and field selectors, limit and continue, remainingItemCount', async () => {
  for (let i = 0; i < 5; i++) await ts.req('POST', '/api/v1/namespaces/kube-public/configmaps', { metadata: { name: `l${i}`, labels: i % 2 ? { odd: 'yes' } : {} } });
  const base = '/api/v1/namespaces/kube-public/configmaps';
  const odd = (await ts.req('GET', `${base}?labelSelector=odd`)).json<{ items: Obj[] }>().items.map((o) => o.metadata.name);
  assert.equal(odd, ['l1', 'l3']);
  const notOdd = (await ts.req('GET', `${base}?labelSelector=odd!%3Dyes`)).json<{ items: Obj[] }>().items.map((o) => o.metadata.name);
  assert.equal(notOdd, ['l0', 'l2', 'l4'], '!= matches objects without the key');
  const byName = (await ts.req('GET', `${base}?fieldSelector=metadata.name%3Dl2`)).json<{ items: Obj[] }>().items.map((o) => o.metadata.name);
  assert.equal(byName, ['l2']);
  const p1 = (await ts.req('GET', `${base}?limit=2`)).json<{ items: Obj[]; metadata: { continue: string; remainingItemCount: number; resourceVersion: string } }>();
  assert.equal(p1.items.map((o) => o.metadata.name), ['l0', 'l1']);
  assert.is(p1.metadata.remainingItemCount, 3);
  const p2 = (await ts.req('GET', `${base}?limit=2&continue=${p1.metadata.continue}`)).json<{ items: Obj[]; metadata: { continue: string } }>();
  assert.equal(p2.items.map((o) => o.metadata.name), ['l2', 'l3']);
  const p3 = (await ts.req('GET', `${base}?limit=2&continue=${p2.metadata.continue}`)).json<{ items: Obj[]; metadata: { continue?: string } }>();
  assert.equal(p3.items.map((o) => o.metadata.name), ['l4']);
  assert.is(p3.metadata.continue, undefined);
  const all = (await ts.req('GET', `${base}?limit=2&resourceVersion=0`)).json<{ items: Obj[] }>();
  assert.is(all.items.length, 5, 'resourceVersion=0 ignores limit');
  const badField = await ts.req('GET', `${base}?fieldSelector=spec.foo%3Dx`);
  assert.is(badField.status, 400);
});

test('the list resourceVersion is the store resourceVersion and grows with every write', async () => {
  const a = Number((await ts.req('GET', CM)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion);
  await ts.req('POST', '/api/v1/namespaces/kube-system/configmaps', { metadata: { name: 'elsewhere' } });
  const b = Number((await ts.req('GET', CM)).json<{ metadata: { resourceVersion: string } }>().metadata.resourceVersion);
  assert.ok(b > a);
});

test('a Service update that leaves out its allocated addresses keeps them', async () => {
  const svc = { metadata: { name: 'np' }, spec: { type: 'NodePort', selector: { app: 'x' }, ports: [{ port: 80 }] } };
  const created = (await ts.req('POST', '/api/v1/namespaces/default/services', svc)).json<{ spec: { clusterIP: string; ports: { nodePort: number }[] } }>();
  assert.match(created.spec.clusterIP, /^10\.(9[6-9]|1[01]\d)\.\d+\.\d+$/);
  const updated = await ts.req('PUT', '/api/v1/namespaces/default/services/np', { ...svc, metadata: { name: 'np', labels: { l: '1' } } });
  assert.is(updated.status, 200);
  const u = updated.json<{ spec: { clusterIP: string; ports: { nodePort: number }[] } }>();
  assert.is(u.spec.clusterIP, created.spec.clusterIP);
  assert.is(u.spec.ports[0].nodePort, created.spec.ports[0].nodePort);
});

test('SelfSubjectReview answers who the caller is', async () => {
  const res = await ts.req('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: {} });
  assert.is(res.status, 201);
  const ui = res.json<{ status: { userInfo: { username: string; groups: string[] } } }>().status.userInfo;
  assert.is(ui.username, 'kemu-admin');
  assert.ok(ui.groups.includes('system:masters'));
});

test('metrics use kube-apiserver names and labels plus cluster', async () => {
  const text = (await ts.req('GET', '/metrics')).text;
  assert.match(text, /apiserver_request_total\{verb="POST",dry_run="",group="",version="v1",resource="configmaps",subresource="",scope="namespace",component="apiserver",cluster="hub",code="201"\} \d+/);
  assert.match(text, /apiserver_request_duration_seconds_bucket\{le="0.005",verb="GET"/);
  assert.match(text, /apiserver_storage_objects\{resource="namespaces",cluster="hub"\} 4/);
  // The most in flight in the last whole second, as the apiserver's watermark reports it.
  assert.match(text, /apiserver_current_inflight_requests\{request_kind="readOnly",cluster="hub"\} \d+/);
  assert.match(text, /apiserver_flowcontrol_dispatched_requests_total\{priority_level="exempt",flow_schema="exempt",cluster="hub"\} \d+/);
  assert.match(text, /apiserver_flowcontrol_nominal_limit_seats\{priority_level="global-default",cluster="hub"\} 49/);
});

test('clusters can be added and removed at run time through the admin API', async () => {
  const add = await ts.req('POST', '/kemu/v1/clusters', { name: 'extra' });
  assert.is(add.status, 201);
  const ns = await ts.req('GET', '/clusters/extra/api/v1/namespaces/kube-system');
  assert.is(ns.status, 200);
  assert.is((await ts.req('POST', '/kemu/v1/clusters', { name: 'extra' })).status, 409);
  const names = (await ts.req('GET', '/kemu/v1/clusters')).json<{ items: { name: string }[] }>().items.map((c) => c.name);
  assert.equal(names, ['hub', 'extra', 'spoke-1']);
  assert.is((await ts.req('DELETE', '/kemu/v1/clusters/extra')).status, 200);
  assert.is((await ts.req('GET', '/clusters/extra/api/v1/namespaces')).status, 404);
});

test.run();
