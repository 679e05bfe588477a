// `--map-clusters`: which target cluster receives a recorded cluster's requests.
//   hub=hub,spoke-1=cluster-a     names mapped one by one
//   spoke-*=cluster-*             a `*` in the source matches any text, and a `*` in the
//                                 destination repeats it
//   *=hub                         everything folded onto one cluster (a real single cluster)
// Rules are tried in order and the first match wins; a name no rule matches keeps its name.

export interface ClusterRule {
  readonly from: string;
  readonly to: string;
}

export type ClusterMap = (cluster: string) => string;

/** The rules of a spec, or why it is not one. */
export function parseClusterMap(spec: string | undefined): readonly ClusterRule[] | string {
  if (spec === undefined || spec.trim() === '') return [];
  const rules: ClusterRule[] = [];
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    const from = part.slice(0, eq).trim();
    const to = part.slice(eq + 1).trim();
    if (eq < 0 || from === '' || to === '') return `--map-clusters: "${part}" is not FROM=TO`;
    if (from.split('*').length > 2 || to.split('*').length > 2) return `--map-clusters: "${part}": at most one * on each side`;
    if (to.includes('*') && !from.includes('*')) return `--map-clusters: "${part}": a * in the destination needs one in the source`;
    rules.push({ from, to });
  }
  return rules;
}

export function clusterMap(rules: readonly ClusterRule[]): ClusterMap {
  return (cluster) => {
    for (const { from, to } of rules) {
      const star = from.indexOf('*');
      if (star < 0) {
        if (cluster === from) return to;
        continue;
      }
      const head = from.slice(0, star);
      const tail = from.slice(star + 1);
      if (cluster.length >= head.length + tail.length && cluster.startsWith(head) && cluster.endsWith(tail)) {
        return to.replace('*', cluster.slice(head.length, cluster.length - tail.length));
      }
    }
    return cluster;
  };
}
