// The simulated Hive syncset controllers of the hive-syncsets scenario, on the load client:
// - the syncset controller: ClusterDeployments × matching SelectorSyncSets → one SyncSetInstance
//   (SSI) each on the hub, in the cluster's namespace;
// - the syncsetinstance controller: a rate-limited workqueue of SSI keys drained by `workers`,
//   each reconcile applying the syncset's resources to the cluster's spoke and writing the SSI's
//   status, requeued rate limited on failure up to `retries` times.
// Hive's controllers run on informers; here the hub is read with one paged list each (what an
// informer's initial list does), enough for a run where nothing changes after creation — the
// figures measured are the SSI creation and apply throughput, not watch fan-out.
import { createHash } from 'node:crypto';
import type { RunContext, QueueGauge } from '../engine/context.js';
import type { Value } from '../engine/expr.js';
import type { ModuleResult } from '../engine/module-phase.js';
import type { RestClient, RestResult } from '../client/rest.js';
import { resourceRef, type ResourceRef } from '../client/resource.js';
import { sleep } from '../client/sleep.js';
import { RateLimitingQueue } from '../../model/workqueue/queue.js';
import { defaultControllerRateLimiter } from '../../model/workqueue/rate-limiters.js';
import { rfc3339 } from '../../model/clock.js';

type ApplyMode = 'client-side' | 'server-side';

interface Meta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: Meta;
  readonly [field: string]: unknown;
}

interface SelectorSyncSet extends KubeObject {
  readonly spec?: {
    readonly clusterDeploymentSelector?: { readonly matchLabels?: Readonly<Record<string, string>> };
    readonly resourceApplyMode?: string;
    readonly resources?: readonly KubeObject[];
  };
}

/** A syncset's resource with what every apply of it needs, worked out once per syncset. */
interface SyncResource {
  readonly object: KubeObject;
  /** Hive's SyncStatus.hash: the md5 of the resource as given. */
  readonly hash: string;
  /** The object with kubectl's last-applied annotation, sent by a client-side create. */
  readonly withLastApplied: KubeObject;
  readonly lastApplied: string;
}

interface Instance {
  readonly namespace: string;
  readonly name: string;
  readonly spoke: string;
  readonly syncSet: string;
}

interface Settings {
  readonly workers: number;
  readonly createWorkers: number;
  readonly applyMode: ApplyMode;
  readonly applyOverheadMs: number;
  readonly retries: number;
  readonly labelSelector: string;
  readonly fieldManager: string;
  readonly pageSize: number;
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const HIVE = 'hive.openshift.io/v1';
const CD = resourceRef(HIVE, 'clusterdeployments');
const SSS = resourceRef(HIVE, 'selectorsyncsets', false);
const SSI = resourceRef(HIVE, 'syncsetinstances');
const MERGE = 'application/merge-patch+json';

function num(v: Value | undefined, dflt: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : dflt;
}

function settingsOf(s: Readonly<Record<string, Value>>): Settings | string {
  const mode = String(s.applyMode ?? 'client-side');
  if (mode !== 'client-side' && mode !== 'server-side') return `applyMode must be client-side or server-side, got "${mode}"`;
  return {
    workers: Math.max(1, num(s.workers, 5)),
    createWorkers: Math.max(1, num(s.createWorkers, 50)),
    applyMode: mode,
    applyOverheadMs: Math.max(0, num(s.applyOverheadMs, 660)),
    retries: Math.max(0, num(s.retries, 5)),
    labelSelector: String(s.labelSelector ?? ''),
    fieldManager: String(s.fieldManager ?? 'hive'),
    pageSize: Math.max(1, num(s.pageSize, 500)),
  };
}

function describe(r: RestResult): string {
  const msg = (r.body as { message?: string } | undefined)?.message;
  return `HTTP ${r.status}${r.error ? ` ${r.error}` : ''}${typeof msg === 'string' ? `: ${msg}` : ''}`;
}

/** Every item of a collection, `limit`/`continue` page by page as client-go's pager does. */
async function listAll<T>(client: RestClient, ref: ResourceRef, pageSize: number, labelSelector: string): Promise<T[] | string> {
  const items: T[] = [];
  let cont: string | undefined;
  do {
    const r = await client.list(ref, undefined, { limit: pageSize, ...(labelSelector ? { labelSelector } : {}), ...(cont ? { continue: cont } : {}) });
    if (r.status !== 200) return `list ${ref.label}: ${describe(r)}`;
    const body = r.body as { items?: T[]; metadata?: { continue?: string } };
    items.push(...(body.items ?? []));
    cont = body.metadata?.continue || undefined;
  } while (cont);
  return items;
}

function matches(selector: Readonly<Record<string, string>> | undefined, labels: Readonly<Record<string, string>> | undefined): boolean {
  // matchLabels only: the scenario's syncsets use nothing else, and an empty selector selects all.
  return Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);
}

