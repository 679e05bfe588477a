import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CAPACITY_VERBS, loadCapacityProfile, type CapacityProfile } from '../../../model/capacity/profile.js';
import { meanServiceTimeMs, serviceTimeMs, type ServiceRequest } from '../../../model/capacity/service-time.js';
import { seededRng, type Rng } from '../../../model/rng.js';
import { isStatus } from '../../../model/status.js';

function load(name: string): CapacityProfile {
  const p = loadCapacityProfile(name);
  if (isStatus(p)) throw new Error(p.message);
  return p;
}

const failingRng: Rng = { next: () => { throw new Error('drew from the rng'); } };

function req(over: Partial<ServiceRequest>): ServiceRequest {
  return { verb: 'get', objectCount: 1, bytes: 2048, cluster: 'hub', ...over };
}

test('none answers zero for every verb without drawing randomness', () => {
  const none = load('none');
  for (const verb of CAPACITY_VERBS) assert.is(serviceTimeMs(none, req({ verb, objectCount: 5000, bytes: 1e6 }), failingRng), 0);
});

test('a list costs more the more objects it scans', () => {
  const p = load('default');
  const small = meanServiceTimeMs(p, req({ verb: 'list', objectCount: 10, bytes: 10 * 4096 }));
  const large = meanServiceTimeMs(p, req({ verb: 'list', objectCount: 10_000, bytes: 10 * 4096 }));
  assert.ok(large > small);
  assert.ok(Math.abs(large - small - 9_990 * p.verbs.list.perObjectMs) < 1e-9);
});

test('a write costs more the larger its body', () => {
  const p = load('default');
  const small = meanServiceTimeMs(p, req({ verb: 'create', bytes: 1024 }));
  const large = meanServiceTimeMs(p, req({ verb: 'create', bytes: 1024 * 1024 }));
  assert.ok(Math.abs(large - small - 1023 * p.verbs.create.perKiBMs) < 1e-9);
});

test('the default profile prices a small GET in milliseconds, as a real control plane answers', () => {
  const ms = meanServiceTimeMs(load('default'), req({}));
  assert.ok(ms > 0.5 && ms < 5, `${ms} ms`);
});

test('a cluster multiplier scales that cluster only', () => {
  const base = load('default');
  const p: CapacityProfile = { ...base, clusters: { slow: 3 } };
  assert.is(meanServiceTimeMs(p, req({ cluster: 'slow' })), 3 * meanServiceTimeMs(p, req({ cluster: 'hub' })));
  assert.is(meanServiceTimeMs(p, req({ cluster: 'constructor' })), meanServiceTimeMs(p, req({})));
});

test('the same seed gives the same service times', () => {
  const p = load('default');
  const draw = (seed: number): number[] => {
    const rng = seededRng(seed);
    return Array.from({ length: 5 }, () => serviceTimeMs(p, req({ verb: 'patch' }), rng));
  };
  assert.equal(draw(42), draw(42));
  assert.not.equal(draw(42), draw(43));
});

test('jitter keeps the mean: 10,000 draws average within 2% of the profile mean', () => {
  const p = load('default');
  const rng = seededRng(7);
  const r = req({ verb: 'update', bytes: 8192 });
  let sum = 0;
  let min = Infinity;
  let max = 0;
  for (let i = 0; i < 10_000; i++) {
    const t = serviceTimeMs(p, r, rng);
    sum += t;
    min = Math.min(min, t);
    max = Math.max(max, t);
  }
  const mean = meanServiceTimeMs(p, r);
  assert.ok(Math.abs(sum / 10_000 / mean - 1) < 0.02, `average ${sum / 10_000} vs mean ${mean}`);
  assert.ok(min > 0 && max > 2 * mean, 'right-skewed, never negative');
});

test.run();
