// A CustomResourceDefinition's life on a running kemu: created, established (conditions,
// discovery, OpenAPI), its custom resources served with schema defaulting, pruning and
// validation, status and scale subresources and printer columns, then deleted with its objects.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer, type TestServer } from '../helpers/server.js';

let t: TestServer;

const WIDGETS = '/apis/example.com/v1/namespaces/default/widgets';
const CRD_PATH = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'], categories: ['all'] },
    versions: [{
      name: 'v1', served: true, storage: true,
      subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
      additionalPrinterColumns: [
        { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
        { name: 'Color', type: 'string', jsonPath: '.spec.color' },
      ],
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object',
              required: ['size'],
              properties: {
                size: { type: 'integer', minimum: 1 },
                color: { type: 'string', enum: ['red', 'blue'], default: 'red' },
                replicas: { type: 'integer' },
                free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
            status: { type: 'object', properties: { replicas: { type: 'integer' }, selector: { type: 'string' }, phase: { type: 'string' } } },
          },
        },
      },
    }],
  },
};

test.before(async () => {
  t = await startTestServer({ spokes: 1 });
});

test.after(async () => {
  await t.close();
});

test('creating a CRD establishes it and serves the new resource', async () => {
  const created = await t.req('POST', CRD_PATH, crd);
  assert.is(created.status, 201, created.text);
  // The resource is served as soon as the CRD is stored; the conditions follow a moment later,
  // as clients that wait for Established expect.
  let got = await t.req('GET', `${CRD_PATH}/widgets.example.com`);
  for (let i = 0; i < 100 && !got.text.includes('"Established"'); i++) {
    await new Promise((r) => setTimeout(r, 20));
    got = await t.req('GET', `${CRD_PATH}/widgets.example.com`);
  }
  const status = got.json<{ status: { conditions: { type: string; status: string; reason: string }[]; acceptedNames: { kind: string }; storedVersions: string[] } }>().status;
  assert.equal(status.conditions.map((c) => [c.type, c.status, c.reason]), [['NamesAccepted', 'True', 'NoConflicts'], ['Established', 'True', 'InitialNamesAccepted']]);
  assert.is(status.acceptedNames.kind, 'Widget');
  assert.equal(status.storedVersions, ['v1']);

  const legacy = (await t.req('GET', '/apis/example.com/v1')).json<{ resources: { name: string; shortNames?: string[] }[] }>();
  assert.equal(legacy.resources.map((r) => r.name), ['widgets', 'widgets/scale', 'widgets/status']);
  assert.equal(legacy.resources[0].shortNames, ['wd']);
  const agg = (await t.req('GET', '/apis', undefined, { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' }))
    .json<{ items: { metadata: { name: string } }[] }>();
  assert.ok(agg.items.some((g) => g.metadata.name === 'example.com'));
  const index = (await t.req('GET', '/openapi/v3')).json<{ paths: Record<string, unknown> }>();
  assert.ok(index.paths['apis/example.com/v1']);
});

test('CRDs are per cluster: the spoke does not serve the hub\'s widgets', async () => {
  const res = await t.req('GET', `/clusters/spoke-1${WIDGETS}`);
  assert.is(res.status, 404);
});

test('custom resources: defaults, pruning with a warning, strict field validation, schema errors', async () => {
  const w = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 3, bogus: 1, free: { anything: { goes: true } } } };
  const res = await t.req('POST', WIDGETS, w);
  assert.is(res.status, 201, res.text);
  const body = res.json<{ spec: Record<string, unknown>; metadata: { generation: number } }>();
  assert.is(body.spec.color, 'red');
  assert.is(body.spec.bogus, undefined);
  assert.equal(body.spec.free, { anything: { goes: true } });
  assert.is(body.metadata.generation, 1);
  assert.match(String(res.headers.warning), /unknown field \\"spec.bogus\\"/);

  const strict = await t.req('POST', `${WIDGETS}?fieldValidation=Strict`, { ...w, metadata: { name: 'w2' } });
  assert.is(strict.status, 400);
  assert.match(strict.json<{ message: string }>().message, /strict decoding error: unknown field "spec.bogus"/);

  const bad = await t.req('POST', WIDGETS, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w3' }, spec: { size: 0, color: 'green' } });
  assert.is(bad.status, 422);
  const causes = bad.json<{ details: { causes: { field: string }[] } }>().details.causes.map((c) => c.field);
  assert.ok(causes.includes('spec.size'), JSON.stringify(causes));
  assert.ok(causes.includes('spec.color'), JSON.stringify(causes));
  assert.is((await t.req('GET', `${WIDGETS}/w3`)).status, 404);
});

test('status subresource, scale subresource and merge patch', async () => {
  const st = await t.req('PUT', `${WIDGETS}/w1/status`, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 99 }, status: { replicas: 2, selector: 'app=w1', phase: 'Ready' } });
  assert.is(st.status, 200, st.text);
  const after = st.json<{ spec: { size: number }; status: { phase: string } }>();
  assert.is(after.spec.size, 3);
  assert.is(after.status.phase, 'Ready');

  const scale = await t.req('GET', `${WIDGETS}/w1/scale`);
  assert.equal(scale.json<Record<string, unknown>>().status, { replicas: 2, selector: 'app=w1' });
  const scaled = await t.req('PATCH', `${WIDGETS}/w1/scale`, { spec: { replicas: 5 } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.is(scaled.status, 200, scaled.text);
  assert.is(scaled.json<{ kind: string; spec: { replicas: number } }>().spec.replicas, 5);
  const w = (await t.req('GET', `${WIDGETS}/w1`)).json<{ spec: { replicas: number }; metadata: { generation: number } }>();
  assert.is(w.spec.replicas, 5);
  assert.is(w.metadata.generation, 2);

  const smp = await t.req('PATCH', `${WIDGETS}/w1`, { spec: { size: 4 } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
  assert.is(smp.status, 415);
  assert.match(smp.json<{ message: string }>().message, /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/);
});

test('kubectl-style table with additionalPrinterColumns', async () => {
  const res = await t.req('GET', WIDGETS, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  const table = res.json<{ columnDefinitions: { name: string }[]; rows: { cells: unknown[] }[] }>();
  assert.equal(table.columnDefinitions.map((c) => c.name), ['Name', 'Size', 'Color']);
  assert.equal(table.rows[0].cells, ['w1', 3, 'red']);
});

test('deleting the CRD deletes its objects, then the CRD, and the resource is no longer served', async () => {
  const del = await t.req('DELETE', `${CRD_PATH}/widgets.example.com`);
  assert.is(del.status, 200, del.text);
  for (let i = 0; i < 100; i++) {
    if ((await t.req('GET', `${CRD_PATH}/widgets.example.com`)).status === 404) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.is((await t.req('GET', `${CRD_PATH}/widgets.example.com`)).status, 404);
  assert.is((await t.req('GET', WIDGETS)).status, 404);
  assert.is((await t.req('GET', '/apis/example.com/v1')).status, 404);
});

test('a CRD that fails validation is refused', async () => {
  const bad = structuredClone(crd);
  bad.metadata.name = 'wrong.example.com';
  const res = await t.req('POST', CRD_PATH, bad);
  assert.is(res.status, 422);
  assert.match(res.json<{ message: string }>().message, /metadata.name/);
});

test.run();
