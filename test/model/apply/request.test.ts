// The request side of apply: body decoding, PatchOptions checks, manager names from user agents.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  fieldManagerErrors, invalidPatchOptions, managerFromUserAgent, parseApplyBody, patchOptionsErrors,
} from '../../../model/apply/index.js';
import { isStatus } from '../../../model/status.js';

test('an apply body may be JSON or YAML', () => {
  const want = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: '1' } };
  assert.equal(parseApplyBody(JSON.stringify(want)), want);
  assert.equal(parseApplyBody(Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n')), want);
  assert.equal(parseApplyBody(''), {});
  assert.equal(parseApplyBody('a: 1\n---\nb: 2\n'), { a: 1 });
});

test('apply bodies decode as go-yaml v2 does: YAML 1.1 booleans, timestamps and base-60 numbers as strings', () => {
  assert.equal(parseApplyBody('a: yes\nb: off\nc: 2024-01-01T00:00:00Z\nd: 1:20\ne: "on"\nf: 0x10\n'),
    { a: true, b: false, c: '2024-01-01T00:00:00Z', d: '1:20', e: 'on', f: 16 });
});

test('a body that is not YAML, or not a map, is a 400 as applyPatcher words it', () => {
  const bad = parseApplyBody('a: [1, 2\n');
  assert.ok(isStatus(bad));
  if (isStatus(bad)) {
    assert.is(bad.code, 400);
    assert.match(bad.message, /^error decoding YAML: error converting YAML to JSON: yaml: line \d+: /);
  }
  const list = parseApplyBody('[1, 2]');
  assert.ok(isStatus(list));
  if (isStatus(list)) {
    assert.is(list.message, 'error decoding YAML: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}');
  }
  const str = parseApplyBody('hello');
  assert.ok(isStatus(str) && str.message.endsWith('cannot unmarshal string into Go value of type map[string]interface {}'));
});

test('the manager of a write without fieldManager is the user agent up to its first slash', () => {
  assert.is(managerFromUserAgent('kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9'), 'kubectl');
  assert.is(managerFromUserAgent('kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/70d3cc9/system:serviceaccount:kube-system:deployment-controller'), 'kube-controller-manager');
  assert.is(managerFromUserAgent('Mozilla/5.0 (X11)'), 'Mozilla');
  assert.is(managerFromUserAgent('bad\u0007agent'), 'badagent');
  assert.is(managerFromUserAgent('x'.repeat(200)), 'x'.repeat(128));
  assert.is(managerFromUserAgent(undefined), '');
});

test('PatchOptions: apply needs a fieldManager, force is for apply only', () => {
  assert.equal(patchOptionsErrors(true, 'kubectl', true), []);
  assert.is(invalidPatchOptions(patchOptionsErrors(true, '', false)).message,
    'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  const forced = invalidPatchOptions(patchOptionsErrors(false, 'kubectl', true));
  assert.equal([forced.code, forced.reason, forced.message], [422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch']);
  assert.equal(forced.details, { group: 'meta.k8s.io', kind: 'PatchOptions', causes: [{ reason: 'FieldValueForbidden', message: 'Forbidden: may not be specified for non-apply patch', field: 'force' }] });
});

test('a fieldManager is at most 128 bytes of printable characters', () => {
  assert.equal(fieldManagerErrors('x'.repeat(128)), []);
  assert.equal(fieldManagerErrors('x'.repeat(129)).map((e) => e.type), ['FieldValueTooLong']);
  assert.equal(fieldManagerErrors('a\tb'), [{ type: 'FieldValueInvalid', field: 'fieldManager', value: 'a\tb', detail: 'invalid character U+0009 (at position 1)' }]);
});

test.run();
