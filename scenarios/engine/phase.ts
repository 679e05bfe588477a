// A create, apply, patch or delete phase: items 0 … count-1 go into a rate-limited workqueue
// (at `rate` per second when set) that `workers` workers drain, the way a controller drains its
// queue; an item whose request failed in a retryable way is requeued with the controller rate
// limiter until `retries` is spent.
import { TokenBucketRateLimiter } from '../../model/workqueue/token-bucket.js';
import { defaultControllerRateLimiter } from '../../model/workqueue/rate-limiters.js';
import { RateLimitingQueue } from '../../model/workqueue/queue.js';
import type { PhaseReport } from '../report/types.js';
import type { RestResult } from '../client/rest.js';
import { asNumber, type Scope, type Value } from './expr.js';
import { itemScope, objectKey, type RunContext } from './context.js';
import { collectionPath, objectPath } from './mapper.js';
import type { PhaseSpec } from './spec.js';
import { compileTemplate, type Template } from './template.js';

type Outcome = 'ok' | 'retry' | 'fail';

/** An item's result, with what went wrong when it did not succeed. */
interface ItemResult {
  readonly outcome: Outcome;
  readonly message?: string;
}

const OK: ItemResult = { outcome: 'ok' };

interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

const DEFAULT_RETRIES = 5;

function outcomeOf(action: string, r: RestResult, retrying: boolean): Outcome {
  if (r.status >= 200 && r.status < 300) return 'ok';
  // A retried item re-sends all its objects; those its first attempt created already exist.
  if (retrying && action === 'create' && r.status === 409 && (r.body as { reason?: string } | null)?.reason === 'AlreadyExists') return 'ok';
  if (action === 'delete' && r.status === 404) return 'ok';
  if (r.status === 0 || r.status === 429 || r.status >= 500) return 'retry';
  return 'fail';
}

export function evalNumber(v: number | string | undefined, scope: Scope, what: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v === 'number') return v;
  return asNumber(compileTemplate(v.includes('{{') ? v : `{{${v}}}`)(scope), what);
}

export class ActionPhase {
  private readonly templates: Template[];
  private readonly cluster: Template;
  private readonly namespace: Template | undefined;
  private readonly objectName: Template | undefined;
  private succeeded = 0;
  private failed = 0;
  private firstError: string | undefined;

  constructor(private readonly spec: PhaseSpec, private readonly ctx: RunContext) {
    this.templates = (spec.templates ?? []).map(compileTemplate);
    this.cluster = compileTemplate(spec.cluster ?? 'hub');
    this.namespace = spec.namespace === undefined ? undefined : compileTemplate(spec.namespace);
    this.objectName = spec.objectName === undefined ? undefined : compileTemplate(spec.objectName);
  }

  count(): number {
    return evalNumber(this.spec.count, this.ctx.params, `${this.spec.name}.count`, 0);
  }

  async run(): Promise<PhaseReport> {
    const { clock, params } = this.ctx;
    const count = this.count();
    const workers = Math.max(1, evalNumber(this.spec.workers, params, `${this.spec.name}.workers`, 1));
    const retries = evalNumber(this.spec.retries, params, `${this.spec.name}.retries`, DEFAULT_RETRIES);
    const rate = evalNumber(this.spec.rate, params, `${this.spec.name}.rate`, 0);
    const timeoutMs = evalNumber(this.spec.timeoutSeconds, params, `${this.spec.name}.timeoutSeconds`, 0) * 1000;
    const start = this.ctx.seconds();
    const queue = new RateLimitingQueue<number>({ name: this.spec.name, clock, rateLimiter: defaultControllerRateLimiter(clock), metrics: this.ctx.workqueueMetrics });
    this.ctx.queues.add(queue);
    let timedOut = false;
    const timer = timeoutMs > 0 ? clock.setTimeout(() => { timedOut = true; queue.shutDown(); }, timeoutMs) : undefined;
    const feeding = this.feed(queue, count, rate);
    let remaining = count;
    const worker = async (): Promise<void> => {
      for (;;) {
        const { item, shutdown } = await queue.get();
        if (shutdown) return;
        const { outcome, message } = await this.doItem(item, queue.numRequeues(item) > 0);
        if (outcome === 'retry' && queue.numRequeues(item) < retries) {
          queue.addRateLimited(item);
        } else {
          queue.forget(item);
          if (outcome === 'ok') this.succeeded++;
          else {
            this.failed++;
            this.firstError ??= outcome === 'retry' ? `${message} (given up after ${retries} requeues)` : message;
          }
          this.ctx.progress();
          if (--remaining === 0) queue.shutDown();
        }
        queue.done(item);
      }
    };
    if (count === 0) queue.shutDown();
    await Promise.all([feeding, ...Array.from({ length: Math.min(workers, Math.max(count, 1)) }, worker)]);
    if (timer) clock.clearTimeout(timer);
    this.ctx.queues.delete(queue);
    const error = timedOut ? `timed out after ${timeoutMs / 1000} s with ${remaining} item(s) left` : this.firstError;
    return {
      name: this.spec.name, action: this.spec.action, count, succeeded: this.succeeded, failed: this.failed + (timedOut ? remaining : 0),
      startSeconds: start, endSeconds: this.ctx.seconds(), ...(error ? { error } : {}),
    };
  }

