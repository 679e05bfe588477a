// The work agents of maestro-manifestworks: one simulated OCM work agent per spoke, all in this
// process. Each watches its ManifestWorks on the hub (the namespace named after its cluster),
// server-side applies the manifests of a work to its spoke, then updates the work's status on the
// hub twice, as the real agent's two controllers do: Applied (with a condition per manifest), then
// Available. Keys go through one client-go-style RateLimitingQueue shared by all agents, so the
// agents' backlog is bounded by `workers` and shows in the report's workqueue depth.
//
// Watches: `watch: shared` (the default) runs one informer on ManifestWorks of all namespaces
// and dispatches by namespace; `watch: namespace` runs one informer per spoke namespace, as 3,000
// real agents would. The per-namespace mode is the realistic fan-out (the hub serves one watch per
// agent), but each watch holds a keep-alive socket of the client's pool (HTTP/1.1), so it needs
// `client.connections` above the number of spokes, and 3,000 sockets in one process cost more in
// the load client than in the hub being measured; the shared mode measures the hub's write path
// with the same objects and events.
import { Informer, type KubeObject } from '../client/informer.js';
import type { RestClient, RestResult } from '../client/rest.js';
import { objectKey, type RunContext } from '../engine/context.js';
import type { Value } from '../engine/expr.js';
import { collectionPath, objectPath, type ResourceMapping } from '../engine/mapper.js';
import type { ModuleResult } from '../engine/module-phase.js';
import { RateLimitingQueue } from '../../model/workqueue/queue.js';
import { defaultControllerRateLimiter } from '../../model/workqueue/rate-limiters.js';

const WORK_API = 'work.open-cluster-management.io/v1';
const WORK_KIND = 'ManifestWork';
const FIELD_MANAGER = 'work-agent';
/** Requeues of a work whose apply or status update failed in a retryable way. */
const MAX_REQUEUES = 10;

