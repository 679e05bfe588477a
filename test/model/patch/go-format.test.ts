// Go's fmt rendering, which several strategic merge patch error texts embed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { goSprint, goTypeName } from '../../../model/patch/go-format.js';

test('%v prints maps with sorted keys, slices space-separated, nil as <nil>', () => {
  assert.is(goSprint({ b: [null, true, 'x'], a: { c: 1 } }), 'map[a:map[c:1] b:[<nil> true x]]');
});

test('%v prints integers whole and switches other floats to exponent form below 1e-4 and from 1e6', () => {
  assert.is(goSprint([1000000, 1.5, 0.0001, 0.00001, 123456.5, 1234567.5, 1.5e21, -2.5e-7]),
    '[1000000 1.5 0.0001 1e-05 123456.5 1.2345675e+06 1.5e+21 -2.5e-07]');
});

test('%s marks values that are not strings, except a nil inside a container', () => {
  assert.is(goSprint(null, 's'), '%!s(<nil>)');
  assert.is(goSprint({ a: 1, b: null, c: false, d: 'x' }, 's'), 'map[a:%!s(int64=1) b:<nil> c:%!s(bool=false) d:x]');
});

test('type names are the ones reflect prints for decoded JSON', () => {
  assert.equal([{}, [], 'a', 1, 1.5, true, null].map(goTypeName),
    ['map[string]interface {}', '[]interface {}', 'string', 'int64', 'float64', 'bool', '%!s(<nil>)']);
});

test.run();