function syncResources(sss: SelectorSyncSet): SyncResource[] {
  return (sss.spec?.resources ?? []).map((object) => {
    const lastApplied = JSON.stringify(object);
    const withLastApplied: KubeObject = { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata.annotations, [LAST_APPLIED]: lastApplied } } };
    return { object, hash: createHash('md5').update(lastApplied).digest('hex'), withLastApplied, lastApplied };
  });
}

/**
 * SSIs finished per second, as a gauge the sampler reads once a second: the engine plots only
 * workqueue depths (ctx.queues), so the apply rate rides on that plot as `workqueue/<name>`.
 * It reports the last complete second, so how often it is read does not change the figure.
 */
class RateGauge implements QueueGauge {
  private second = -1;
  private current = 0;
  private last = 0;

  constructor(readonly name: string, private readonly seconds: () => number) {}

  mark(): void {
    this.roll();
    this.current++;
  }

  len(): number {
    this.roll();
    return this.last;
  }

  private roll(): void {
    const s = Math.floor(this.seconds());
    if (s === this.second) return;
    this.last = s === this.second + 1 ? this.current : 0;
    this.second = s;
    this.current = 0;
  }
}

export default async function hiveSyncSets(ctx: RunContext, raw: Readonly<Record<string, Value>>): Promise<ModuleResult> {
  const settings = settingsOf(raw);
  if (typeof settings === 'string') return { succeeded: 0, failed: 0, error: settings };
  const hub = ctx.client('hub');
  if (typeof hub === 'string') return { succeeded: 0, failed: 0, error: hub };

  const cds = await listAll<KubeObject>(hub, CD, settings.pageSize, settings.labelSelector);
  if (typeof cds === 'string') return { succeeded: 0, failed: 0, error: cds };
  const syncSets = await listAll<SelectorSyncSet>(hub, SSS, settings.pageSize, settings.labelSelector);
  if (typeof syncSets === 'string') return { succeeded: 0, failed: 0, error: syncSets };
  const resources = new Map(syncSets.map((s) => [s.metadata.name, syncResources(s)]));

  const wanted: Instance[] = [];
  for (const cd of cds) {
    // The scenario labels each ClusterDeployment with its spoke; Hive would read its kubeconfig.
    const spoke = cd.metadata.labels?.['kemu.io/spoke'];
    if (spoke === undefined || cd.metadata.namespace === undefined) continue;
    for (const sss of syncSets) {
      if (!matches(sss.spec?.clusterDeploymentSelector?.matchLabels, cd.metadata.labels)) continue;
      wanted.push({ namespace: cd.metadata.namespace, name: `${cd.metadata.name}-${sss.metadata.name}`, spoke, syncSet: sss.metadata.name });
    }
  }

  const byKey = new Map<string, Instance>();
  const queue = new RateLimitingQueue<string>({ name: 'syncsetinstances', clock: ctx.clock, rateLimiter: defaultControllerRateLimiter(ctx.clock), metrics: ctx.workqueueMetrics });
  const rate = new RateGauge('ssis-applied-per-second', () => ctx.seconds());
  ctx.queues.add(queue);
  ctx.queues.add(rate);
  let succeeded = 0;
  let failed = 0;
  let firstError: string | undefined;
  let remaining = wanted.length;
  const finish = (ok: boolean, error?: string): void => {
    if (ok) succeeded++;
    else { failed++; firstError ??= error; }
    ctx.progress();
    if (--remaining === 0) queue.shutDown();
  };

  // The syncset controller: creates the SSIs `createWorkers` at a time; each goes on the queue as
  // soon as it exists, as the SSI informer's add event would queue it, so applies overlap creation.
  let next = 0;
  const creator = async (): Promise<void> => {
    while (next < wanted.length) {
      const inst = wanted[next++];
      const r = await hub.create(SSI, inst.namespace, {
        apiVersion: HIVE, kind: 'SyncSetInstance',
        metadata: { name: inst.name, namespace: inst.namespace, labels: { 'hive.openshift.io/selector-syncset-name': inst.syncSet } },
        spec: {
          clusterDeploymentRef: { name: inst.namespace },
          selectorSyncSetRef: { name: inst.syncSet },
          resourceApplyMode: 'Upsert',
          syncSetHash: createHash('md5').update(JSON.stringify(resources.get(inst.syncSet)?.map((x) => x.hash))).digest('hex'),
        },
      });
      if (r.status !== 201 && r.status !== 409) { finish(false, `create SyncSetInstance ${inst.namespace}/${inst.name}: ${describe(r)}`); continue; }
      ctx.count('ssis-created');
      const key = `${inst.namespace}/${inst.name}`;
      byKey.set(key, inst);
      queue.add(key);
    }
  };

  const reconcile = async (inst: Instance): Promise<string | undefined> => {
    const spoke = ctx.client(inst.spoke);
    if (typeof spoke === 'string') return spoke;
    const statuses: unknown[] = [];
    for (const res of resources.get(inst.syncSet) ?? []) {
      const failure = await applyOne(ctx, spoke, inst.spoke, res, settings);
      if (failure !== undefined) return `${inst.namespace}/${inst.name}: ${failure}`;
      const now = rfc3339(ctx.clock.now());
      statuses.push({
        apiVersion: res.object.apiVersion, kind: res.object.kind, name: res.object.metadata.name, namespace: res.object.metadata.namespace ?? '',
        hash: res.hash, conditions: [{ type: 'ApplySuccess', status: 'True', reason: 'ApplySucceeded', message: 'Apply successful', lastProbeTime: now, lastTransitionTime: now }],
      });
    }
    const now = rfc3339(ctx.clock.now());
    // The status subresource, as Hive's r.Status().Update; a merge patch needs no resourceVersion.
    const r = await hub.request({
      verb: 'patch', resource: `${SSI.label}/status`, method: 'PATCH', contentType: MERGE,
      path: `${SSI.prefix}/namespaces/${encodeURIComponent(inst.namespace)}/${SSI.resource}/${encodeURIComponent(inst.name)}/status`,
      body: { status: { applied: true, firstSuccessTimestamp: now, resources: statuses, conditions: [] } },
      discardBody: true,
    });
    return r.status === 200 ? undefined : `status of ${inst.namespace}/${inst.name}: ${describe(r)}`;
  };

  // The syncsetinstance controller's workers.
  const worker = async (): Promise<void> => {
    for (;;) {
      const { item, shutdown } = await queue.get();
      if (shutdown) return;
      const inst = byKey.get(item)!;
      const started = ctx.clock.now();
      const error = await reconcile(inst);
      ctx.time('ssi-reconcile', ctx.clock.now() - started);
      if (error === undefined) {
        queue.forget(item);
        ctx.count('ssis-applied');
        rate.mark();
        finish(true);
      } else if (queue.numRequeues(item) < settings.retries) {
        ctx.count('ssi-reconcile-errors');
        queue.addRateLimited(item);
      } else {
        queue.forget(item);
        finish(false, `${error} (given up after ${settings.retries} requeues)`);
      }
      queue.done(item);
    }
  };

  if (remaining === 0) queue.shutDown();
  try {
    await Promise.all([
      ...Array.from({ length: Math.min(settings.createWorkers, Math.max(wanted.length, 1)) }, creator),
      ...Array.from({ length: settings.workers }, worker),
    ]);
  } finally {
    ctx.queues.delete(queue);
    ctx.queues.delete(rate);
  }

  // `oc get selectorsyncsets -A` after the run: the seed timed it on a hub full of SSIs.
  const started = ctx.clock.now();
  const listed = await listAll<SelectorSyncSet>(hub, SSS, settings.pageSize, '');
  ctx.time('list-selectorsyncsets', ctx.clock.now() - started);
  if (typeof listed === 'string') firstError ??= listed;

  return { succeeded, failed, ...(firstError !== undefined ? { error: firstError } : {}) };
}

