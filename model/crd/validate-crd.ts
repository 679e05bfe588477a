// Validation of an apiextensions.k8s.io/v1 CustomResourceDefinition on create, as kube-apiserver
// 1.32 does it (apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go,
// ValidateCustomResourceDefinition). Upstream validates the internal type, converted from v1:
// per-version schemas, subresources and printer columns that are identical in every version are
// moved to spec.validation, spec.subresources and spec.additionalPrinterColumns, and errors name
// those paths; this file reports the same paths. The generic ObjectMeta rules are the registry's;
// here only the CRD-specific name rule and the API-approval annotation are checked.
import type { FieldError } from '../status.js';
import { dns1035LabelErrors, dns1123SubdomainErrors } from '../validation.js';
import { validateConversion } from './schema-crd-conversion.js';
import { validateSchemaOfVersion } from './schema-crd-openapi.js';
import { childPath, isGoPrintable, keyPath } from './schema-gofmt.js';
import { jsonEqual } from './schema-types.js';
import type {
  CustomResourceColumnDefinition, CustomResourceDefinition, CustomResourceDefinitionNames, CustomResourceDefinitionVersion,
  CustomResourceSubresources, JSONSchemaProps, JSONValue,
} from './schema-types.js';

const PRINTER_COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const PRINTER_COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];
const APPROVAL_ANNOTATION = 'api-approved.kubernetes.io';
const APPROVAL_DOC = 'see https://github.com/kubernetes/enhancements/pull/1111';
// versions[].deprecationWarning limit (validateDeprecationWarning).
const MAX_DEPRECATION_WARNING_LENGTH = 256;

/** The internal view: hoisted per-version fields, as conversion from v1 produces it. */
interface InternalSpec {
  readonly versions: readonly CustomResourceDefinitionVersion[];
  readonly validation?: JSONSchemaProps;
  readonly subresources?: CustomResourceSubresources;
  readonly columns: readonly CustomResourceColumnDefinition[];
  readonly schemaHoisted: boolean;
  readonly subresourcesHoisted: boolean;
  readonly columnsHoisted: boolean;
}

function identical<T>(versions: readonly CustomResourceDefinitionVersion[], get: (v: CustomResourceDefinitionVersion) => T | undefined): boolean {
  const first = get(versions[0]);
  return versions.every((v) => jsonEqual((get(v) ?? null) as JSONValue, (first ?? null) as JSONValue));
}

function internalSpec(versions: readonly CustomResourceDefinitionVersion[]): InternalSpec {
  if (versions.length === 0) return { versions, columns: [], schemaHoisted: false, subresourcesHoisted: false, columnsHoisted: false };
  const columnsOf = (v: CustomResourceDefinitionVersion): readonly CustomResourceColumnDefinition[] | undefined =>
    v.additionalPrinterColumns?.length ? v.additionalPrinterColumns : undefined;
  const schemaHoisted = identical(versions, (v) => v.schema);
  const subresourcesHoisted = identical(versions, (v) => v.subresources);
  const columnsHoisted = identical(versions, columnsOf);
  return {
    versions, schemaHoisted, subresourcesHoisted, columnsHoisted,
    validation: schemaHoisted ? versions[0].schema?.openAPIV3Schema : undefined,
    subresources: subresourcesHoisted ? versions[0].subresources : undefined,
    columns: columnsHoisted ? columnsOf(versions[0]) ?? [] : [],
  };
}

function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, value, detail };
}

