// Server-side printing for `kubectl get`: a meta.k8s.io/v1 Table. This is the fallback printer of
// AS/pkg/registry/rest/table.go (Name, Created At) used for every type here.
import type { KubeObject } from '../model/object.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

const COLUMNS = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', priority: 0 },
  { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata', priority: 0 },
];

export interface TableMeta {
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

function row(obj: KubeObject, include: IncludeObject): Record<string, unknown> {
  const r: Record<string, unknown> = { cells: [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? null] };
  if (include === 'Object') r.object = obj;
  else if (include === 'Metadata') r.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
  return r;
}

export function toTable(objs: readonly KubeObject[], meta: TableMeta, include: IncludeObject, withColumns = true): Buffer {
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: meta };
  // Watch events after the first carry no column definitions, as the apiserver sends them.
  table.columnDefinitions = withColumns ? COLUMNS : null;
  table.rows = objs.map((o) => row(o, include));
  return Buffer.from(JSON.stringify(table));
}

export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}
