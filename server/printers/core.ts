// Printers for core types: nodes, namespaces, services, configmaps, secrets, service accounts,
// endpoints, persistent volume claims, events, and coordination leases.
import type { KubeObject } from '../../model/object.js';
import { AGE, DOC, NAME, NAME_DOC, age, col, formatLabels, int, list, parseTime, path, printer, rec, str, strMap, translateTimestampSince } from './base.js';

// ---- core ----

export const nodes = printer([
  NAME,
  col('Status', 'string', 'The status of the node'),
  col('Roles', 'string', 'The roles of the node'),
  AGE,
  col('Version', 'string', DOC.kubeletVersion),
  col('Internal-IP', 'string', DOC.addresses, 1),
  col('External-IP', 'string', DOC.addresses, 1),
  col('OS-Image', 'string', DOC.osImage, 1),
  col('Kernel-Version', 'string', DOC.kernelVersion, 1),
  col('Container-Runtime', 'string', DOC.containerRuntimeVersion, 1),
], (o, now) => {
  const status = rec(o.status);
  const info = rec(status.nodeInfo);
  // Only the Ready condition counts (NodeAllConditions); the last condition of a type wins.
  let ready: unknown;
  for (const c of list(status.conditions)) if (str(path(c, 'type')) === 'Ready') ready = c;
  const states = ready === undefined ? ['Unknown'] : [str(path(ready, 'status')) === 'True' ? 'Ready' : 'NotReady'];
  if (path(o.spec, 'unschedulable') === true) states.push('SchedulingDisabled');
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role !== '') roles.add(role);
    } else if (k === 'kubernetes.io/role' && v !== '') {
      roles.add(v);
    }
  }
  const address = (type: string): string => str(path(list(status.addresses).find((a) => str(path(a, 'type')) === type), 'address')) || '<none>';
  return [
    o.metadata.name ?? '', states.join(','), [...roles].sort().join(',') || '<none>', age(o, now), str(info.kubeletVersion),
    address('InternalIP'), address('ExternalIP'),
    str(info.osImage) || '<unknown>', str(info.kernelVersion) || '<unknown>', str(info.containerRuntimeVersion) || '<unknown>',
  ];
});

export const namespaces = printer([
  NAME,
  col('Status', 'string', 'The status of the namespace'),
  AGE,
], (o, now) => [o.metadata.name ?? '', str(path(o.status, 'phase')), age(o, now)]);

/** loadBalancerStatusStringer (wide): distinct ingress IPs or hostnames, sorted. */
function loadBalancerIngress(status: unknown): string[] {
  const out = new Set<string>();
  for (const i of list(path(status, 'loadBalancer', 'ingress'))) {
    const v = str(path(i, 'ip')) || str(path(i, 'hostname'));
    if (v !== '') out.add(v);
  }
  return [...out].sort();
}

function serviceExternalIP(svc: KubeObject, type: string): string {
  const externalIPs = list(path(svc.spec, 'externalIPs')).filter((x): x is string => typeof x === 'string');
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc.status);
      if (externalIPs.length > 0) return [...lb, ...externalIPs].join(',');
      return lb.length > 0 ? lb.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(path(svc.spec, 'externalName'));
    default:
      return '<unknown>';
  }
}

export const services = printer([
  NAME,
  col('Type', 'string', DOC.svcType),
  col('Cluster-IP', 'string', DOC.clusterIP),
  col('External-IP', 'string', DOC.externalIPs),
  col('Port(s)', 'string', DOC.ports),
  AGE,
  col('Selector', 'string', DOC.svcSelector, 1),
], (o, now) => {
  const spec = rec(o.spec);
  const type = str(spec.type) || 'ClusterIP';
  // The internal type has only clusterIPs; conversion from v1 fills it from clusterIP.
  const clusterIP = str(list(spec.clusterIPs)[0]) || str(spec.clusterIP) || '<none>';
  const ports = list(spec.ports).map((p) => {
    const port = int(path(p, 'port'));
    const nodePort = int(path(p, 'nodePort'));
    const protocol = str(path(p, 'protocol')) || 'TCP';
    return nodePort > 0 ? `${port}:${nodePort}/${protocol}` : `${port}/${protocol}`;
  }).join(',');
  return [o.metadata.name ?? '', type, clusterIP, serviceExternalIP(o, type), ports || '<none>', age(o, now), formatLabels(strMap(spec.selector))];
});

export const configmaps = printer([
  NAME,
  col('Data', 'string', DOC.cmData),
  AGE,
], (o, now) => [o.metadata.name ?? '', Object.keys(rec(o.data)).length + Object.keys(rec(o.binaryData)).length, age(o, now)]);

export const secrets = printer([
  NAME,
  col('Type', 'string', DOC.secretType),
  col('Data', 'string', DOC.secretData),
  AGE,
], (o, now) => {
  // Converting v1 to internal merges stringData into data, so both count, once per key.
  const keys = new Set([...Object.keys(rec(o.data)), ...Object.keys(rec(o.stringData))]);
  return [o.metadata.name ?? '', str(o.type) || 'Opaque', keys.size, age(o, now)];
});

