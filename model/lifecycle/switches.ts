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
