// Each virtual cluster serves the built-in types plus the custom resources of its own
// CustomResourceDefinitions. A cluster without CRDs shares the built-in catalog, so a thousand
// idle spokes cost nothing here; a cluster with CRDs gets an overlay that is replaced (never
// edited) when its CRDs change, so a request holding the old one sees a consistent view.

import type { GroupInfo, ResourceCatalog, ResourceType } from '../catalog.js';
import { compareKubeVersions } from './versions.js';

export class OverlayCatalog implements ResourceCatalog {
  private readonly groupList: readonly GroupInfo[];
  private readonly byGroupVersion = new Map<string, { list: readonly ResourceType[]; byName: Map<string, ResourceType> }>();

  constructor(private readonly base: ResourceCatalog, custom: readonly ResourceType[]) {
    const versionsByGroup = new Map<string, Set<string>>();
    for (const rt of custom) {
      const key = `${rt.group}/${rt.version}`;
      let entry = this.byGroupVersion.get(key);
      if (!entry) this.byGroupVersion.set(key, (entry = { list: [], byName: new Map() }));
      entry.byName.set(rt.resource, rt);
      let versions = versionsByGroup.get(rt.group);
      if (!versions) versionsByGroup.set(rt.group, (versions = new Set()));
      versions.add(rt.version);
    }
    for (const entry of this.byGroupVersion.values()) {
      entry.list = [...entry.byName.values()].sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
    }
    // CRD groups come after the built-in ones, by name; versions in kube-aware priority order
    // (v1 > v1beta2 > v1beta1 > v1alpha1), the order apiextensions-apiserver's discovery uses.
    const customGroups = [...versionsByGroup.keys()].sort().map((name) => ({
      name, versions: [...versionsByGroup.get(name)!].sort(compareKubeVersions),
    }));
    this.groupList = [...base.groups(), ...customGroups];
  }

  groups(): readonly GroupInfo[] {
    return this.groupList;
  }

  resourcesOf(group: string, version: string): readonly ResourceType[] {
    return this.byGroupVersion.get(`${group}/${version}`)?.list ?? this.base.resourcesOf(group, version);
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.base.lookup(group, version, resource) ?? this.byGroupVersion.get(`${group}/${version}`)?.byName.get(resource);
  }
}

export class ClusterCatalogs {
  private readonly byCluster = new Map<string, ResourceCatalog>();

  constructor(readonly builtin: ResourceCatalog) {}

  forCluster(cluster: string): ResourceCatalog {
    return this.byCluster.get(cluster) ?? this.builtin;
  }

  /** Replaces the custom resources a cluster serves. */
  setCustomResources(cluster: string, types: readonly ResourceType[]): void {
    if (types.length === 0) this.byCluster.delete(cluster);
    else this.byCluster.set(cluster, new OverlayCatalog(this.builtin, types));
  }
}
