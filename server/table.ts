// Server-side printing for `kubectl get`: a meta.k8s.io/v1 Table. Built-in types get the columns
// kube-apiserver registers for them (server/printers.ts); any other type gets the fallback
// printer of AS/pkg/registry/rest/table.go (Name, Created At).
import type { CustomResourceInfo } from '../model/catalog.js';
import type { KubeObject } from '../model/object.js';
import { customResourcePrinter, printerFor, type ColumnDefinition, type TablePrinter } from './printers/index.js';

/** The meta.k8s.io view of an object, as metadata informers and Table rows carry it. */
export const PARTIAL_OBJECT_TYPE = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1' } as const;

export function partialObject(obj: KubeObject): Record<string, unknown> {
  return { ...PARTIAL_OBJECT_TYPE, metadata: obj.metadata };
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

const FALLBACK_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', priority: 0 },
  { name: 'Created At', type: 'date', format: '', description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata', priority: 0 },
];

const FALLBACK: TablePrinter = {
  columns: FALLBACK_COLUMNS,
  cells: (obj) => [obj.metadata.name ?? '', obj.metadata.creationTimestamp ?? null],
};

export interface TableMeta {
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

/**
 * Whose Table this is: a ResourceType fits. `printer` overrides the built-in lookup (custom
 * resources bring their own columns).
 */
export interface TableTarget {
  readonly group: string;
  readonly resource: string;
  readonly printer?: TablePrinter;
  /** A custom resource prints its CRD's additionalPrinterColumns. */
  readonly custom?: CustomResourceInfo;
}

const customPrinters = new WeakMap<CustomResourceInfo, TablePrinter>();

function printerOf(target: TableTarget): TablePrinter {
  if (target.printer) return target.printer;
  if (!target.custom) return printerFor(target.group, target.resource) ?? FALLBACK;
  let p = customPrinters.get(target.custom);
  if (!p) customPrinters.set(target.custom, (p = customResourcePrinter(target.custom.printerColumns)));
  return p;
}

function row(p: TablePrinter, obj: KubeObject, include: IncludeObject, now: number): Record<string, unknown> {
  // Field order of metav1.TableRow: cells, conditions, object.
  const r: Record<string, unknown> = { cells: p.cells(obj, now) };
  const conditions = p.conditions?.(obj);
  if (conditions) r.conditions = conditions;
  if (include === 'Object') r.object = obj;
  else if (include === 'Metadata') r.object = partialObject(obj);
  return r;
}

/** `now` (ms since the epoch) is what ages are measured against. */
export function toTable(objs: readonly KubeObject[], meta: TableMeta, include: IncludeObject, target: TableTarget, now: number, withColumns = true): Buffer {
  const p = printerOf(target);
  const table: Record<string, unknown> = { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: meta };
  // Watch events after the first carry no column definitions, as the apiserver sends them.
  table.columnDefinitions = withColumns ? p.columns : null;
  table.rows = objs.map((o) => row(p, o, include, now));
  return Buffer.from(JSON.stringify(table));
}

export function parseIncludeObject(v: string | null): IncludeObject {
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}
