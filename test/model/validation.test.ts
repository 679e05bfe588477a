import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { invalid, type FieldError } from '../../model/status.js';
import type { ObjectMeta } from '../../model/object.js';
import { cryptoRng, seededRng } from '../../model/rng.js';
import {
  dns1123LabelErrors, dns1123SubdomainErrors, generateName, generateNameSuffix, isDNS1123Label, isDNS1123Subdomain,
  labelValueErrors, nameErrors, pathSegmentNameErrors, qualifiedNameErrors, validateObjectMeta,
} from '../../model/validation.js';

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
  + "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
  + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
  + "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
  + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
  + "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
  + "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_PART_MSG = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
  + "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
  + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const subdomain = { namespaced: true, nameRule: 'subdomain' } as const;

function messageOf(kind: string, name: string, errs: readonly FieldError[]): string {
  return invalid(kind, '', name, errs).message;
}

test('DNS-1123 subdomain', () => {
  assert.ok(isDNS1123Subdomain('example.com'));
  assert.ok(isDNS1123Subdomain('a'));
  assert.not.ok(isDNS1123Subdomain('Bad_Name'));
  assert.equal(dns1123SubdomainErrors('Bad_Name'), [SUBDOMAIN_MSG]);
  assert.equal(dns1123SubdomainErrors('a'.repeat(253)), []);
  assert.equal(dns1123SubdomainErrors('a'.repeat(254)), ['must be no more than 253 characters']);
  assert.equal(dns1123SubdomainErrors('-a'.repeat(200)), ['must be no more than 253 characters', SUBDOMAIN_MSG]);
  assert.equal(dns1123SubdomainErrors(''), [SUBDOMAIN_MSG]);
});

test('DNS-1123 label', () => {
  assert.ok(isDNS1123Label('my-name'));
  assert.ok(isDNS1123Label('123-abc'));
  assert.not.ok(isDNS1123Label('a.b'));
  assert.equal(dns1123LabelErrors('a.b'), ['must not contain dots']);
  assert.equal(dns1123LabelErrors('Bad_Name'), [LABEL_MSG]);
  assert.equal(dns1123LabelErrors('a'.repeat(63)), []);
  assert.equal(dns1123LabelErrors('a'.repeat(64)), ['must be no more than 63 characters']);
});

test('path segment names', () => {
  assert.equal(pathSegmentNameErrors('system:admin'), []);
  assert.equal(pathSegmentNameErrors('.'), ["may not be '.'"]);
  assert.equal(pathSegmentNameErrors('..'), ["may not be '..'"]);
  assert.equal(pathSegmentNameErrors('a/b%c'), ["may not contain '/'", "may not contain '%'"]);
  assert.equal(pathSegmentNameErrors('.', true), []);
  assert.equal(nameErrors('path', 'Any Thing: Goes'), []);
});

