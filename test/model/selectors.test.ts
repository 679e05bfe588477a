import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isStatus, type Status } from '../../model/status.js';
import { fieldsOf, supportedFields, validateFieldSelector, validateFieldSelectorFor } from '../../model/selectors/field-labels.js';
import { parseFieldSelector, type FieldSelector } from '../../model/selectors/fields.js';
import { labelSelectorFromObject, parseLabelSelector, type LabelSelector } from '../../model/selectors/labels.js';

function label(s: string): LabelSelector {
  const r = parseLabelSelector(s);
  if (isStatus(r)) throw new Error(`unexpected error for ${JSON.stringify(s)}: ${r.message}`);
  return r;
}

function labelError(s: string): Status {
  const r = parseLabelSelector(s);
  if (!isStatus(r)) throw new Error(`expected an error for ${JSON.stringify(s)}, got ${r.toString()}`);
  assert.is(r.code, 400);
  assert.is(r.reason, 'BadRequest');
  return r;
}

function field(s: string): FieldSelector {
  const r = parseFieldSelector(s);
  if (isStatus(r)) throw new Error(`unexpected error for ${JSON.stringify(s)}: ${r.message}`);
  return r;
}

function fieldError(s: string): string {
  const r = parseFieldSelector(s);
  if (!isStatus(r)) throw new Error(`expected an error for ${JSON.stringify(s)}`);
  assert.is(r.code, 400);
  return r.message;
}

// ---- label selector grammar ----

test('empty label selector selects everything', () => {
  const s = label('');
  assert.ok(s.empty);
  assert.ok(s.matches(undefined));
  assert.ok(s.matches({ a: 'b' }));
  assert.ok(label('   ').empty);
});

test('equality forms: =, ==', () => {
  for (const src of ['app=web', 'app==web', ' app = web ']) {
    const s = label(src);
    assert.not.ok(s.empty);
    assert.ok(s.matches({ app: 'web' }), src);
    assert.not.ok(s.matches({ app: 'db' }), src);
    assert.not.ok(s.matches({}), src);
    assert.is(s.requiresExactMatch('app'), 'web');
  }
});

test('!= matches objects without the key', () => {
  const s = label('tier!=db');
  assert.ok(s.matches({ tier: 'web' }));
  assert.ok(s.matches({}));
  assert.ok(s.matches(undefined));
  assert.not.ok(s.matches({ tier: 'db' }));
});

test('in / notin, notin matches objects without the key', () => {
  const inSel = label('env in (prod, staging)');
  assert.ok(inSel.matches({ env: 'prod' }));
  assert.ok(inSel.matches({ env: 'staging' }));
  assert.not.ok(inSel.matches({ env: 'dev' }));
  assert.not.ok(inSel.matches({}));
  const notIn = label('env notin (prod,staging)');
  assert.ok(notIn.matches({ env: 'dev' }));
  assert.ok(notIn.matches({}));
  assert.not.ok(notIn.matches({ env: 'prod' }));
});

test('exists and does-not-exist', () => {
  const has = label('app');
  assert.ok(has.matches({ app: '' }));
  assert.not.ok(has.matches({ other: 'x' }));
  const hasNot = label('!app');
  assert.ok(hasNot.matches({ other: 'x' }));
  assert.not.ok(hasNot.matches({ app: 'x' }));
  assert.is(label(' ! app').toString(), '!app');
});

test('gt / lt compare as integers and require the key', () => {
  const gt = label('replicas>5');
  assert.ok(gt.matches({ replicas: '10' }));
  assert.not.ok(gt.matches({ replicas: '5' }));
  assert.not.ok(gt.matches({ replicas: 'ten' }));
  assert.not.ok(gt.matches({}));
  const lt = label('replicas<5');
  assert.ok(lt.matches({ replicas: '-3' }));
  assert.ok(lt.matches({ replicas: '4' }));
  assert.not.ok(lt.matches({ replicas: '9' }));
});

test('comma is AND and requirements are sorted by key', () => {
  const s = label('b=2,a=1,!c');
  assert.is(s.toString(), 'a=1,b=2,!c');
  assert.ok(s.matches({ a: '1', b: '2' }));
  assert.not.ok(s.matches({ a: '1', b: '2', c: '3' }));
  assert.not.ok(s.matches({ a: '1' }));
});

