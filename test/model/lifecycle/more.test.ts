// The other simulated controllers on a virtual clock: KubeVirt VMIs walk their phases only as
// the stage delays pass, node Leases renew every 10 s of virtual time, a Job completes, a
// DaemonSet runs one pod per node, and a new namespace gets its `default` ServiceAccount.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { fixturesDir } from '../../../model/fixtures.js';
import { Harness } from './harness.js';

test('a VMI goes Pending -> Scheduling -> Scheduled -> Running, no sooner than the stage delays allow', async () => {
  const h = await Harness.start({ crdsDir: join(fixturesDir(), 'crds', 'kubevirt') });
  try {
    const phases: string[] = [];
    const stop = h.store.subscribe((e) => {
      const phase = (e.object.status as { phase?: string } | undefined)?.phase;
      if (e.key.resource === 'virtualmachineinstances' && phase && phases[phases.length - 1] !== phase) phases.push(phase);
    });
    const vmi = parse(readFileSync(join(fixturesDir(), 'manifests', 'kubevirt', 'vmi-fedora.yaml'), 'utf8')) as Record<string, unknown>;
    await h.create('kubevirt.io', 'virtualmachineinstances', 'default', vmi);
    const running = () => (h.get('kubevirt.io', 'virtualmachineinstances', 'default', 'vmi-fedora')?.status as { phase?: string } | undefined)?.phase === 'Running';
    const elapsed = await h.runUntil(running, 'VMI Running', 60_000);
    stop();
    assert.equal(phases, ['Pending', 'Scheduling', 'Scheduled', 'Running']);
    // fixtures/kwok-stages/vmi: at least 0 + 500 + 1000 + 1000 ms, at most 200 + 1000 + 2000 + 2000 ms.
    assert.ok(elapsed >= 2500 && elapsed <= 5200, `Running after ${elapsed} virtual ms`);
    const status = h.get('kubevirt.io', 'virtualmachineinstances', 'default', 'vmi-fedora')?.status as { nodeName?: string; conditions?: { type: string; status: string }[] };
    assert.match(status.nodeName ?? '', /^kwok-node-\d$/);
    assert.ok(status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  } finally {
    await h.close();
  }
});

test('node Leases are renewed every 10 s of virtual time', async () => {
  const h = await Harness.start();
  try {
    const lease = () => h.get('coordination.k8s.io', 'leases', 'kube-node-lease', 'kwok-node-0')?.spec as { renewTime?: string; holderIdentity?: string; leaseDurationSeconds?: number } | undefined;
    await h.runUntil(() => lease() !== undefined, 'a Lease for kwok-node-0', 30_000);
    const first = lease()!;
    assert.is(first.holderIdentity, 'kwok-node-0');
    assert.is(first.leaseDurationSeconds, 40);
    h.clock.advance(9_000);
    await h.settle();
    assert.is(lease()!.renewTime, first.renewTime);
    const spent = await h.runUntil(() => lease()!.renewTime !== first.renewTime, 'a renewal', 20_000);
    assert.ok(spent <= 2_000, `renewed ${9_000 + spent} ms after the first`);
    assert.is(Date.parse(lease()!.renewTime!) - Date.parse(first.renewTime!), 10_000);
  } finally {
    await h.close();
  }
});

test('a Job of 3 completions completes; a DaemonSet runs one pod per node; a namespace gets its default ServiceAccount', async () => {
  const h = await Harness.start();
  try {
    await h.namespace('work');
    await h.runUntil(() => h.get('', 'serviceaccounts', 'work', 'default') !== undefined, 'default ServiceAccount', 10_000);
    const template = { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } };
    await h.create('batch', 'jobs', 'work', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { completions: 3, parallelism: 2, template } });
    const complete = () => ((h.get('batch', 'jobs', 'work', 'j')?.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [])
      .some((c) => c.type === 'Complete' && c.status === 'True');
    await h.runUntil(complete, 'Job Complete', 120_000);
    assert.is((h.get('batch', 'jobs', 'work', 'j')?.status as { succeeded?: number }).succeeded, 3);
    await h.create('apps', 'daemonsets', 'work', {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent' },
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent' }] } } },
    });
    const agents = () => h.list('', 'pods', 'work').filter((p) => p.metadata.labels?.app === 'agent' && (p.status as { phase?: string } | undefined)?.phase === 'Running');
    await h.runUntil(() => agents().length === 3, 'three agent pods Running', 60_000);
    assert.equal(agents().map((p) => (p.spec as { nodeName?: string }).nodeName).sort(), ['kwok-node-0', 'kwok-node-1', 'kwok-node-2']);
  } finally {
    await h.close();
  }
});

test.run();
