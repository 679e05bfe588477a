// A wait phase: an informer per cluster on the resource, counting the objects that meet `until`
// (or merely exist), done when `count` of them do, or, with `gone`, when at most `count` are
// left. The first time an object this run created meets the condition, the time since its create
// was acknowledged is recorded under `timing` (creation-to-Running and the like).
import { Informer } from '../client/informer.js';
import type { PhaseReport } from '../report/types.js';
import { compileExpr, type Expr, type Value } from './expr.js';
import { itemScope, objectKey, type RunContext } from './context.js';
import { collectionPath } from './mapper.js';
import { evalNumber } from './phase.js';
import type { PhaseSpec } from './spec.js';
import { compileTemplate } from './template.js';

interface Meta {
  metadata?: { name?: string; namespace?: string; creationTimestamp?: string };
}

export class WaitPhase {
  private readonly until: Expr | undefined;
  /** Objects (cluster/ns/name) meeting the condition, and objects present, across clusters. */
  private readonly meeting = new Set<string>();
  private readonly present = new Set<string>();
  private readonly timed: Set<string>;

  /** `timed` is shared by the run's wait phases, so an object is timed once however many waits see it. */
  constructor(private readonly spec: PhaseSpec, private readonly ctx: RunContext, timed: Set<string>) {
    this.until = spec.until ? compileExpr(spec.until) : undefined;
    this.timed = timed;
  }

  count(): number {
    return evalNumber(this.spec.count, this.ctx.params, `${this.spec.name}.count`, 0);
  }

  async run(): Promise<PhaseReport> {
    const { params } = this.ctx;
    const start = this.ctx.seconds();
    const want = this.count();
    const clusters = evalNumber(this.spec.clusterCount, params, `${this.spec.name}.clusterCount`, 1);
    const timeoutMs = evalNumber(this.spec.timeoutSeconds, params, `${this.spec.name}.timeoutSeconds`, 600) * 1000;
    const clusterOf = compileTemplate(this.spec.cluster ?? 'hub');
    const nsOf = this.spec.namespace === undefined ? undefined : compileTemplate(this.spec.namespace);
    const { apiVersion, kind } = this.spec.resource!;
    const informers: Informer[] = [];
    let finish: (error?: string) => void = () => undefined;
    const finished = new Promise<string | undefined>((r) => { finish = r; });
    const done = () => (this.spec.gone ? this.present.size <= want : this.meeting.size >= want);
    let reported = 0;
    const check = () => {
      const progress = this.spec.gone ? 0 : Math.min(this.meeting.size, want);
      for (; reported < progress; reported++) this.ctx.progress();
      if (synced === clusters && done()) finish();
    };
    let synced = 0;
    for (let c = 0; c < clusters; c++) {
      const scope = itemScope(params, 'c', c);
      const cluster = String(clusterOf(scope));
      const client = this.ctx.client(cluster);
      if (typeof client === 'string') return this.report(start, want, client);
      const mapping = await this.ctx.mapper.mapping(client, cluster, apiVersion, kind);
      if (typeof mapping === 'string') return this.report(start, want, mapping);
      const ns = nsOf ? String(nsOf(scope)) : undefined;
      let live = false;
      const observe = (obj: Meta & Record<string, Value>, gone: boolean) => {
        const key = `${cluster}/${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
        if (gone) {
          this.present.delete(key);
          this.meeting.delete(key);
        } else {
          this.present.add(key);
          if (this.meets(obj)) this.met(key, cluster, apiVersion, kind, obj, live);
          else this.meeting.delete(key);
        }
        check();
      };
      const informer = new Informer({
        client, resource: mapping.resource, path: collectionPath(mapping, ns), labelSelector: this.spec.labelSelector, clock: this.ctx.clock,
        handlers: {
          onAdd: (o) => observe(o as Meta & Record<string, Value>, false),
          onUpdate: (_old, o) => observe(o as Meta & Record<string, Value>, false),
          onDelete: (o) => observe(o as Meta & Record<string, Value>, true),
        },
      });
      informers.push(informer);
      informer.start();
      void informer.waitForSync().then(() => { live = true; synced++; check(); });
    }
    const timer = this.ctx.clock.setTimeout(() => finish(`timed out after ${timeoutMs / 1000} s: ${this.describe(want)}`), timeoutMs);
    const error = await finished;
    this.ctx.clock.clearTimeout(timer);
    for (const inf of informers) inf.stop();
    return this.report(start, want, error);
  }

  private describe(want: number): string {
    return this.spec.gone ? `${this.present.size} object(s) left, wanted at most ${want}` : `${this.meeting.size} of ${want} object(s) met the condition`;
  }

  private meets(obj: Record<string, Value>): boolean {
    if (!this.until) return true;
    try {
      return Boolean(this.until((n) => obj[n]));
    } catch {
      return false;
    }
  }

  /** `live`: seen by the watch, so the condition was met just now (not at some time before the first list). */
  private met(key: string, cluster: string, apiVersion: string, kind: string, obj: Meta, live: boolean): void {
    if (this.meeting.has(key)) return;
    this.meeting.add(key);
    const timing = this.spec.timing;
    if (!timing) return;
    const created = this.ctx.createdAt.get(objectKey(cluster, apiVersion, kind, obj.metadata?.namespace, obj.metadata?.name ?? ''));
    const timedKey = `${timing}\u0000${key}`;
    // Only objects this run created are timed: their acknowledgment time is exact, where
    // creationTimestamp has whole seconds. An earlier wait may have timed them already.
    if (created === undefined || this.timed.has(timedKey)) return;
    this.timed.add(timedKey);
    if (!live) {
      this.ctx.count(`${timing} untimed`);
      return;
    }
    this.ctx.time(timing, this.ctx.clock.now() - created);
  }

  private report(start: number, want: number, error?: string): PhaseReport {
    const got = this.spec.gone ? Math.max(0, this.present.size) : this.meeting.size;
    const ok = error === undefined;
    return {
      name: this.spec.name, action: 'wait', count: want,
      succeeded: this.spec.gone ? (ok ? want : 0) : Math.min(got, want),
      failed: ok ? 0 : this.spec.gone ? 1 : Math.max(0, want - got),
      startSeconds: start, endSeconds: this.ctx.seconds(), ...(error ? { error } : {}),
    };
  }
}