/** ValidateCustomResourceDefinitionNames. */
function validateNames(names: CustomResourceDefinitionNames, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const label = (field: string, value: string | undefined, lower: boolean): void => {
    if (!value) return;
    const msgs = dns1035LabelErrors(lower ? value.toLowerCase() : value);
    if (msgs.length > 0) errs.push(invalid(childPath(path, field), value, (lower ? 'may have mixed case, but should otherwise match: ' : '') + msgs.join(',')));
  };
  label('plural', names.plural, false);
  label('singular', names.singular, false);
  label('kind', names.kind, true);
  label('listKind', names.listKind, true);
  names.shortNames?.forEach((s, i) => {
    const msgs = dns1035LabelErrors(s);
    if (msgs.length > 0) errs.push(invalid(`${childPath(path, 'shortNames')}[${i}]`, s, msgs.join(',')));
  });
  if (names.kind && names.kind === names.listKind) errs.push(invalid(childPath(path, 'listKind'), names.listKind, 'kind and listKind may not be the same'));
  names.categories?.forEach((c, i) => {
    const msgs = dns1035LabelErrors(c);
    if (msgs.length > 0) errs.push(invalid(`${childPath(path, 'categories')}[${i}]`, c, msgs.join(',')));
  });
  return errs;
}

/** validateSimpleJSONPath: a path in dot notation that starts with a dot. */
function simpleJSONPathErrors(field: string, s: string): FieldError[] {
  if (s === '') return [invalid(field, s, 'must not be empty')];
  return s.startsWith('.') ? [] : [invalid(field, s, 'must be a simple json path starting with .')];
}

function validateSubresources(sub: CustomResourceSubresources | undefined, path: string): FieldError[] {
  const scale = sub?.scale;
  if (!scale) return [];
  const errs: FieldError[] = [];
  const replicas = (name: 'specReplicasPath' | 'statusReplicasPath', prefix: string, under: string): void => {
    const field = childPath(path, `scale.${name}`);
    const value = scale[name] ?? '';
    if (value === '') {
      errs.push({ type: 'FieldValueRequired', field });
      return;
    }
    const bad = simpleJSONPathErrors(field, value);
    if (bad.length > 0) errs.push(...bad);
    else if (!value.startsWith(prefix)) errs.push(invalid(field, value, `should be a json path under ${under}`));
  };
  replicas('specReplicasPath', '.spec.', '.spec');
  replicas('statusReplicasPath', '.status.', '.status');
  const selector = scale.labelSelectorPath;
  if (selector) {
    const field = childPath(path, 'scale.labelSelectorPath');
    const bad = simpleJSONPathErrors(field, selector);
    if (bad.length > 0) errs.push(...bad);
    else if (!selector.startsWith('.spec.') && !selector.startsWith('.status.')) errs.push(invalid(field, selector, 'should be a json path under either .spec or .status'));
  }
  return errs;
}

/** ValidateCustomResourceColumnDefinition; the internal field name is JSONPath. */
function validateColumn(col: CustomResourceColumnDefinition, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!col.name) errs.push({ type: 'FieldValueRequired', field: childPath(path, 'name') });
  const types = `must be one of ${PRINTER_COLUMN_TYPES.join(',')}`;
  if (!col.type) errs.push({ type: 'FieldValueRequired', field: childPath(path, 'type'), detail: types });
  else if (!PRINTER_COLUMN_TYPES.includes(col.type)) errs.push(invalid(childPath(path, 'type'), col.type, types));
  if (col.format && !PRINTER_COLUMN_FORMATS.includes(col.format)) {
    errs.push(invalid(childPath(path, 'format'), col.format, `must be one of ${PRINTER_COLUMN_FORMATS.join(',')}`));
  }
  if (!col.jsonPath) errs.push({ type: 'FieldValueRequired', field: childPath(path, 'JSONPath') });
  else errs.push(...simpleJSONPathErrors(childPath(path, 'JSONPath'), col.jsonPath));
  return errs;
}