test('qualified names and label values', () => {
  assert.equal(qualifiedNameErrors('app.kubernetes.io/name'), []);
  assert.equal(qualifiedNameErrors('MyName'), []);
  assert.equal(qualifiedNameErrors('-x'), [NAME_PART_MSG]);
  assert.equal(qualifiedNameErrors('/x'), ['prefix part must be non-empty']);
  assert.equal(qualifiedNameErrors('x/'), ['name part must be non-empty', NAME_PART_MSG]);
  assert.equal(qualifiedNameErrors('Example.com/x'), [`prefix part ${SUBDOMAIN_MSG}`]);
  assert.equal(qualifiedNameErrors('a'.repeat(64)), ['name part must be no more than 63 characters']);
  assert.match(qualifiedNameErrors('a/b/c')[0], /^a qualified name must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
  assert.equal(labelValueErrors(''), []);
  assert.equal(labelValueErrors('a_b.c-d'), []);
  assert.equal(labelValueErrors('a b'), [LABEL_VALUE_MSG]);
  assert.equal(labelValueErrors('a'.repeat(64)), ['must be no more than 63 characters']);
});

test('name or generateName is required', () => {
  const errs = validateObjectMeta({ namespace: 'default' }, subdomain);
  assert.is(messageOf('ConfigMap', '', errs), 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
  assert.equal(validateObjectMeta({ generateName: 'web-', namespace: 'default' }, subdomain), []);
});

test('Bad_Name: exact upstream message', () => {
  const errs = validateObjectMeta({ name: 'Bad_Name', namespace: 'default' }, subdomain);
  assert.is(errs.length, 1);
  assert.equal(errs[0], { type: 'FieldValueInvalid', field: 'metadata.name', value: 'Bad_Name', detail: SUBDOMAIN_MSG });
  assert.is(messageOf('ConfigMap', 'Bad_Name', errs), `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${SUBDOMAIN_MSG}`);
});

test('too-long names: 253 for subdomains, 63 for labels', () => {
  assert.equal(validateObjectMeta({ name: 'a'.repeat(253), namespace: 'ns' }, subdomain), []);
  const long = validateObjectMeta({ name: 'a'.repeat(254), namespace: 'ns' }, subdomain);
  assert.is(long.length, 1);
  assert.is(long[0].detail, 'must be no more than 253 characters');
  const ns = validateObjectMeta({ name: 'a'.repeat(64) }, { namespaced: false, nameRule: 'label' });
  assert.is(ns.length, 1);
  assert.is(ns[0].field, 'metadata.name');
  assert.is(ns[0].detail, 'must be no more than 63 characters');
  assert.equal(validateObjectMeta({ name: 'a'.repeat(63) }, { namespaced: false, nameRule: 'label' }), []);
});

test('generateName prefix is validated with a masked trailing dash', () => {
  assert.equal(validateObjectMeta({ generateName: 'web-', namespace: 'ns' }, subdomain), []);
  const bad = validateObjectMeta({ generateName: 'Web-', namespace: 'ns' }, subdomain);
  assert.is(bad.length, 1);
  assert.is(bad[0].field, 'metadata.generateName');
  assert.is(bad[0].value, 'Web-');
  assert.equal(validateObjectMeta({ generateName: 'web/', namespace: 'ns' }, { namespaced: true, nameRule: 'path' }),
    [{ type: 'FieldValueInvalid', field: 'metadata.generateName', value: 'web/', detail: "may not contain '/'" }]);
});

test('namespace rules', () => {
  const forbidden = validateObjectMeta({ name: 'n1', namespace: 'default' }, { namespaced: false, nameRule: 'subdomain' });
  assert.is(messageOf('Node', 'n1', forbidden), 'Node "n1" is invalid: metadata.namespace: Forbidden: not allowed on this type');
  const missing = validateObjectMeta({ name: 'c' }, subdomain);
  assert.is(messageOf('ConfigMap', 'c', missing), 'ConfigMap "c" is invalid: metadata.namespace: Required value');
  const badNs = validateObjectMeta({ name: 'c', namespace: 'Bad' }, subdomain);
  assert.equal(badNs, [{ type: 'FieldValueInvalid', field: 'metadata.namespace', value: 'Bad', detail: LABEL_MSG }]);
});

test('labels: keys and values', () => {
  const meta: ObjectMeta = { name: 'x', namespace: 'ns', labels: { ok: 'fine', '-bad': 'v', k: 'has space', long: 'v'.repeat(64) } };
  const errs = validateObjectMeta(meta, subdomain);
  assert.equal(errs, [
    { type: 'FieldValueInvalid', field: 'metadata.labels', value: '-bad', detail: NAME_PART_MSG },
    { type: 'FieldValueInvalid', field: 'metadata.labels', value: 'has space', detail: LABEL_VALUE_MSG },
    { type: 'FieldValueInvalid', field: 'metadata.labels', value: 'v'.repeat(64), detail: 'must be no more than 63 characters' },
  ]);
  assert.is(messageOf('ConfigMap', 'x', [errs[1]]),
    `ConfigMap "x" is invalid: metadata.labels: Invalid value: "has space": ${LABEL_VALUE_MSG}`);
});

test('annotations: keys (case-insensitive) and total size', () => {
  assert.equal(validateObjectMeta({ name: 'x', namespace: 'ns', annotations: { 'Example.COM/Key': 'v' } }, subdomain), []);
  const badKey = validateObjectMeta({ name: 'x', namespace: 'ns', annotations: { 'a b': 'v' } }, subdomain);
  assert.is(badKey.length, 1);
  assert.is(badKey[0].field, 'metadata.annotations');
  assert.is(badKey[0].value, 'a b');

  const exact = validateObjectMeta({ name: 'x', namespace: 'ns', annotations: { k: 'v'.repeat(262144 - 1) } }, subdomain);
  assert.equal(exact, []);
  const over = validateObjectMeta({ name: 'x', namespace: 'ns', annotations: { k: 'v'.repeat(262144) } }, subdomain);
  assert.is(messageOf('ConfigMap', 'x', over), 'ConfigMap "x" is invalid: metadata.annotations: Too long: must have at most 262144 bytes');
  // The limit counts UTF-8 bytes, not characters.
  const multibyte = validateObjectMeta({ name: 'x', namespace: 'ns', annotations: { k: 'é'.repeat(131072) } }, subdomain);
  assert.is(multibyte.length, 1);
});

test('ownerReferences', () => {
  const ok = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1', controller: true };
  assert.equal(validateObjectMeta({ name: 'p', namespace: 'ns', ownerReferences: [ok] }, subdomain), []);
  const empty = validateObjectMeta({ name: 'p', namespace: 'ns', ownerReferences: [{ apiVersion: '', kind: '', name: '', uid: '' }] }, subdomain);
  assert.equal(empty.map((e) => `${e.field}: ${e.detail}`), [
    'metadata.ownerReferences.apiVersion: version must not be empty',
    'metadata.ownerReferences.kind: must not be empty',
    'metadata.ownerReferences.name: must not be empty',
    'metadata.ownerReferences.uid: must not be empty',
  ]);
  const two = validateObjectMeta({
    name: 'p', namespace: 'ns',
    ownerReferences: [ok, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs2', uid: 'u2', controller: true }],
  }, subdomain);
  assert.is(two.length, 1);
  assert.is(two[0].detail, 'Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/rs and ReplicaSet/rs2');
  const event = validateObjectMeta({ name: 'p', namespace: 'ns', ownerReferences: [{ apiVersion: 'v1', kind: 'Event', name: 'e', uid: 'u' }] }, subdomain);
  assert.is(event[0].detail, '/v1, Kind=Event is disallowed from being an owner');
});

test('finalizers', () => {
  assert.equal(validateObjectMeta({ name: 'p', namespace: 'ns', finalizers: ['example.com/cleanup', 'kubernetes'] }, subdomain), []);
  const bad = validateObjectMeta({ name: 'p', namespace: 'ns', finalizers: ['bad finalizer'] }, subdomain);
  assert.equal(bad, [{ type: 'FieldValueInvalid', field: 'metadata.finalizers', value: 'bad finalizer', detail: NAME_PART_MSG }]);
  const both = validateObjectMeta({ name: 'p', namespace: 'ns', finalizers: ['orphan', 'foregroundDeletion'] }, subdomain);
  assert.is(both[0].detail, 'finalizer orphan and foregroundDeletion cannot be both set');
});

test('generateName suffix alphabet and length', () => {
  const rng = seededRng(42);
  for (let i = 0; i < 500; i++) {
    const s = generateNameSuffix(rng);
    assert.is(s.length, 5);
    assert.match(s, /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  }
  assert.is(generateNameSuffix(() => 0), 'bbbbb');
  assert.is(generateNameSuffix(() => 0.999999), '99999');
  const crypto = cryptoRng();
  assert.match(generateNameSuffix(crypto), /^[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

test('generateName truncates the base to 58 characters', () => {
  const name = generateName('x'.repeat(100), seededRng(1));
  assert.is(name.length, 63);
  assert.ok(name.startsWith('x'.repeat(58)));
  assert.not.ok(name.startsWith('x'.repeat(59)));
  const short = generateName('web-', () => 0);
  assert.is(short, 'web-bbbbb');
});

test('seeded rng is deterministic and in [0, 1)', () => {
  const a = seededRng(7);
  const b = seededRng(7);
  for (let i = 0; i < 1000; i++) {
    const x = a.next();
    assert.is(x, b.next());
    assert.ok(x >= 0 && x < 1);
  }
  assert.is.not(seededRng(1).next(), seededRng(2).next());
});

test.run();