/** Applies one resource to a spoke; undefined when done, else why not. */
async function applyOne(ctx: RunContext, spoke: RestClient, cluster: string, res: SyncResource, settings: Settings): Promise<string | undefined> {
  const { apiVersion, kind, metadata } = res.object;
  const mapping = await ctx.mapper.mapping(spoke, cluster, apiVersion, kind);
  if (typeof mapping === 'string') return mapping;
  const ref = resourceRef(apiVersion, mapping.resource, mapping.namespaced);
  const ns = mapping.namespaced ? metadata.namespace ?? 'default' : undefined;
  if (settings.applyMode === 'server-side') {
    const r = await spoke.apply(ref, ns, metadata.name, res.object, { fieldManager: settings.fieldManager, force: true });
    return r.status === 200 || r.status === 201 ? undefined : `apply ${kind} ${metadata.name} on ${cluster}: ${describe(r)}`;
  }
  // Client-side: Hive ran `kubectl apply` on a temp file per resource (the overhead, on the run's
  // clock so --clock virtual models it), which GETs the object, then creates it with the
  // last-applied annotation or patches it from the three-way diff. The diff is simplified to a
  // merge patch of the whole object when the last-applied annotation differs, none when it matches.
  await sleep(ctx.clock, settings.applyOverheadMs);
  const got = await spoke.get(ref, ns, metadata.name);
  if (got.status === 404) {
    const r = await spoke.create(ref, ns, res.withLastApplied);
    return r.status === 201 || r.status === 409 ? undefined : `create ${kind} ${metadata.name} on ${cluster}: ${describe(r)}`;
  }
  if (got.status !== 200) return `get ${kind} ${metadata.name} on ${cluster}: ${describe(got)}`;
  const current = (got.body as KubeObject).metadata.annotations?.[LAST_APPLIED];
  if (current === res.lastApplied) return undefined;
  const r = await spoke.patch(ref, ns, metadata.name, 'merge', res.withLastApplied);
  return r.status === 200 ? undefined : `patch ${kind} ${metadata.name} on ${cluster}: ${describe(r)}`;
}
