// Objects stored per cluster and resource, kept current from store events: what
// apiserver_storage_objects reports and what flow control's LIST width estimate reads (the
// storage object count tracker of kube-apiserver).
import { parseObjectKey } from './keys.js';
import type { Store } from './store.js';

export class ObjectCounts {
  /** `<cluster>/<group>/<resource>` -> count. */
  private readonly counts = new Map<string, number>();
  private readonly unsubscribe: () => void;

  constructor(store: Store) {
    for (const [key, n] of store.countByCollection()) this.counts.set(key, n);
    this.unsubscribe = store.subscribe((e) => {
      if (e.type === 'MODIFIED') return;
      const key = `${e.key.cluster}/${e.key.group}/${e.key.resource}`;
      const n = (this.counts.get(key) ?? 0) + (e.type === 'ADDED' ? 1 : -1);
      if (n > 0) this.counts.set(key, n); else this.counts.delete(key);
    });
  }

  get(cluster: string, group: string, resource: string): number {
    return this.counts.get(`${cluster}/${group}/${resource}`) ?? 0;
  }

  /** Every non-empty collection. */
  *entries(): IterableIterator<{ cluster: string; group: string; resource: string; count: number }> {
    for (const [key, count] of this.counts) {
      const k = parseObjectKey(`${key}//`);
      yield { cluster: k.cluster, group: k.group, resource: k.resource, count };
    }
  }

  /** A cluster removed with Store.dropCluster sends no events. */
  dropCluster(cluster: string): void {
    const prefix = `${cluster}/`;
    for (const key of [...this.counts.keys()]) if (key.startsWith(prefix)) this.counts.delete(key);
  }

  close(): void {
    this.unsubscribe();
  }
}
