import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ProtobufCache, storedResourceVersion } from '../../server/protobuf-cache.js';
import { decodeProtobufObject } from '../../server/protobuf.js';

function stored(name: string, rv: number, data = 'v'): Buffer {
  return Buffer.from(JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name, namespace: 'default', resourceVersion: String(rv) }, data: { k: data } }));
}

test('the resourceVersion is read from stored JSON without parsing it', () => {
  assert.is(storedResourceVersion(stored('a', 42)), 42);
  assert.is(storedResourceVersion(Buffer.from('{"kind":"Status","apiVersion":"v1"}')), -1);
  assert.is(storedResourceVersion(Buffer.from('{"metadata":{"resourceVersion":""}}')), -1);
  // "sourceVersion" is not it; the real key after it is.
  assert.is(storedResourceVersion(Buffer.from('{"spec":{"sourceVersion":"1"},"metadata":{"resourceVersion":"7"}}')), 7);
});

test('one encoding per stored object version, shared by later readers', () => {
  const cache = new ProtobufCache(1 << 20);
  const a = cache.encode(stored('a', 1))!;
  const again = cache.encode(stored('a', 1))!;
  assert.ok(again === a, 'a copy of the same bytes gets the same encoding');
  assert.equal([cache.hits, cache.misses, cache.count], [1, 1, 1]);
  assert.equal((decodeProtobufObject(a.body) as { metadata: { name: string } }).metadata.name, 'a');
});

test('other bytes with the same resourceVersion are encoded anew, never served another object', () => {
  const cache = new ProtobufCache(1 << 20);
  cache.encode(stored('a', 5, 'one'));
  const other = cache.encode(stored('a', 5, 'two'))!;
  assert.equal((decodeProtobufObject(other.body) as { data: { k: string } }).data.k, 'two');
  assert.is(cache.misses, 2);
  assert.is(cache.count, 1);
});

test('the cache stays within its bound, dropping the oldest first', () => {
  const one = stored('x', 11);
  const cost = one.length + new ProtobufCache(1 << 20).encode(one)!.body.length;
  const cache = new ProtobufCache(cost * 3);
  for (let rv = 11; rv <= 20; rv++) cache.encode(stored('x', rv));
  assert.is(cache.bytes, cost * 3);
  assert.is(cache.count, 3);
  cache.encode(stored('x', 20));
  assert.is(cache.hits, 1);
  cache.encode(stored('x', 11));
  assert.is(cache.hits, 1, 'the oldest went first');
});

test('kinds without a protobuf type are not cached', () => {
  const cache = new ProtobufCache(1 << 20);
  assert.is(cache.encode(Buffer.from('{"kind":"Widget","apiVersion":"example.com/v1","metadata":{"resourceVersion":"3"}}')), undefined);
  assert.is(cache.count, 0);
});

test.run();
