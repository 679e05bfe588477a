// Tables of custom resources, as kube-apiserver 1.32 prints them for `Accept: ...;as=Table`
// (apiextensions-apiserver pkg/registry/customresource/tableconvertor/tableconvertor.go): a Name
// column, then the version's additionalPrinterColumns, or a single Age column when it declares
// none (apihelpers' default columns). Each column's JSONPath gives the first value it reaches;
// `string` columns print it as client-go's jsonpath does, other types keep a typed cell, and
// `date` cells are ages relative to `now`.
import { parseJSONPath, type JSONPath } from './schema-jsonpath.js';
import { goJSON, goNumber } from './schema-gofmt.js';
import { isJSONObject, type CustomResourceColumnDefinition, type JSONValue } from './schema-types.js';

/** metav1.TableColumnDefinition. */
export interface TableColumnDefinition {
  readonly name: string;
  readonly type: string;
  readonly format: string;
  readonly description: string;
  readonly priority: number;
}

/** A CRD version's table convertor: the column definitions and the cells of one object. */
export interface CustomResourceTableConvertor {
  readonly columnDefinitions: readonly TableColumnDefinition[];
  /** One cell per column definition; `now` is milliseconds since the epoch. */
  cells(obj: Readonly<Record<string, unknown>>, now: number): unknown[];
}

// metav1.ObjectMeta SwaggerDoc() texts for name and creationTimestamp (k8s.io/apimachinery 1.32).
const NAME_DESCRIPTION = 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
const CREATION_TIMESTAMP_DESCRIPTION = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** The columns a version is served with: its own, or Age when it declares none. */
export function servedColumns(columns: readonly CustomResourceColumnDefinition[] | undefined): readonly CustomResourceColumnDefinition[] {
  if (columns && columns.length > 0) return columns;
  return [{ name: 'Age', type: 'date', description: CREATION_TIMESTAMP_DESCRIPTION, jsonPath: '.metadata.creationTimestamp' }];
}

// time.RFC3339 as time.Parse reads it: fractional seconds allowed, a zone required.
const RFC3339_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
// Go's zero time.Time: metav1.Time treats it as unset.
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** time.Parse(time.RFC3339, s) as milliseconds since the epoch, or undefined when it fails. */
function parseRFC3339(s: string): number | undefined {
  const m = RFC3339_RE.exec(s);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;
  const days = month === 2 && isLeap(year) ? 29 : DAYS_IN_MONTH[month - 1];
  if (day < 1 || day > days) return undefined;
  // Date.parse reads milliseconds only; Go keeps nanoseconds, which an age never shows.
  const millis = (m[7] ?? '.0').slice(1, 4).padEnd(3, '0');
  return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${millis}${m[8]}`);
}

/** apimachinery's duration.HumanDuration: two significant units at most, coarser as it grows. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  // Up to two seconds in the future is clock skew, read as "now".
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.trunc(ms / 3_600_000);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

/** jsonpath's text output of one value: maps and lists as JSON, the rest as fmt.Fprint prints. */
function printText(v: JSONValue): string {
  if (v === null) return '<no value>';
  if (typeof v === 'object') return goJSON(v);
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}

/** cellForJSONValue: a typed cell, or null when the value does not fit the column type. */
function typedCell(type: string, v: JSONValue, now: number): unknown {
  switch (type) {
    case 'integer':
      return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'string':
      return typeof v === 'string' ? v : null;
    case 'date': {
      if (typeof v !== 'string') return null;
      if (v === '' || v === 'null') return '<unknown>';
      const t = parseRFC3339(v);
      if (t === undefined) return '<invalid>';
      return t === GO_ZERO_TIME ? '<unknown>' : humanDuration(now - t);
    }
    default:
      return null;
  }
}

/**
 * tableconvertor.New: the Name column and one column per definition. Like upstream, a column
 * whose JSONPath does not parse ends the list there (the server logs it and serves the columns
 * before it).
 */
export function newTableConvertor(columns: readonly CustomResourceColumnDefinition[] | undefined): CustomResourceTableConvertor {
  const defs: TableColumnDefinition[] = [{ name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 }];
  const paths: JSONPath[] = [];
  for (const col of servedColumns(columns)) {
    const path = parseJSONPath(col.jsonPath);
    if (path instanceof Error) break;
    paths.push(path);
    defs.push({
      name: col.name, type: col.type, format: col.format ?? '', priority: col.priority ?? 0,
      description: col.description || `Custom resource definition column (in JSONPath format): ${col.jsonPath}`,
    });
  }
  return {
    columnDefinitions: defs,
    cells(obj, now) {
      const meta = obj.metadata;
      const name = isJSONObject(meta) && typeof meta.name === 'string' ? meta.name : '';
      const cells: unknown[] = [name];
      paths.forEach((path, i) => {
        const found = path.find(obj as Record<string, JSONValue>);
        if (found instanceof Error || found.length === 0) {
          cells.push(null);
          return;
        }
        const type = defs[i + 1].type;
        cells.push(type === 'string' ? printText(found[0]) : found[0] === null ? null : typedCell(type, found[0], now));
      });
      return cells;
    },
  };
}
