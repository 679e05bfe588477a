// `--controllers`: kube-controller-manager's syntax. `*` is every controller, `name` adds one,
// `-name` removes one; the default is `*`.

export const CONTROLLER_NAMES = [
  'namespace', 'deployment', 'replicaset', 'garbagecollector', 'scheduler', 'kwok-node', 'kwok-pod',
  'job', 'statefulset', 'daemonset', 'serviceaccount', 'kwok-vmi', 'nodelease',
] as const;

/** The enabled set, or an error naming what is wrong. */
export function parseControllers(spec: string): Set<string> | string {
  const on = new Set<string>();
  const off = new Set<string>();
  let all = false;
  for (const raw of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const name = raw.startsWith('-') ? raw.slice(1) : raw;
    if (name === '*') { all = true; continue; }
    if (!(CONTROLLER_NAMES as readonly string[]).includes(name)) return `unknown controller "${name}" (known: ${CONTROLLER_NAMES.join(', ')})`;
    (raw.startsWith('-') ? off : on).add(name);
  }
  return new Set(CONTROLLER_NAMES.filter((n) => (all || on.has(n)) && !off.has(n)));
}

/** The controllers in force: `--controllers` for every cluster, and per-cluster replacements. */
export class ControllerSwitches {
  private readonly perCluster = new Map<string, Set<string>>();
  private readonly listeners: ((cluster: string) => void)[] = [];

  constructor(private readonly defaults: ReadonlySet<string>) {}

  enabled(controller: string, cluster: string): boolean {
    return (this.perCluster.get(cluster) ?? this.defaults).has(controller);
  }

  /** What runs in a cluster, in CONTROLLER_NAMES order. */
  list(cluster: string): string[] {
    const set = this.perCluster.get(cluster) ?? this.defaults;
    return CONTROLLER_NAMES.filter((n) => set.has(n));
  }

  /** Replaces a cluster's set with a `--controllers` spec; an error text when it is invalid. */
  set(cluster: string, spec: string): string | undefined {
    const parsed = parseControllers(spec);
    if (typeof parsed === 'string') return parsed;
    this.perCluster.set(cluster, parsed);
    for (const fn of this.listeners) fn(cluster);
    return undefined;
  }

  /** Called after a cluster's set changes (the engine then looks at what is there again). */
  onChange(fn: (cluster: string) => void): void {
    this.listeners.push(fn);
  }

  forget(cluster: string): void {
    this.perCluster.delete(cluster);
  }
}