test('set values: empty entries, sorted String(), keywords as values', () => {
  assert.is(label('x in (foo,,baz),y,z notin ()').toString(), 'x in (,baz,foo),y,z notin ()');
  const empty = label('x in ()');
  assert.ok(empty.matches({ x: '' }));
  assert.not.ok(empty.matches({ x: 'a' }));
  assert.ok(label('x in (,a)').matches({ x: '' }));
  // "in" is an identifier where a key or value is expected.
  assert.ok(label('in in (in, notin)').matches({ in: 'notin' }));
  assert.ok(label('constructor').matches({ constructor: 'x' }));
  assert.not.ok(label('constructor').matches({}));
});

test('empty exact values', () => {
  const s = label('a=,b!=');
  assert.ok(s.matches({ a: '', b: 'x' }));
  assert.not.ok(s.matches({ a: 'x' }));
});

test('whitespace tolerance follows the Go lexer (space, tab, CR, LF)', () => {
  assert.is(label('\ta\n=\r b , c').toString(), 'a=b,c');
  assert.is(label('a in(b)').toString(), 'a in (b)');
});

test('prefixed keys', () => {
  assert.ok(label('app.kubernetes.io/name=web').matches({ 'app.kubernetes.io/name': 'web' }));
});

// ---- label selector errors: Go's texts ----

test('parse errors carry the Go parser text', () => {
  assert.is(labelError('a b').message, 'unable to parse requirement: found \'b\', expected: in, notin, =, ==, !=, gt, lt');
  assert.is(labelError('a=b c').message, "found 'c', expected: ',' or 'end of string'");
  assert.is(labelError('a=(b)').message, "unable to parse requirement: found '(', expected: identifier");
  assert.is(labelError('a in b').message, "unable to parse requirement: found 'b' expected: '('");
  assert.is(labelError('a in (b').message, "unable to parse requirement: found '', expected: ',' or ')'");
  assert.is(labelError('a in (b c)').message, "unable to parse requirement: found 'c', expected: ',' or ')'");
  assert.is(labelError('a in =').message, "unable to parse requirement: found '=' expected: '('");
  assert.is(labelError('a,').message, "found '', expected: identifier after ','");
  assert.is(labelError('a=b,,c').message, "found ',', expected: identifier after ','");
  assert.is(labelError(',a').message, "found ',', expected: !, identifier, or 'end of string'");
  assert.is(labelError('=a').message, "found '=', expected: !, identifier, or 'end of string'");
  assert.is(labelError('!k=v').message, "found '=', expected: ',' or 'end of string'");
  assert.is(labelError('!=a').message, "found '!=', expected: !, identifier, or 'end of string'");
});

test('invalid keys and values use field error texts', () => {
  assert.is(labelError('-a=b').message,
    'unable to parse requirement: <nil>: Invalid value: "-a": name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', '
    + "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
    + "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  assert.is(labelError('a=-bad').message,
    'unable to parse requirement: values[0][a]: Invalid value: "-bad": a valid label must be an empty string or consist of '
    + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
    + "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  assert.is(labelError('a>x').message,
    "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, the value must be an integer");
  assert.is(labelError(`a=${'v'.repeat(64)}`).message.includes('must be no more than 63 characters'), true);
  assert.match(labelError('a/b/c').message, /^unable to parse requirement: <nil>: Invalid value: "a\/b\/c": a qualified name must consist/);
});

// ---- metav1.LabelSelector ----

test('labelSelectorFromObject: null selects nothing, {} everything', () => {
  const nothing = labelSelectorFromObject(null);
  assert.not.ok(isStatus(nothing));
  if (isStatus(nothing)) return;
  assert.not.ok(nothing.empty);
  assert.not.ok(nothing.matches({}));
  const all = labelSelectorFromObject({});
  if (isStatus(all)) throw new Error('unexpected');
  assert.ok(all.empty);
  assert.ok(all.matches({ a: 'b' }));
});

test('labelSelectorFromObject: matchLabels and every operator', () => {
  const s = labelSelectorFromObject({
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'stage'] },
      { key: 'tier', operator: 'NotIn', values: ['db'] },
      { key: 'team', operator: 'Exists' },
      { key: 'legacy', operator: 'DoesNotExist' },
    ],
  });
  if (isStatus(s)) throw new Error(s.message);
  assert.ok(s.matches({ app: 'web', env: 'prod', team: 'a' }));
  assert.not.ok(s.matches({ app: 'web', env: 'prod', team: 'a', tier: 'db' }));
  assert.not.ok(s.matches({ app: 'web', env: 'prod', team: 'a', legacy: '1' }));
  assert.not.ok(s.matches({ app: 'web', env: 'dev', team: 'a' }));
  assert.not.ok(s.matches({ env: 'prod', team: 'a' }));
});

