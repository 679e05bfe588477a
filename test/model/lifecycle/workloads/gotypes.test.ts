import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GO_STRUCTS, structFields } from '../../../../model/lifecycle/workloads/gotypes.js';

// fixtures/k8s/proto/go-fields.json was read from a kubectl 1.32 binary's reflection data: per
// proto message, each field's JSON name and whether the Go field is a pointer (p) or inlined (i).
type GoFieldFacts = Record<string, Record<string, [string, string]>>;
const facts = JSON.parse(readFileSync('fixtures/k8s/proto/go-fields.json', 'utf8')) as GoFieldFacts;

const META = new Set(['ObjectMeta', 'OwnerReference', 'ManagedFieldsEntry', 'LabelSelector', 'LabelSelectorRequirement']);

function protoName(goType: string): string {
  const bare = goType.slice(3);
  return META.has(bare) ? `k8s.io.apimachinery.pkg.apis.meta.v1.${bare}` : `k8s.io.api.core.v1.${bare}`;
}

test('every Go struct in the table has the 1.32 fields in order, with JSON names, pointers and inlining as kubectl 1.32 has them', () => {
  for (const type of Object.keys(GO_STRUCTS)) {
    const want = facts[protoName(type)];
    assert.ok(want, `no facts for ${type}`);
    const got = structFields(type) ?? [];
    const wantList = Object.values(want);
    assert.is(got.length, wantList.length, `${type}: field count`);
    got.forEach((f, i) => {
      const [json, flags] = wantList[i];
      const where = `${type}.${f.name}`;
      if (flags.includes('i')) assert.is(f.json, null, `${where} is inlined`);
      else assert.is(f.json, json, `${where} json name`);
      assert.is(f.type.startsWith('*'), flags.includes('p'), `${where} pointer`);
    });
  }
});

test.run();