interface Manifest {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

interface ManifestWork extends KubeObject {
  readonly metadata?: KubeObject['metadata'] & { readonly generation?: number };
  readonly spec?: { readonly workload?: { readonly manifests?: readonly Manifest[] } };
}

/** Where a work stands in this agent: manifests applied and Applied reported, or Available too. */
type Stage = 'applied' | 'available';

type StepOutcome = { readonly ok: true } | { readonly ok: false; readonly retry: boolean; readonly message: string };
const OK: StepOutcome = { ok: true };

function outcomeOf(what: string, r: RestResult): StepOutcome {
  if (r.status >= 200 && r.status < 300) return OK;
  const message = `${what}: HTTP ${r.status} ${r.error ?? messageOf(r.body)}`;
  return { ok: false, retry: r.status === 0 || r.status === 429 || r.status >= 500 || r.status === 409, message };
}

function messageOf(body: unknown): string {
  return body !== null && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : '';
}

function num(v: Value | undefined, fallback: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : fallback;
}

/** metav1.Time: RFC 3339 in whole seconds. */
function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export default async function workAgents(ctx: RunContext, settings: Readonly<Record<string, Value>>): Promise<ModuleResult> {
  const clusters = num(settings.clusters, 1);
  const total = num(settings.works, clusters);
  const workers = Math.max(1, num(settings.workers, 50));
  const timeoutMs = num(settings.timeoutSeconds, 3600) * 1000;
  const perNamespace = settings.watch === 'namespace';
  const { clock } = ctx;

  const hub = ctx.client('hub');
  if (typeof hub === 'string') return { succeeded: 0, failed: total, error: hub };
  const workMapping = await ctx.mapper.mapping(hub, 'hub', WORK_API, WORK_KIND);
  if (typeof workMapping === 'string') return { succeeded: 0, failed: total, error: workMapping };

  const queue = new RateLimitingQueue<string>({ name: 'work-agents', clock, rateLimiter: defaultControllerRateLimiter(clock), metrics: ctx.workqueueMetrics });
  ctx.queues.add(queue);
  const stages = new Map<string, Stage>();
  /** When an informer first saw each work: the latency base if the create's ack is not known. */
  const firstSeen = new Map<string, number>();
  let available = 0;
  let failed = 0;
  let firstError: string | undefined;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  const checkDone = (): void => {
    if (available + failed >= total) finish();
  };

  const enqueue = (obj: KubeObject): void => {
    const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
    if (!firstSeen.has(key)) firstSeen.set(key, clock.now());
    // Our own status updates come back as watch events; a work already Available has nothing to do.
    if (stages.get(key) !== 'available') queue.add(key);
  };
  const handlers = { onAdd: enqueue, onUpdate: (_old: KubeObject, obj: KubeObject) => enqueue(obj) };
  const informers: Informer[] = [];
  const byNamespace = new Map<string, Informer>();
  const selector = 'kemu-scenario=maestro-manifestworks';
  if (perNamespace) {
    for (let c = 1; c <= clusters; c++) {
      const ns = `spoke-${c}`;
      const inf = new Informer({ client: hub, resource: workMapping.resource, path: collectionPath(workMapping, ns), labelSelector: selector, clock, handlers });
      informers.push(inf);
      byNamespace.set(ns, inf);
    }
  } else {
    informers.push(new Informer({ client: hub, resource: workMapping.resource, path: collectionPath(workMapping, undefined), labelSelector: selector, clock, handlers }));
  }
  const lookup = (ns: string, name: string): ManifestWork | undefined =>
    (perNamespace ? byNamespace.get(ns) : informers[0])?.get(ns, name) as ManifestWork | undefined;

  const since = (ns: string, name: string, key: string): number => {
    const created = ctx.createdAt.get(objectKey('hub', WORK_API, WORK_KIND, ns, name)) ?? firstSeen.get(key) ?? clock.now();
    return clock.now() - created;
  };

  const applyManifests = async (spoke: RestClient, cluster: string, work: ManifestWork): Promise<StepOutcome> => {
    for (const m of work.spec?.workload?.manifests ?? []) {
      const name = m.metadata?.name;
      if (!m.apiVersion || !m.kind || !name) return { ok: false, retry: false, message: `a manifest without apiVersion, kind or name in ${cluster}` };
      const mapping = await ctx.mapper.mapping(spoke, cluster, m.apiVersion, m.kind);
      if (typeof mapping === 'string') return { ok: false, retry: true, message: mapping };
      const ns = mapping.namespaced ? (m.metadata?.namespace ?? 'default') : undefined;
      const r = await spoke.request({
        verb: 'apply', resource: mapping.resource, method: 'PATCH', path: objectPath(mapping, ns, name), body: m,
        contentType: 'application/apply-patch+yaml', query: { fieldManager: FIELD_MANAGER, force: true },
      });
      const o = outcomeOf(`apply ${m.kind} ${name} to ${cluster}`, r);
      if (!o.ok) return o;
    }
    return OK;
  };

  const patchStatus = async (work: ManifestWork, mapping: ResourceMapping, available: boolean): Promise<StepOutcome> => {
    const ns = work.metadata?.namespace ?? '';
    const name = work.metadata?.name ?? '';
    const generation = work.metadata?.generation ?? 1;
    const now = metaTime(clock.now());
    const cond = (type: string, reason: string, message: string) => ({ type, status: 'True', reason, message, observedGeneration: generation, lastTransitionTime: now });
    const manifests = (work.spec?.workload?.manifests ?? []).map((m, ordinal) => {
      const { group, version } = splitApiVersion(m.apiVersion ?? '');
      const kind = m.kind ?? '';
      return {
        resourceMeta: { ordinal, group, version, kind, resource: `${kind.toLowerCase()}s`, name: m.metadata?.name ?? '', namespace: m.metadata?.namespace ?? 'default' },
        conditions: [
          cond('Applied', 'AppliedManifestComplete', 'Apply manifest complete'),
          ...(available ? [cond('Available', 'ResourceAvailable', 'Resource is available')] : []),
        ],
      };
    });
    const conditions = [
      cond('Applied', 'AppliedManifestWorkComplete', 'Apply manifest work complete'),
      ...(available ? [cond('Available', 'ResourcesAvailable', 'All resources are available')] : []),
    ];
    // A merge patch of the status subresource, as the agent's status controllers send.
    const r = await hub.request({
      verb: 'patch', resource: `${mapping.resource}/status`, method: 'PATCH', path: `${objectPath(mapping, ns, name)}/status`,
      body: { status: { conditions, resourceStatus: { manifests } } }, contentType: 'application/merge-patch+json', discardBody: true,
    });
    return outcomeOf(`status of ManifestWork ${ns}/${name}`, r);
  };

  /** One pass over a work: whatever stage is left. */
  const sync = async (key: string): Promise<StepOutcome> => {
    const slash = key.indexOf('/');
    const ns = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const work = lookup(ns, name);
    if (work === undefined) return OK; // deleted meanwhile
    const spoke = ctx.client(ns);
    if (typeof spoke === 'string') return { ok: false, retry: false, message: spoke };
    if (stages.get(key) === undefined) {
      const applied = await applyManifests(spoke, ns, work);
      if (!applied.ok) return applied;
      const s = await patchStatus(work, workMapping, false);
      if (!s.ok) return s;
      ctx.count('status-updates');
      ctx.time('work-create-to-applied', since(ns, name, key));
      stages.set(key, 'applied');
    }
    if (stages.get(key) === 'applied') {
      const s = await patchStatus(work, workMapping, true);
      if (!s.ok) return s;
      ctx.count('status-updates');
      ctx.time('work-create-to-available', since(ns, name, key));
      stages.set(key, 'available');
      available++;
      ctx.count('works-available');
      ctx.progress();
      checkDone();
    }
    return OK;
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      const { item, shutdown } = await queue.get();
      if (shutdown) return;
      try {
        const o = await sync(item);
        if (!o.ok && o.retry && queue.numRequeues(item) < MAX_REQUEUES) {
          queue.addRateLimited(item);
        } else {
          queue.forget(item);
          if (!o.ok) {
            failed++;
            firstError ??= o.message;
            ctx.progress();
            checkDone();
          }
        }
      } finally {
        queue.done(item);
      }
    }
  };

  let timedOut = false;
  const timer = clock.setTimeout(() => { timedOut = true; finish(); }, timeoutMs);
  for (const inf of informers) inf.start();
  const running = Array.from({ length: workers }, worker);
  if (total <= 0) finish();
  await finished;
  clock.clearTimeout(timer);
  for (const inf of informers) inf.stop();
  queue.shutDown();
  await Promise.all(running);
  ctx.queues.delete(queue);

  const informerError = informers.map((i) => i.error()).find((e) => e !== undefined);
  const missing = total - available - failed;
  const error = timedOut
    ? `timed out after ${timeoutMs / 1000} s with ${missing} work(s) not Available`
    : firstError ?? informerError?.message;
  return { succeeded: available, failed: failed + (timedOut ? missing : 0), ...(error ? { error } : {}) };
}
