// `--crds DIR`: CustomResourceDefinitions read from YAML or JSON files (searched recursively)
// and created in a cluster at start-up, or updated when a stored one differs, as
// `kubectl apply -f DIR` would leave them.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { ResourceCatalog } from '../catalog.js';
import { isPlainObject, type KubeObject } from '../object.js';
import type { Registry, RequestScope } from '../registry/registry.js';
import { isStatus } from '../status.js';
import { CRD_GROUP, CRD_RESOURCE } from './resource-types.js';

const INSTALLER = { name: 'system:kemu:crd-installer', uid: 'kemu-crd-installer', groups: ['system:masters', 'system:authenticated'] };

/** Every CustomResourceDefinition document in the files under `dir`. */
export function readCRDFiles(dir: string): KubeObject[] {
  const out: KubeObject[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) { walk(path); continue; }
      if (!/\.(ya?ml|json)$/.test(name)) continue;
      for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
        if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0].message}`);
        const obj: unknown = doc.toJS();
        if (isPlainObject(obj) && obj.kind === 'CustomResourceDefinition' && obj.apiVersion === `${CRD_GROUP}/v1`) out.push(obj as unknown as KubeObject);
      }
    }
  };
  walk(dir);
  return out;
}

/** Creates (or brings up to date) the CRDs found under `dir` in `cluster`; returns how many. */
export async function installCRDs(registry: Registry, catalog: ResourceCatalog, dir: string, cluster: string): Promise<number> {
  const rt = catalog.lookup(CRD_GROUP, 'v1', CRD_RESOURCE);
  if (!rt) throw new Error('catalog has no customresourcedefinitions');
  const scope: RequestScope = { cluster, user: INSTALLER };
  const crds = readCRDFiles(dir);
  for (const crd of crds) {
    const name = crd.metadata?.name ?? '';
    const cur = registry.get(scope, rt, '', name);
    const res = isStatus(cur)
      ? await registry.create(scope, rt, '', crd, {})
      : await updateIfChanged(registry, scope, crd, JSON.parse(cur.bytes.toString('utf8')) as KubeObject);
    if (isStatus(res)) throw new Error(`CustomResourceDefinition ${name}: ${res.message}`);
  }
  return crds.length;

  async function updateIfChanged(reg: Registry, sc: RequestScope, crd: KubeObject, stored: KubeObject): Promise<unknown> {
    if (isDeepStrictEqual(crd.spec, stored.spec)) return undefined;
    return reg.update(sc, rt!, '', stored.metadata.name ?? '', '', { ...crd, metadata: { ...crd.metadata, resourceVersion: stored.metadata.resourceVersion } }, {});
  }
}
