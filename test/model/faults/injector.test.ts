import { Registry } from 'prom-client';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FaultInjector, type FaultCounter, type FaultDecision, type FaultRequest } from '../../../model/faults/injector.js';
import { faultMetrics } from '../../../model/faults/metrics.js';
import { parseFaultRules } from '../../../model/faults/parse.js';
import type { FaultActionType } from '../../../model/faults/rules.js';
import { seededRng, type Rng } from '../../../model/rng.js';
import { isStatus } from '../../../model/status.js';

const noDraws: Rng = { next: () => { throw new Error('drew from the rng'); } };

function injector(rules: unknown[], rng: Rng = noDraws, counter?: FaultCounter): FaultInjector {
  const parsed = parseFaultRules({ rules }, 'test');
  if (isStatus(parsed)) throw new Error(parsed.message);
  const inj = new FaultInjector(rng, counter);
  inj.setRules(parsed);
  return inj;
}

const request: FaultRequest = {
  cluster: 'spoke-1', verb: 'get', group: '', resource: 'pods', namespace: 'default', name: 'web-0',
  userAgent: 'kubectl/v1.32.0 (linux/amd64) kubernetes/abc1234',
};

function req(over: Partial<FaultRequest>): FaultRequest {
  return { ...request, ...over };
}

function fires(inj: FaultInjector, r: FaultRequest): boolean {
  return inj.match(r) !== undefined;
}

const slow = { type: 'latency', ms: 50 };

test('no rules, no decision', () => {
  const inj = new FaultInjector(noDraws);
  assert.is(inj.match(request), undefined);
  assert.equal(inj.getRules(), []);
});

test('getRules returns the rules as set', () => {
  const inj = injector([{ name: 'a', action: slow }]);
  assert.equal(inj.getRules(), [{ name: 'a', match: {}, probability: 1, action: { type: 'latency', ms: 50 } }]);
  inj.setRules([]);
  assert.is(inj.match(request), undefined);
});

test('selects by cluster', () => {
  const inj = injector([{ name: 'a', match: { clusters: ['spoke-1', 'spoke-2'] }, action: slow }]);
  assert.ok(fires(inj, req({ cluster: 'spoke-2' })));
  assert.not.ok(fires(inj, req({ cluster: 'hub' })));
});

test('selects by verb', () => {
  const inj = injector([{ name: 'a', match: { verbs: ['list', 'watch'] }, action: slow }]);
  assert.ok(fires(inj, req({ verb: 'list' })));
  assert.not.ok(fires(inj, req({ verb: 'get' })));
  assert.not.ok(fires(inj, req({ verb: 'proxy' })), 'verbs no rule can name never match');
});

test('selects by resource and its group', () => {
  const inj = injector([{ name: 'a', match: { resources: ['pods', 'deployments.apps', 'widgets.example.com'] }, action: slow }]);
  assert.ok(fires(inj, req({ group: '', resource: 'pods' })));
  assert.ok(fires(inj, req({ group: 'apps', resource: 'deployments' })));
  assert.ok(fires(inj, req({ group: 'example.com', resource: 'widgets' })));
  assert.not.ok(fires(inj, req({ group: 'extensions', resource: 'deployments' })), 'same resource, other group');
  assert.not.ok(fires(inj, req({ group: 'metrics.k8s.io', resource: 'pods' })));
  assert.not.ok(fires(inj, req({ group: '', resource: 'configmaps' })));
});

test('selects by namespace', () => {
  const inj = injector([{ name: 'a', match: { namespaces: ['default'] }, action: slow }]);
  assert.ok(fires(inj, request));
  assert.not.ok(fires(inj, req({ namespace: 'kube-system' })));
  assert.not.ok(fires(inj, req({ namespace: '' })), 'cluster-scoped requests have no namespace');
});

test('selects by user agent substring', () => {
  const inj = injector([{ name: 'a', match: { userAgent: { substring: 'kube-controller-manager' } }, action: slow }]);
  assert.ok(fires(inj, req({ userAgent: 'kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/abc/deployment-controller' })));
  assert.not.ok(fires(inj, request));
});

test('selects by user agent regex', () => {
  const inj = injector([{ name: 'a', match: { userAgent: { regex: '^kubectl/v1\\.3[0-9]\\.' } }, action: slow }]);
  assert.ok(fires(inj, request));
  assert.not.ok(fires(inj, req({ userAgent: 'kubectl/v1.29.1 (linux/amd64)' })));
  assert.not.ok(fires(inj, req({ userAgent: 'my-kubectl/v1.32.0' })));
});

test('every selector must match', () => {
  const inj = injector([{ name: 'a', match: { verbs: ['get'], namespaces: ['default'], clusters: ['hub'] }, action: slow }]);
  assert.not.ok(fires(inj, request), 'cluster differs');
  assert.ok(fires(inj, req({ cluster: 'hub' })));
});

