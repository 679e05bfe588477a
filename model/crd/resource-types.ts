// A CustomResourceDefinition as the catalog sees it: one ResourceType per served version,
// with the discovery facts apiextensions-apiserver publishes for it (customresource_discovery
// and the CRD's names) and what the registry needs to serve its objects.

import { storageVersionHash, type PrinterColumn, type ResourceType, type ScaleSubresource, type SubresourceType } from '../catalog.js';
import { isPlainObject, type KubeObject } from '../object.js';

export const CRD_GROUP = 'apiextensions.k8s.io';
export const CRD_RESOURCE = 'customresourcedefinitions';
export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

// Every custom resource serves all verbs (customresource_handler.go serveResource), listed sorted as discovery does.
const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const SUBRESOURCE_VERBS = ['get', 'patch', 'update'];

export interface CRDNames {
  readonly plural: string;
  readonly singular?: string;
  readonly kind: string;
  readonly listKind?: string;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
}

export interface CRDVersion {
  readonly name: string;
  readonly served: boolean;
  readonly storage: boolean;
  readonly schema?: { readonly openAPIV3Schema?: Record<string, unknown> };
  readonly subresources?: { readonly status?: object; readonly scale?: ScaleSubresource };
  readonly additionalPrinterColumns?: readonly PrinterColumn[];
}

export interface CRDSpec {
  readonly group: string;
  readonly names: CRDNames;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly versions: readonly CRDVersion[];
}

export function crdSpecOf(crd: KubeObject): CRDSpec | undefined {
  const spec = crd.spec;
  if (!isPlainObject(spec) || !isPlainObject(spec.names) || !Array.isArray(spec.versions)) return undefined;
  return spec as unknown as CRDSpec;
}

/** The ResourceTypes a CRD adds, one per served version. */
export function resourceTypesOf(crd: KubeObject): ResourceType[] {
  const spec = crdSpecOf(crd);
  if (!spec) return [];
  const { group, names } = spec;
  const storage = spec.versions.find((v) => v.storage)?.name ?? spec.versions[0]?.name ?? '';
  const out: ResourceType[] = [];
  for (const v of spec.versions) {
    if (!v.served) continue;
    const subresources: SubresourceType[] = [];
    // Discovery lists subresources sorted by name: scale before status.
    if (v.subresources?.scale) subresources.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: SUBRESOURCE_VERBS });
    if (v.subresources?.status) subresources.push({ name: 'status', group, version: v.name, kind: names.kind, verbs: SUBRESOURCE_VERBS });
    out.push({
      group,
      version: v.name,
      resource: names.plural,
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      singularName: names.singular ?? names.kind.toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      verbs: VERBS,
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      subresources,
      storageVersionHash: storageVersionHash(group, storage, names.kind),
      custom: {
        crdName: crd.metadata.name ?? '',
        schema: v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        ...(v.subresources?.scale ? { scale: v.subresources.scale } : {}),
        printerColumns: v.additionalPrinterColumns ?? [],
      },
    });
  }
  return out;
}
