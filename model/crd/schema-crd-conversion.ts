// spec.conversion of a CRD (apiextensions-apiserver validateCustomResourceConversion, with
// apiserver pkg/util/webhook's URL and service checks). Field paths use the internal type's
// names, as upstream reports them: spec.conversion.webhookClientConfig and
// spec.conversion.conversionReviewVersions. caBundle is not checked: a create accepts any.
import type { FieldError } from '../status.js';
import { dns1035LabelErrors, dns1123SubdomainErrors } from '../validation.js';
import { childPath } from './schema-gofmt.js';
import type { CustomResourceConversion } from './schema-types.js';

const URL_FORM = '; desired format: https://host[/path]';
// The ConversionReview versions the previous kube-apiserver release understands.
const ACCEPTED_REVIEW_VERSIONS = ['v1', 'v1beta1'];
// v1 defaulting (SetDefaults_ServiceReference) gives webhook services this port.
const DEFAULT_WEBHOOK_PORT = 443;

function validateURL(field: string, raw: string): FieldError[] {
  let u: URL;
  try {
    u = new URL(raw);
  } catch (err) {
    return [{ type: 'FieldValueRequired', field, detail: `url must be a valid URL: ${(err as Error).message}${URL_FORM}` }];
  }
  const errs: FieldError[] = [];
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'https') errs.push({ type: 'FieldValueInvalid', field, value: scheme, detail: `'https' is the only allowed URL scheme${URL_FORM}` });
  if (u.host === '') errs.push({ type: 'FieldValueInvalid', field, value: u.host, detail: `host must be specified${URL_FORM}` });
  if (u.username !== '' || u.password !== '') {
    const user = u.password !== '' ? `${u.username}:${u.password}` : u.username;
    errs.push({ type: 'FieldValueInvalid', field, value: user, detail: 'user information is not permitted in the URL' });
  }
  if (raw.includes('#')) errs.push({ type: 'FieldValueInvalid', field, value: u.hash.slice(1), detail: 'fragments are not permitted in the URL' });
  if (u.search !== '') errs.push({ type: 'FieldValueInvalid', field, value: u.search.slice(1), detail: 'query parameters are not permitted in the URL' });
  return errs;
}

function validateServicePath(field: string, path: string): FieldError[] {
  if (path === '/' || path === '') return [];
  if (path === '//') return [{ type: 'FieldValueInvalid', field, value: path, detail: 'segment[0] may not be empty' }];
  const errs: FieldError[] = [];
  if (!path.startsWith('/')) errs.push({ type: 'FieldValueInvalid', field, value: path, detail: "must start with a '/'" });
  let rest = path.slice(1);
  if (rest.endsWith('/')) rest = rest.slice(0, -1);
  rest.split('/').forEach((step, i) => {
    if (step === '') {
      errs.push({ type: 'FieldValueInvalid', field, value: path, detail: `segment[${i}] may not be empty` });
      return;
    }
    for (const msg of dns1123SubdomainErrors(step)) errs.push({ type: 'FieldValueInvalid', field, value: path, detail: `segment[${i}]: ${msg}` });
  });
  return errs;
}

function validateService(field: string, svc: NonNullable<NonNullable<CustomResourceConversion['webhook']>['clientConfig']>['service']): FieldError[] {
  const errs: FieldError[] = [];
  if (!svc?.name) errs.push({ type: 'FieldValueRequired', field: childPath(field, 'name'), detail: 'service name is required' });
  if (!svc?.namespace) errs.push({ type: 'FieldValueRequired', field: childPath(field, 'namespace'), detail: 'service namespace is required' });
  const port = svc?.port ?? DEFAULT_WEBHOOK_PORT;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    errs.push({ type: 'FieldValueInvalid', field: childPath(field, 'port'), value: port, detail: 'port is not valid: must be between 1 and 65535, inclusive' });
  }
  if (svc?.path !== undefined) errs.push(...validateServicePath(childPath(field, 'path'), svc.path));
  return errs;
}

function validateReviewVersions(field: string, versions: readonly string[] | undefined): FieldError[] {
  if (!versions || versions.length === 0) return [{ type: 'FieldValueRequired', field }];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const at = `${field}[${i}]`;
    if (seen.has(v)) {
      errs.push({ type: 'FieldValueInvalid', field: at, value: v, detail: 'duplicate version' });
      return;
    }
    seen.add(v);
    for (const msg of dns1035LabelErrors(v)) errs.push({ type: 'FieldValueInvalid', field: at, value: v, detail: msg });
  });
  if (!versions.some((v) => ACCEPTED_REVIEW_VERSIONS.includes(v))) {
    errs.push({ type: 'FieldValueInvalid', field, value: [...versions], detail: `must include at least one of ${ACCEPTED_REVIEW_VERSIONS.join(', ')}` });
  }
  return errs;
}

/** The errors of a (v1-defaulted) spec.conversion at `path`. */
export function validateConversion(conversion: CustomResourceConversion | undefined, path: string): FieldError[] {
  // v1 defaulting sets strategy None only when spec.conversion is absent altogether.
  const strategy = conversion === undefined ? 'None' : conversion.strategy ?? '';
  const clientConfig = conversion?.webhook?.clientConfig;
  const reviewVersions = conversion?.webhook?.conversionReviewVersions;
  const ccField = childPath(path, 'webhookClientConfig');
  const rvField = childPath(path, 'conversionReviewVersions');
  const errs: FieldError[] = [];
  if (strategy === '') errs.push({ type: 'FieldValueRequired', field: childPath(path, 'strategy') });
  else if (strategy !== 'None' && strategy !== 'Webhook') {
    errs.push({ type: 'FieldValueNotSupported', field: childPath(path, 'strategy'), value: strategy, detail: 'supported values: "None", "Webhook"' });
  }
  if (strategy === 'Webhook') {
    if (!clientConfig) {
      errs.push({ type: 'FieldValueRequired', field: ccField, detail: 'required when strategy is set to Webhook' });
    } else if ((clientConfig.url === undefined) === (clientConfig.service === undefined)) {
      errs.push({ type: 'FieldValueRequired', field: ccField, detail: 'exactly one of url or service is required' });
    } else if (clientConfig.url !== undefined) {
      errs.push(...validateURL(childPath(ccField, 'url'), clientConfig.url));
    } else {
      errs.push(...validateService(childPath(ccField, 'service'), clientConfig.service));
    }
    errs.push(...validateReviewVersions(rvField, reviewVersions));
  } else {
    if (clientConfig) errs.push({ type: 'FieldValueForbidden', field: ccField, detail: 'should not be set when strategy is not set to Webhook' });
    if (reviewVersions && reviewVersions.length > 0) {
      errs.push({ type: 'FieldValueForbidden', field: rvField, detail: 'should not be set when strategy is not set to Webhook' });
    }
  }
  return errs;
}