test('the first matching rule wins', () => {
  const inj = injector([
    { name: 'specific', match: { resources: ['pods'] }, action: { type: 'latency', ms: 1 } },
    { name: 'general', action: { type: 'latency', ms: 2 } },
  ]);
  assert.is(inj.match(request)?.rule, 'specific');
  assert.is(inj.match(req({ resource: 'secrets' }))?.rule, 'general');
});

test('an action applies only to the verbs it happens to, whatever the selector omits', () => {
  const inj = injector([
    { name: 'conflicts', action: { type: 'conflict' } },
    { name: 'cut', action: { type: 'cutWatch', afterEvents: 2 } },
    { name: 'timeouts', action: { type: 'timeout' } },
  ]);
  assert.is(inj.match(req({ verb: 'update' }))?.rule, 'conflicts');
  assert.is(inj.match(req({ verb: 'watch' }))?.rule, 'cut');
  assert.is(inj.match(req({ verb: 'list' }))?.rule, 'timeouts');
  const full = injector([{ name: 'full', match: { verbs: ['create', 'delete'] }, action: { type: 'databaseSpaceExceeded' } }]);
  assert.ok(fires(full, req({ verb: 'create' })));
  assert.not.ok(fires(full, req({ verb: 'delete' })), 'a full etcd still deletes');
});

// 10,000 draws at p = 0.3: mean 3,000, standard deviation sqrt(10000*0.3*0.7) = 45.8;
// the stated tolerance is +-150 (3.3 sd).
test('probability is honoured: 10,000 requests at 0.3 fire 3,000 +- 150 times', () => {
  const inj = injector([{ name: 'a', probability: 0.3, action: slow }], seededRng(1234));
  let fired = 0;
  for (let i = 0; i < 10_000; i++) if (fires(inj, request)) fired++;
  assert.ok(Math.abs(fired - 3000) <= 150, `fired ${fired} times`);
});

test('probability 0 never fires and probability 1 draws nothing', () => {
  const never = injector([{ name: 'a', probability: 0, action: slow }], seededRng(1));
  for (let i = 0; i < 1000; i++) assert.not.ok(fires(never, request));
  assert.ok(fires(injector([{ name: 'a', action: slow }], noDraws), request));
});

test('a rule that loses its draw lets the next one try', () => {
  const inj = injector([
    { name: 'sometimes', probability: 0.5, action: { type: 'latency', ms: 1 } },
    { name: 'always', action: { type: 'latency', ms: 2 } },
  ], seededRng(99));
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) seen.add(inj.match(request)?.rule ?? 'none');
  assert.equal([...seen].sort(), ['always', 'sometimes']);
});

test('fixed latency delays and then serves', () => {
  const d = injector([{ name: 'a', action: slow }]).match(request);
  assert.equal(d, { rule: 'a', action: 'latency', delayMs: 50 });
});

test('ranged latency stays in range and replays with the same seed', () => {
  const draw = (seed: number): number[] => {
    const inj = injector([{ name: 'a', action: { type: 'latency', minMs: 100, maxMs: 300 } }], seededRng(seed));
    return Array.from({ length: 1000 }, () => (inj.match(request) as FaultDecision).delayMs);
  };
  const a = draw(5);
  assert.ok(a.every((ms) => ms >= 100 && ms < 300));
  assert.ok(Math.min(...a) < 110 && Math.max(...a) > 290, 'spans the range');
  assert.equal(draw(5), a);
});

test('injected faults are counted by rule and action', async () => {
  const registry = new Registry();
  const inj = injector([
    { name: 'throttle', match: { verbs: ['create'] }, action: { type: 'tooManyRequests' } },
    { name: 'slow', action: slow },
  ], noDraws, faultMetrics(registry));
  inj.match(req({ verb: 'create' }));
  inj.match(req({ verb: 'create' }));
  inj.match(request);
  const metric = await registry.getSingleMetric('kemu_injected_faults_total')?.get();
  const counts = metric?.values.map((v) => [v.labels.rule, v.labels.action, v.value]);
  assert.equal(counts, [['throttle', 'tooManyRequests', 2], ['slow', 'latency', 1]]);
});

test('a plain counter sees each injected fault once', () => {
  const seen: [string, FaultActionType][] = [];
  const inj = injector([{ name: 'x', match: { verbs: ['patch'] }, action: { type: 'conflict' } }], noDraws, { inc: (r, a) => seen.push([r, a]) });
  inj.match(req({ verb: 'patch' }));
  inj.match(req({ verb: 'get' }));
  assert.equal(seen, [['x', 'conflict']]);
});

test.run();