test('labelSelectorFromObject: errors', () => {
  const bad = labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Foo' }] });
  assert.ok(isStatus(bad));
  if (isStatus(bad)) assert.is(bad.message, '"Foo" is not a valid label selector operator');
  const empty = labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] });
  assert.ok(isStatus(empty));
  if (isStatus(empty)) assert.is(empty.message, "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty");
  const both = labelSelectorFromObject({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] });
  if (isStatus(both)) assert.is(both.message, 'values: Invalid value: ["x"]: values set must be empty for exists and does not exist');
  else assert.unreachable();
});

// ---- field selectors ----

test('field selector operators and AND', () => {
  const s = field('status.phase=Running,spec.nodeName!=n1,metadata.namespace==default');
  assert.equal(s.requirements, [
    { field: 'metadata.namespace', op: '=', value: 'default' },
    { field: 'spec.nodeName', op: '!=', value: 'n1' },
    { field: 'status.phase', op: '=', value: 'Running' },
  ]);
  assert.ok(s.matches({ 'status.phase': 'Running', 'spec.nodeName': 'n2', 'metadata.namespace': 'default' }));
  assert.not.ok(s.matches({ 'status.phase': 'Running', 'spec.nodeName': 'n1', 'metadata.namespace': 'default' }));
  // An unset field reads as "".
  assert.ok(field('spec.nodeName=').matches({}));
  assert.ok(field('spec.nodeName!=x').matches({}));
});

test('field selector: empty and exactName', () => {
  assert.ok(field('').empty);
  assert.ok(field(',,').empty);
  assert.is(field('').exactName(), undefined);
  assert.is(field('metadata.name=web').exactName(), 'web');
  assert.is(field('metadata.name==web').exactName(), 'web');
  assert.is(field('metadata.name!=web').exactName(), undefined);
  assert.is(field('metadata.name!=a,metadata.name=b').exactName(), 'b');
});

test('field selector escapes', () => {
  const s = field('metadata.name=a\\,b\\=c\\\\d,x=y');
  assert.equal(s.requirements, [
    { field: 'metadata.name', op: '=', value: 'a,b=c\\d' },
    { field: 'x', op: '=', value: 'y' },
  ]);
  assert.is(s.toString(), 'metadata.name=a\\,b\\=c\\\\d,x=y');
});

test('field selector errors', () => {
  assert.is(fieldError('foo'), "invalid selector: 'foo'; can't understand 'foo'");
  assert.is(fieldError('a=b,bar'), "invalid selector: 'a=b,bar'; can't understand 'bar'");
  assert.is(fieldError('a=b=c'), 'invalid field selector: unescaped character in value: 61');
  assert.is(fieldError('a=b\\x'), 'invalid field selector: invalid escape sequence: \\x');
  assert.is(fieldError('a=b\\'), 'invalid field selector: invalid escape sequence: \\');
});

test('validateFieldSelector: field label not supported', () => {
  const sel = field('status.hostIP=10.0.0.1');
  const st = validateFieldSelector(sel, supportedFields('', 'pods'));
  assert.ok(st);
  assert.is(st?.code, 400);
  assert.is(st?.reason, 'BadRequest');
  assert.is(st?.message, 'field label not supported: status.hostIP');
  assert.is(validateFieldSelector(field('status.phase=Running,spec.host=n1'), supportedFields('', 'pods')), undefined);
});

test('validateFieldSelectorFor: per-type texts and lists', () => {
  assert.is(validateFieldSelectorFor(field('data.x=1'), '', 'configmaps')?.message,
    '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"');
  assert.is(validateFieldSelectorFor(field('status.replicas=1'), 'apps', 'replicasets')?.message,
    '"status.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"');
  assert.is(validateFieldSelectorFor(field('status.active=1'), 'batch', 'jobs')?.message,
    'field label "status.active" not supported for batchv1.Job');
  assert.is(validateFieldSelectorFor(field('status.successful=1'), 'batch', 'jobs'), undefined);
  // Cluster-scoped types with their own conversion do not accept metadata.namespace.
  assert.is(validateFieldSelectorFor(field('metadata.namespace=x'), '', 'nodes')?.message,
    'field label not supported: metadata.namespace');
  assert.is(validateFieldSelectorFor(field('spec.unschedulable=true'), '', 'nodes'), undefined);
  assert.is(validateFieldSelectorFor(field('metadata.namespace=x'), 'example.com', 'widgets', { namespaced: false })?.message,
    'field label not supported: metadata.namespace');
  assert.is(validateFieldSelectorFor(field('spec.color=red'), 'example.com', 'widgets',
    { namespaced: true, selectableFields: ['.spec.color'] }), undefined);
});

