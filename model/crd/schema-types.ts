// The apiextensions.k8s.io/v1 shapes the schema code reads: JSONSchemaProps as CRDs write it
// (k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1/types_jsonschema.go) and the parts of
// CustomResourceDefinition that validation and printing need. Objects are plain decoded JSON.

import type { PrinterColumn } from '../catalog.js';

/** A JSON value as a decoded request body holds it. */
export type JSONValue = null | boolean | number | string | JSONValue[] | { [key: string]: JSONValue };

/** One x-kubernetes-validations rule. CEL is not evaluated by kemu; the rules are only carried. */
export interface ValidationRule {
  readonly rule?: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly reason?: string;
  readonly fieldPath?: string;
  readonly optionalOldSelf?: boolean;
}

export interface ExternalDocumentation {
  readonly description?: string;
  readonly url?: string;
}

/** JSONSchemaProps (apiextensions v1). Field names are the JSON names. */
export interface JSONSchemaProps {
  readonly id?: string;
  readonly $schema?: string;
  readonly $ref?: string;
  readonly description?: string;
  readonly type?: string;
  readonly format?: string;
  readonly title?: string;
  readonly default?: JSONValue;
  readonly maximum?: number;
  readonly exclusiveMaximum?: boolean;
  readonly minimum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly pattern?: string;
  readonly maxItems?: number;
  readonly minItems?: number;
  readonly uniqueItems?: boolean;
  readonly multipleOf?: number;
  readonly enum?: readonly JSONValue[];
  readonly maxProperties?: number;
  readonly minProperties?: number;
  readonly required?: readonly string[];
  /** A schema; an array of schemas is rejected by CRD validation. */
  readonly items?: JSONSchemaProps | readonly JSONSchemaProps[];
  readonly allOf?: readonly JSONSchemaProps[];
  readonly oneOf?: readonly JSONSchemaProps[];
  readonly anyOf?: readonly JSONSchemaProps[];
  readonly not?: JSONSchemaProps;
  readonly properties?: Readonly<Record<string, JSONSchemaProps>>;
  readonly additionalProperties?: JSONSchemaProps | boolean;
  readonly patternProperties?: Readonly<Record<string, JSONSchemaProps>>;
  readonly dependencies?: Readonly<Record<string, JSONSchemaProps | readonly string[]>>;
  readonly additionalItems?: JSONSchemaProps | boolean;
  readonly definitions?: Readonly<Record<string, JSONSchemaProps>>;
  readonly externalDocs?: ExternalDocumentation;
  readonly example?: JSONValue;
  readonly nullable?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-map-type'?: string;
  readonly 'x-kubernetes-validations'?: readonly ValidationRule[];
}

/** The catalog's PrinterColumn is the same additionalPrinterColumns entry. */
export type CustomResourceColumnDefinition = PrinterColumn;

export interface CustomResourceSubresourceScale {
  readonly specReplicasPath?: string;
  readonly statusReplicasPath?: string;
  readonly labelSelectorPath?: string;
}

export interface CustomResourceSubresources {
  readonly status?: Readonly<Record<string, never>>;
  readonly scale?: CustomResourceSubresourceScale;
}

export interface SelectableField {
  readonly jsonPath?: string;
}

export interface CustomResourceDefinitionVersion {
  readonly name: string;
  readonly served?: boolean;
  readonly storage?: boolean;
  readonly deprecated?: boolean;
  readonly deprecationWarning?: string;
  readonly schema?: { readonly openAPIV3Schema?: JSONSchemaProps };
  readonly subresources?: CustomResourceSubresources;
  readonly additionalPrinterColumns?: readonly CustomResourceColumnDefinition[];
  readonly selectableFields?: readonly SelectableField[];
}

export interface CustomResourceDefinitionNames {
  readonly plural?: string;
  readonly singular?: string;
  readonly shortNames?: readonly string[];
  readonly kind?: string;
  readonly listKind?: string;
  readonly categories?: readonly string[];
}

export interface WebhookClientConfig {
  readonly url?: string;
  readonly service?: { readonly namespace?: string; readonly name?: string; readonly path?: string; readonly port?: number };
  readonly caBundle?: string;
}

export interface CustomResourceConversion {
  readonly strategy?: string;
  readonly webhook?: { readonly clientConfig?: WebhookClientConfig; readonly conversionReviewVersions?: readonly string[] };
}

export interface CustomResourceDefinitionSpec {
  readonly group?: string;
  readonly names?: CustomResourceDefinitionNames;
  readonly scope?: string;
  readonly versions?: readonly CustomResourceDefinitionVersion[];
  readonly conversion?: CustomResourceConversion;
  readonly preserveUnknownFields?: boolean;
}

export interface CustomResourceDefinition {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: CustomResourceDefinitionSpec;
  readonly status?: { readonly acceptedNames?: CustomResourceDefinitionNames; readonly storedVersions?: readonly string[] };
}

export function isJSONObject(v: unknown): v is Record<string, JSONValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** reflect.DeepEqual on decoded JSON. */
export function jsonEqual(a: JSONValue, b: JSONValue): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isJSONObject(a) && isJSONObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

/** The single item schema, or undefined for none or the (invalid) array form. */
export function itemSchema(s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  const items = s?.items;
  return items === undefined || Array.isArray(items) ? undefined : (items as JSONSchemaProps);
}

/** The additionalProperties schema; `false` and `true` both mean no schema, as in Structural. */
export function additionalSchema(s: JSONSchemaProps): JSONSchemaProps | undefined {
  const ap = s.additionalProperties;
  return typeof ap === 'object' ? ap : undefined;
}

export function ownProperty(s: JSONSchemaProps, key: string): JSONSchemaProps | undefined {
  return s.properties !== undefined && Object.hasOwn(s.properties, key) ? s.properties[key] : undefined;
}