function validateDeprecationWarning(v: CustomResourceDefinitionVersion, path: string): FieldError[] {
  const warning = v.deprecationWarning;
  if (warning === undefined) return [];
  const field = childPath(path, 'deprecationWarning');
  if (!v.deprecated) return [invalid(field, warning, 'can only be set for deprecated versions')];
  const errs: FieldError[] = [];
  if (Buffer.byteLength(warning) > MAX_DEPRECATION_WARNING_LENGTH) errs.push(invalid(field, warning, `must be <= ${MAX_DEPRECATION_WARNING_LENGTH} characters long`));
  if (warning === '') errs.push(invalid(field, warning, 'must not be an empty string'));
  let byteIndex = 0;
  for (const ch of warning) {
    // Upstream tests IsPrint before IsControl, so control characters are reported as non-printable.
    if (!isGoPrintable(ch)) {
      errs.push(invalid(field, warning, `must only contain printable UTF-8 characters; non-printable character found at index ${byteIndex}`));
      break;
    }
    byteIndex += Buffer.byteLength(ch);
  }
  return errs;
}

function validateSpec(crd: CustomResourceDefinition, statusEnabledAnywhere: boolean): FieldError[] {
  const spec = crd.spec ?? {};
  const path = 'spec';
  const errs: FieldError[] = [];
  const group = spec.group ?? '';
  if (group === '') errs.push({ type: 'FieldValueRequired', field: 'spec.group' });
  else if (dns1123SubdomainErrors(group).length > 0) errs.push(invalid('spec.group', group, dns1123SubdomainErrors(group).join(',')));
  else if (group.split('.').length < 2) errs.push(invalid('spec.group', group, 'should be a domain with at least one dot'));
  const scope = spec.scope ?? '';
  if (scope === '') errs.push({ type: 'FieldValueRequired', field: 'spec.scope' });
  else if (scope !== 'Cluster' && scope !== 'Namespaced') errs.push({ type: 'FieldValueNotSupported', field: 'spec.scope', value: scope, detail: 'supported values: "Cluster", "Namespaced"' });

  const internal = internalSpec(spec.versions ?? []);
  if (!internal.validation) {
    internal.versions.forEach((v, i) => {
      if (internal.schemaHoisted || !v.schema?.openAPIV3Schema) {
        errs.push({ type: 'FieldValueRequired', field: `spec.versions[${i}].schema.openAPIV3Schema`, detail: 'schemas are required' });
      }
    });
  }
  if (spec.preserveUnknownFields && internal.versions.some((v) => v.schema?.openAPIV3Schema && hasDefaults(v.schema.openAPIV3Schema))) {
    errs.push(invalid('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  }
  const names = new Set<string>();
  let storage = 0;
  let unique = true;
  internal.versions.forEach((v, i) => {
    const at = `spec.versions[${i}]`;
    if (v.storage) storage++;
    if (names.has(v.name)) unique = false;
    names.add(v.name);
    const nameErrs = dns1035LabelErrors(v.name ?? '');
    if (nameErrs.length > 0) errs.push(invalid(childPath(at, 'name'), v.name, nameErrs.join(',')));
    errs.push(...validateDeprecationWarning(v, at));
    const statusEnabled = (internal.subresourcesHoisted ? internal.subresources : v.subresources)?.status !== undefined;
    if (!internal.schemaHoisted) errs.push(...validateSchemaOfVersion(v.schema?.openAPIV3Schema, statusEnabled, childPath(at, 'schema')));
    if (!internal.subresourcesHoisted) errs.push(...validateSubresources(v.subresources, childPath(at, 'subresources')));
    if (!internal.columnsHoisted) v.additionalPrinterColumns?.forEach((c, j) => errs.push(...validateColumn(c, `${at}.additionalPrinterColumns[${j}]`)));
  });
  if (!unique) errs.push(invalid('spec.versions', spec.versions, 'must contain unique version names'));
  if (storage !== 1) errs.push(invalid('spec.versions', spec.versions ?? [], 'must have exactly one version marked as storage version'));
  const first = internal.versions[0]?.name;
  if (first) {
    const versionErrs = dns1035LabelErrors(first);
    if (versionErrs.length > 0) errs.push(invalid('spec.version', first, versionErrs.join(',')));
  }

  const n = defaultedNames(spec.names ?? {});
  for (const f of ['plural', 'singular', 'kind', 'listKind'] as const) {
    if (!n[f]) errs.push({ type: 'FieldValueRequired', field: `spec.names.${f}` });
  }
  errs.push(...validateNames(n, 'spec.names'));
  errs.push(...validateSchemaOfVersion(internal.validation, statusEnabledAnywhere, 'spec.validation'));
  errs.push(...validateSubresources(internal.subresources, 'spec.subresources'));
  internal.columns.forEach((c, i) => errs.push(...validateColumn(c, `spec.additionalPrinterColumns[${i}]`)));
  const strategy = spec.conversion === undefined ? 'None' : spec.conversion.strategy;
  if (strategy !== 'None' && spec.preserveUnknownFields) {
    errs.push(invalid('spec.conversion.strategy', strategy ?? '', 'must be None if spec.preserveUnknownFields is true'));
  }
  errs.push(...validateConversion(spec.conversion, childPath(path, 'conversion')));
  return errs;
}

function hasDefaults(s: JSONSchemaProps): boolean {
  if (s.default !== undefined) return true;
  const children = [s.items, s.not, s.additionalProperties, ...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? []), ...Object.values(s.properties ?? {})].flat();
  return children.some((c) => typeof c === 'object' && c !== null && hasDefaults(c));
}

/** SetDefaults_CustomResourceDefinitionSpec: singular and listKind follow the kind. */
function defaultedNames(names: CustomResourceDefinitionNames): CustomResourceDefinitionNames {
  return {
    ...names,
    singular: names.singular || (names.kind ?? '').toLowerCase(),
    listKind: names.listKind || (names.kind ? `${names.kind}List` : ''),
  };
}

/** Kubernetes-owned groups need an approval annotation (apihelpers.GetAPIApprovalState). */
function validateAPIApproval(crd: CustomResourceDefinition): FieldError[] {
  const group = crd.spec?.group ?? '';
  const isProtected = ['k8s.io', 'kubernetes.io'].some((g) => group === g || group.endsWith(`.${g}`));
  if (!isProtected) return [];
  const field = keyPath('metadata.annotations', APPROVAL_ANNOTATION);
  const annotation = crd.metadata?.annotations?.[APPROVAL_ANNOTATION];
  if (annotation === undefined) {
    return [{ type: 'FieldValueRequired', field, detail: `protected groups must have approval annotation "${APPROVAL_ANNOTATION}", ${APPROVAL_DOC}` }];
  }
  if (annotation.startsWith('unapproved')) return [];
  let approved = false;
  try {
    const u = new URL(annotation);
    approved = u.host !== '' && u.protocol !== '';
  } catch {
    approved = false;
  }
  return approved ? [] : [invalid(field, annotation,
    `protected groups must have approval annotation "${APPROVAL_ANNOTATION}" with either a URL or a reason starting with "unapproved", ${APPROVAL_DOC}`)];
}

/**
 * The field errors kube-apiserver 1.32 reports when this CRD is created (after v1 defaulting
 * and PrepareForCreate, which resets status and records the first storage version as stored).
 */
export function validateCRD(crd: CustomResourceDefinition): FieldError[] {
  const errs: FieldError[] = [];
  const spec = crd.spec ?? {};
  const name = crd.metadata?.name ?? '';
  const required = `${spec.names?.plural ?? ''}.${spec.group ?? ''}`;
  if (name !== '' && name !== required) errs.push(invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  const versions = spec.versions ?? [];
  errs.push(...validateSpec(crd, versions.some((v) => v.subresources?.status !== undefined)));
  const stored = versions.filter((v) => v.storage).slice(0, 1).map((v) => v.name);
  if (stored.length === 0) errs.push(invalid('status.storedVersions', stored, 'must have at least one stored version'));
  else {
    for (const v of versions) {
      if (v.storage && !stored.includes(v.name)) errs.push(invalid('status.storedVersions', stored, `must have the storage version ${v.name}`));
    }
  }
  errs.push(...validateAPIApproval(crd));
  if (spec.preserveUnknownFields) {
    errs.push(invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  return errs;
}