// ---- selectable fields ----

test('Pod fields', () => {
  const pod = {
    metadata: { name: 'web-1', namespace: 'default' },
    spec: { nodeName: 'node-a', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccount: 'legacy', hostNetwork: true },
    status: { phase: 'Running', podIP: '10.0.0.9', podIPs: [{ ip: '10.0.0.7' }], nominatedNodeName: 'node-b' },
  };
  const f = fieldsOf('', 'pods', pod);
  assert.is(f['metadata.name'], 'web-1');
  assert.is(f['metadata.namespace'], 'default');
  assert.is(f['spec.nodeName'], 'node-a');
  assert.is(f['spec.host'], 'node-a');
  assert.is(f['spec.restartPolicy'], 'Always');
  assert.is(f['spec.schedulerName'], 'default-scheduler');
  assert.is(f['spec.serviceAccountName'], 'legacy');
  assert.is(f['spec.hostNetwork'], 'true');
  assert.is(f['status.phase'], 'Running');
  assert.is(f['status.podIP'], '10.0.0.7');
  assert.is(f['status.nominatedNodeName'], 'node-b');
  const bare = fieldsOf('', 'pods', { metadata: { name: 'p' } });
  assert.is(bare['spec.hostNetwork'], 'false');
  assert.is(bare['spec.nodeName'], '');
  assert.is(bare['metadata.namespace'], '');
  assert.ok(field('spec.nodeName=node-a,status.phase!=Pending').matches(f));
  assert.ok(field('spec.host=node-a').matches(f));
  assert.ok(field('spec.nodeName=').matches(bare));
});

test('other types: node, namespace, secret, service, event, replicaset, job', () => {
  assert.is(fieldsOf('', 'nodes', { metadata: { name: 'n' }, spec: { unschedulable: true } })['spec.unschedulable'], 'true');
  assert.is(fieldsOf('', 'nodes', { metadata: { name: 'n' } })['spec.unschedulable'], 'false');
  assert.is(fieldsOf('', 'namespaces', { metadata: { name: 'n' }, status: { phase: 'Active' } })['status.phase'], 'Active');
  assert.is(fieldsOf('', 'secrets', { metadata: { name: 's' }, type: 'Opaque' }).type, 'Opaque');
  const svc = fieldsOf('', 'services', { metadata: { name: 's' }, spec: { clusterIP: '10.96.0.1', type: 'ClusterIP' } });
  assert.is(svc['spec.clusterIP'], '10.96.0.1');
  assert.is(svc['spec.type'], 'ClusterIP');
  const ev = fieldsOf('', 'events', {
    metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'web-1', uid: 'u1' }, reason: 'Scheduled',
    reportingComponent: 'default-scheduler', type: 'Normal',
  });
  assert.is(ev['involvedObject.kind'], 'Pod');
  assert.is(ev['involvedObject.name'], 'web-1');
  assert.is(ev['involvedObject.namespace'], '');
  assert.is(ev.reason, 'Scheduled');
  assert.is(ev.source, 'default-scheduler');
  assert.is(ev.type, 'Normal');
  assert.is(fieldsOf('apps', 'replicasets', { metadata: { name: 'r' }, status: { replicas: 3 } })['status.replicas'], '3');
  assert.is(fieldsOf('batch', 'jobs', { metadata: { name: 'j' }, status: { succeeded: 1 } })['status.successful'], '1');
  assert.is(fieldsOf('batch', 'jobs', { metadata: { name: 'j' } })['status.successful'], '0');
  const cr = fieldsOf('example.com', 'widgets', { metadata: { name: 'w' }, spec: { color: 'red', size: 3, on: false } },
    { namespaced: true, selectableFields: ['.spec.color', '.spec.size', '.spec.on'] });
  assert.equal([cr['spec.color'], cr['spec.size'], cr['spec.on']], ['red', '3', 'false']);
});

test('supportedFields lists', () => {
  assert.ok(supportedFields('', 'pods').includes('status.podIPs'));
  assert.equal([...supportedFields('', 'configmaps')], ['metadata.name', 'metadata.namespace']);
  assert.equal([...supportedFields('', 'namespaces')], ['metadata.name', 'status.phase']);
  assert.ok(supportedFields('', 'events').includes('involvedObject.uid'));
});

test.run();