export const serviceaccounts = printer([
  NAME,
  col('Secrets', 'string', DOC.saSecrets),
  AGE,
], (o, now) => [o.metadata.name ?? '', list(o.secrets).length, age(o, now)]);

/** formatEndpoints: up to three ip:port pairs, then `+ N more...`. */
function formatEndpoints(subsets: unknown[]): string {
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const out: string[] = [];
  let more = false;
  let count = 0;
  const add = (s: string): void => {
    if (out.length === max) more = true;
    else out.push(s);
  };
  for (const ss of subsets) {
    const addresses = list(path(ss, 'addresses'));
    const ports = list(path(ss, 'ports'));
    if (ports.length === 0) {
      // Headless services may have no ports.
      count += addresses.length;
      for (const a of addresses) {
        add(str(path(a, 'ip')));
        if (more) break;
      }
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) {
        const ip = str(path(a, 'ip'));
        add(`${ip.includes(':') ? `[${ip}]` : ip}:${int(path(p, 'port'))}`);
        if (more) break;
      }
    }
  }
  const s = out.join(',');
  return more ? `${s} + ${count - max} more...` : s;
}

export const endpoints = printer([
  NAME,
  col('Endpoints', 'string', DOC.epSubsets),
  AGE,
], (o, now) => [o.metadata.name ?? '', formatEndpoints(list(o.subsets)), age(o, now)]);

const ACCESS_MODES: readonly [string, string][] = [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']];

export const persistentvolumeclaims = printer([
  NAME,
  col('Status', 'string', DOC.pvcPhase),
  col('Volume', 'string', DOC.pvcVolumeName),
  col('Capacity', 'string', DOC.pvcCapacity),
  col('Access Modes', 'string', DOC.pvcAccessModes),
  col('StorageClass', 'string', 'StorageClass of the pvc'),
  col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
  AGE,
  col('VolumeMode', 'string', DOC.pvcVolumeMode, 1),
], (o, now) => {
  const spec = rec(o.spec);
  const status = rec(o.status);
  const phase = o.metadata.deletionTimestamp ? 'Terminating' : str(status.phase);
  const volumeName = str(spec.volumeName);
  let capacity = '';
  let modes = '';
  // Capacity and access modes are the bound volume's, so an unbound claim shows neither.
  if (volumeName !== '') {
    const have = new Set(list(status.accessModes));
    modes = ACCESS_MODES.filter(([m]) => have.has(m)).map(([, s]) => s).join(',');
    const q = path(status, 'capacity', 'storage');
    capacity = typeof q === 'string' ? q : '0';
  }
  const storageClass = o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? str(spec.storageClassName);
  const vac = typeof spec.volumeAttributesClassName === 'string' ? spec.volumeAttributesClassName : '<unset>';
  const volumeMode = typeof spec.volumeMode === 'string' ? spec.volumeMode : '<unset>';
  return [o.metadata.name ?? '', phase, volumeName, capacity, modes, storageClass, vac, age(o, now), volumeMode];
});

export const events = printer([
  col('Last Seen', 'string', DOC.evLast),
  col('Type', 'string', DOC.evType),
  col('Reason', 'string', DOC.evReason),
  col('Object', 'string', DOC.evInvolved),
  col('Subobject', 'string', DOC.evFieldPath, 1),
  col('Source', 'string', DOC.evSource, 1),
  col('Message', 'string', DOC.evMessage),
  col('First Seen', 'string', DOC.evFirst, 1),
  col('Count', 'string', DOC.evCount, 1),
  col('Name', 'string', NAME_DOC, 1, 'name'),
], (o, now) => {
  // Events written through events.k8s.io carry eventTime and series instead of the old stamps.
  const first = parseTime(o.firstTimestamp) !== undefined ? translateTimestampSince(o.firstTimestamp, now) : translateTimestampSince(o.eventTime, now);
  let last = parseTime(o.lastTimestamp) !== undefined ? translateTimestampSince(o.lastTimestamp, now) : first;
  let count = int(o.count);
  if (o.series !== undefined && o.series !== null) {
    last = translateTimestampSince(path(o.series, 'lastObservedTime'), now);
    count = int(path(o.series, 'count'));
  } else if (count === 0) {
    count = 1;
  }
  const involved = rec(o.involvedObject);
  const kind = str(involved.kind).toLowerCase();
  const target = str(involved.name) !== '' ? `${kind}/${str(involved.name)}` : kind;
  const component = str(path(o.source, 'component')) || str(o.reportingComponent);
  const instance = str(path(o.source, 'host')) || str(o.reportingInstance);
  const source = instance === '' ? component : `${component}, ${instance}`;
  return [last, str(o.type), str(o.reason), target, str(involved.fieldPath), source, str(o.message).trim(), first, count, o.metadata.name ?? ''];
});

export const leases = printer([
  NAME,
  col('Holder', 'string', DOC.leaseHolder),
  AGE,
], (o, now) => [o.metadata.name ?? '', str(path(o.spec, 'holderIdentity')), age(o, now)]);

