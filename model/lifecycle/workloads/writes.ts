// What a controller decides in one sync, as data: the engine that runs these functions on the
// store's events applies the writes through the registry (so they show in watches and
// metrics), records the events, and calls the controller again after requeueAfterMs.
import type { KubeObject } from '../../object.js';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

export interface DeleteRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** DeleteOptions.preconditions, where upstream sends them (the garbage collector does). */
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly propagationPolicy?: PropagationPolicy;
}

export interface WorkloadEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  /** The object the event is about. */
  readonly involved: { readonly apiVersion: string; readonly kind: string; readonly namespace?: string; readonly name: string; readonly uid?: string };
}

export interface Writes {
  /** New objects, complete with name (the engine need not generate one). */
  create?: KubeObject[];
  /** Whole objects to PUT (metadata.resourceVersion is the one the controller read). */
  update?: KubeObject[];
  /** Whole objects to PUT to the status subresource. */
  updateStatus?: KubeObject[];
  delete?: DeleteRef[];
  events?: WorkloadEvent[];
  /** Sync this object again after this many ms even without new events (deadlines, minReadySeconds). */
  requeueAfterMs?: number;
}

function keyOf(o: KubeObject): string {
  return `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/**
 * Collects writes the way a sync makes them, one after another, and folds repeated writes to one
 * object into the last (an object created then scaled in the same sync is one create).
 */
export class WriteSet {
  private readonly creates = new Map<string, KubeObject>();
  private readonly updates = new Map<string, KubeObject>();
  private readonly statuses = new Map<string, KubeObject>();
  private readonly deletes: DeleteRef[] = [];
  private readonly events: WorkloadEvent[] = [];
  private requeue: number | undefined;

  create(o: KubeObject): KubeObject {
    const copy = structuredClone(o);
    this.creates.set(keyOf(copy), copy);
    return structuredClone(copy);
  }

  update(o: KubeObject): KubeObject {
    const copy = structuredClone(o);
    const k = keyOf(copy);
    if (this.creates.has(k)) this.creates.set(k, copy);
    else this.updates.set(k, copy);
    return structuredClone(copy);
  }

  updateStatus(o: KubeObject): KubeObject {
    const copy = structuredClone(o);
    const k = keyOf(copy);
    if (this.creates.has(k)) this.creates.set(k, copy);
    else this.statuses.set(k, copy);
    return structuredClone(copy);
  }

  delete(ref: DeleteRef): void {
    this.deletes.push(ref);
  }

  event(e: WorkloadEvent): void {
    this.events.push(e);
  }

  requeueAfter(ms: number): void {
    this.requeue = this.requeue === undefined ? ms : Math.min(this.requeue, ms);
  }

  get empty(): boolean {
    return this.creates.size + this.updates.size + this.statuses.size + this.deletes.length === 0;
  }

  result(): Writes {
    const out: Writes = {};
    if (this.creates.size) out.create = [...this.creates.values()];
    if (this.updates.size) out.update = [...this.updates.values()];
    if (this.statuses.size) out.updateStatus = [...this.statuses.values()];
    if (this.deletes.length) out.delete = [...this.deletes];
    if (this.events.length) out.events = [...this.events];
    if (this.requeue !== undefined) out.requeueAfterMs = this.requeue;
    return out;
  }
}

export function involvedOf(o: KubeObject): WorkloadEvent['involved'] {
  return {
    apiVersion: o.apiVersion ?? '', kind: o.kind ?? '', namespace: o.metadata.namespace,
    name: o.metadata.name ?? '', uid: o.metadata.uid,
  };
}