  private async feed(queue: RateLimitingQueue<number>, count: number, rate: number): Promise<void> {
    const bucket = rate > 0 ? new TokenBucketRateLimiter(rate, 1, this.ctx.clock) : undefined;
    for (let i = 0; i < count; i++) {
      if (queue.shuttingDown()) return;
      if (bucket) await bucket.wait();
      queue.add(i);
    }
  }

  private async doItem(i: number, retrying: boolean): Promise<ItemResult> {
    const scope = itemScope(this.ctx.params, 'i', i);
    const cluster = String(this.cluster(scope));
    const client = this.ctx.client(cluster);
    if (typeof client === 'string') return { outcome: 'fail', message: client };
    const ns = this.namespace ? String(this.namespace(scope)) : undefined;
    for (const t of this.templates) {
      const obj = t(scope) as Obj & Record<string, Value>;
      if (this.objectName) obj.metadata = { ...obj.metadata, name: String(this.objectName(scope)) };
      const result = await this.send(client, cluster, obj, ns, retrying);
      if (result.outcome !== 'ok') return result;
    }
    return OK;
  }

  private async send(client: Exclude<ReturnType<RunContext['client']>, string>, cluster: string, obj: Obj & Record<string, Value>, phaseNs: string | undefined, retrying: boolean): Promise<ItemResult> {
    const { apiVersion, kind } = obj;
    const name = obj.metadata?.name;
    if (!apiVersion || !kind || !name) return { outcome: 'fail', message: `${this.spec.name}: a template gave no apiVersion, kind or metadata.name` };
    const mapping = await this.ctx.mapper.mapping(client, cluster, apiVersion, kind);
    if (typeof mapping === 'string') return { outcome: 'fail', message: mapping };
    const ns = mapping.namespaced ? (obj.metadata?.namespace ?? phaseNs ?? 'default') : undefined;
    if (ns && obj.metadata && !obj.metadata.namespace) obj.metadata.namespace = ns;
    const resource = mapping.resource;
    let r: RestResult;
    switch (this.spec.action) {
      case 'create':
        r = await client.request({ verb: 'create', resource, method: 'POST', path: collectionPath(mapping, ns), body: obj });
        break;
      case 'apply':
        r = await client.request({
          verb: 'patch', resource, method: 'PATCH', path: objectPath(mapping, ns, name), body: obj,
          contentType: 'application/apply-patch+yaml', query: { fieldManager: this.spec.fieldManager ?? 'kemu-scenario' },
        });
        break;
      case 'patch': {
        const types = { merge: 'application/merge-patch+json', strategic: 'application/strategic-merge-patch+json', json: 'application/json-patch+json' };
        const body = this.spec.patchType === 'json' ? obj.patch : (({ apiVersion: _a, kind: _k, ...rest }) => rest)(obj);
        r = await client.request({ verb: 'patch', resource, method: 'PATCH', path: objectPath(mapping, ns, name), body, contentType: types[this.spec.patchType ?? 'merge'] });
        break;
      }
      default:
        r = await client.request({ verb: 'delete', resource, method: 'DELETE', path: objectPath(mapping, ns, name) });
    }
    const outcome = outcomeOf(this.spec.action, r, retrying);
    if (outcome === 'ok' && (this.spec.action === 'create' || this.spec.action === 'apply')) {
      this.ctx.createdAt.set(objectKey(cluster, apiVersion, kind, ns, name), this.ctx.clock.now());
    }
    if (outcome === 'ok') return OK;
    return { outcome, message: `${this.spec.action} ${kind} ${ns ? `${ns}/` : ''}${name} in ${cluster}: HTTP ${r.status} ${r.error ?? statusMessage(r.body)}` };
  }
}

function statusMessage(body: unknown): string {
  return body !== null && typeof body === 'object' && 'message' in body ? String((body as { message: unknown }).message) : '';
}
