// Server-side Tables (`kubectl get`): per-type columns and cells as kube-apiserver 1.32 prints
// them, pinned by golden files in test/golden/tables/<resource>.json. The goldens were checked
// by hand against pkg/printers/internalversion/printers.go; UPDATE_GOLDEN=1 rewrites them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fixturesDir, repoRoot } from '../../model/fixtures.js';
import type { KubeObject } from '../../model/object.js';
import { customResourcePrinter, humanDuration, printerFor } from '../../server/printers/index.js';
import { toTable, type TableTarget } from '../../server/table.js';
import { startTestServer, tempDir } from '../helpers/server.js';

const GOLDEN = join(repoRoot(), 'test', 'golden', 'tables');
const GUESTBOOK = join(fixturesDir(), 'manifests', 'guestbook');
const NOW = Date.parse('2025-01-15T12:00:00Z');

/** An RFC 3339 stamp `ago` before NOW: `ago('5m12s')`. */
function ago(spec: string): string {
  const units: Record<string, number> = { y: 365 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };
  let ms = 0;
  for (const [, n, u] of spec.matchAll(/(\d+)([ydhms])/g)) ms += Number(n) * units[u];
  return new Date(NOW - ms).toISOString().replace('.000Z', 'Z');
}

function meta(name: string, created: string, extra: Record<string, unknown> = {}): KubeObject['metadata'] {
  return { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '100', creationTimestamp: ago(created), ...extra };
}

function guestbook(file: string): KubeObject {
  return parseYaml(readFileSync(join(GUESTBOOK, file), 'utf8')) as KubeObject;
}

function deployed(file: string, created: string, status: Record<string, unknown>): KubeObject {
  const o = guestbook(file);
  return { ...o, metadata: { ...o.metadata, ...meta(o.metadata.name ?? '', created) }, status };
}

const container = (name: string, image: string): Record<string, unknown> => ({ name, image });

// ---- samples: what a running guestbook cluster holds ----

const SAMPLES: Record<string, { target: TableTarget; objects: KubeObject[] }> = {
  pods: {
    target: { group: '', resource: 'pods' },
    objects: [
      {
        apiVersion: 'v1', kind: 'Pod', metadata: meta('frontend-6c6d6dfd4d-8kq2x', '3h'),
        spec: { nodeName: 'node-1', containers: [container('php-redis', 'gcr.io/google-samples/gb-frontend:v5')] },
        status: {
          phase: 'Running', podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }],
          conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }],
          containerStatuses: [{ name: 'php-redis', ready: true, started: true, restartCount: 0, state: { running: { startedAt: ago('3h') } } }],
        },
      },
      {
        // Restarted twice, the last time 5 minutes ago.
        apiVersion: 'v1', kind: 'Pod', metadata: meta('redis-master-7d4b9c8f5-xk2lp', '2d4h'),
        spec: { nodeName: 'node-2', containers: [container('master', 'registry.k8s.io/redis:e2e')] },
        status: {
          phase: 'Running', podIP: '10.244.2.7', podIPs: [{ ip: '10.244.2.7' }],
          conditions: [{ type: 'Ready', status: 'True' }],
          containerStatuses: [{
            name: 'master', ready: true, restartCount: 2, state: { running: { startedAt: ago('5m') } },
            lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: ago('5m') } },
          }],
        },
      },
      {
        apiVersion: 'v1', kind: 'Pod', metadata: meta('redis-replica-5c8d9b6f7-p4q9z', '5m12s'),
        spec: { nodeName: 'node-1', containers: [container('replica', 'gcr.io/google_samples/gb-redisslave:v1')] },
        status: {
          phase: 'Running', podIP: '10.244.1.9',
          conditions: [{ type: 'Ready', status: 'False' }],
          containerStatuses: [{
            name: 'replica', ready: false, restartCount: 4, state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago('40s') } },
          }],
        },
      },
      {
        // Just created: the scheduler has not placed it yet.
        apiVersion: 'v1', kind: 'Pod', metadata: meta('web-pending', '10s'),
        spec: { containers: [container('nginx', 'nginx:1.27'), container('sidecar', 'busybox:1.36')] },
        status: { phase: 'Pending', qosClass: 'BestEffort' },
      },
      {
        apiVersion: 'v1', kind: 'Pod', metadata: meta('web-pulling', '45s'),
        spec: { nodeName: 'node-2', containers: [container('nginx', 'nginx:1.27')] },
        status: {
          phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True' }],
          containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }],
        },
      },
      {
        apiVersion: 'v1', kind: 'Pod', metadata: meta('db-migrate-init', '1m'),
        spec: { nodeName: 'node-1', initContainers: [container('wait-for-db', 'busybox:1.36'), container('migrate', 'migrate:v4')], containers: [container('app', 'app:v1')] },
        status: {
          phase: 'Pending', podIP: '10.244.1.12',
          initContainerStatuses: [
            { name: 'wait-for-db', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
            { name: 'migrate', ready: false, restartCount: 0, state: { running: { startedAt: ago('20s') } } },
          ],
          containerStatuses: [{ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
        },
      },
      {
        apiVersion: 'v1', kind: 'Pod', metadata: meta('pi-job-7x2kd', '25m'),
        spec: { nodeName: 'node-2', restartPolicy: 'Never', containers: [container('pi', 'perl:5.34.0')] },
        status: {
          phase: 'Succeeded', podIP: '10.244.2.15', podIPs: [{ ip: '10.244.2.15' }],
          containerStatuses: [{ name: 'pi', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed', finishedAt: ago('24m') } } }],
        },
      },
      {
        apiVersion: 'v1', kind: 'Pod', metadata: meta('frontend-6c6d6dfd4d-old', '9d', { deletionTimestamp: ago('5s'), deletionGracePeriodSeconds: 30 }),
        spec: { nodeName: 'node-3', containers: [container('php-redis', 'gcr.io/google-samples/gb-frontend:v5')], readinessGates: [{ conditionType: 'example.com/lb-ready' }] },
        status: {
          phase: 'Running', podIP: '10.244.3.4', nominatedNodeName: 'node-1',
          conditions: [{ type: 'Ready', status: 'True' }, { type: 'example.com/lb-ready', status: 'True' }],
          containerStatuses: [{ name: 'php-redis', ready: true, restartCount: 0, state: { running: { startedAt: ago('9d') } } }],
        },
      },
    ],
  },
  deployments: {
    target: { group: 'apps', resource: 'deployments' },
    objects: [
      deployed('frontend-deployment.yaml', '3h', { replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 }),
      deployed('redis-master-deployment.yaml', '2d4h', { replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 }),
      // Rolling out: one new pod up, one not yet ready.
      deployed('redis-replica-deployment.yaml', '5m12s', { replicas: 2, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 }),
    ],
  },
  replicasets: {
    target: { group: 'apps', resource: 'replicasets' },
    objects: [{
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('frontend-6c6d6dfd4d', '3h', { labels: { app: 'guestbook', tier: 'frontend', 'pod-template-hash': '6c6d6dfd4d' } }),
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: 'guestbook', tier: 'frontend', 'pod-template-hash': '6c6d6dfd4d' } },
        template: { spec: { containers: [container('php-redis', 'gcr.io/google-samples/gb-frontend:v5')] } },
      },
      status: { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 },
    }, {
      // Scaled to zero by a newer rollout: a selector with an expression, no status counts.
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: meta('frontend-5f7b8d9c4b', '9d'),
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'guestbook' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'frontend'] }, { key: 'canary', operator: 'DoesNotExist' }] },
        template: { spec: { containers: [container('php-redis', 'gcr.io/google-samples/gb-frontend:v4'), container('log', 'busybox:1.36')] } },
      },
      status: { replicas: 0, observedGeneration: 2 },
    }],
  },
  statefulsets: {
    target: { group: 'apps', resource: 'statefulsets' },
    objects: [{
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: meta('web', '7h59m'),
      spec: { replicas: 3, serviceName: 'nginx', selector: { matchLabels: { app: 'nginx' } }, template: { spec: { containers: [container('nginx', 'registry.k8s.io/nginx-slim:0.24')] } } },
      status: { replicas: 3, readyReplicas: 2, currentReplicas: 3, updatedReplicas: 3 },
    }],
  },
  daemonsets: {
    target: { group: 'apps', resource: 'daemonsets' },
    objects: [{
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('fluentd-elasticsearch', '30d', { namespace: 'kube-system' }),
      spec: {
        selector: { matchLabels: { name: 'fluentd-elasticsearch' } },
        template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [container('fluentd-elasticsearch', 'quay.io/fluentd_elasticsearch/fluentd:v2.5.2')] } },
      },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberMisscheduled: 0 },
    }, {
      apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('kube-proxy', '400d', { namespace: 'kube-system' }),
      spec: { selector: { matchLabels: { 'k8s-app': 'kube-proxy' } }, template: { spec: { containers: [container('kube-proxy', 'registry.k8s.io/kube-proxy:v1.32.0')] } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 1, numberAvailable: 2 },
    }],
  },
  jobs: {
    target: { group: 'batch', resource: 'jobs' },
    objects: [{
      apiVersion: 'batch/v1', kind: 'Job', metadata: meta('pi', '25m'),
      spec: {
        backoffLimit: 4, completions: 1, parallelism: 1,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-pi' } },
        template: { spec: { restartPolicy: 'Never', containers: [container('pi', 'perl:5.34.0')] } },
      },
      status: {
        startTime: ago('25m'), completionTime: ago('24m8s'), succeeded: 1,
        conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }],
      },
    }, {
      // Work queue: completions unset, five workers.
      apiVersion: 'batch/v1', kind: 'Job', metadata: meta('queue-worker', '3m'),
      spec: { parallelism: 5, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-q' } }, template: { spec: { containers: [container('worker', 'worker:v2')] } } },
      status: { startTime: ago('2m50s'), active: 5, succeeded: 2 },
    }, {
      apiVersion: 'batch/v1', kind: 'Job', metadata: meta('flaky', '2h'),
      spec: { completions: 3, parallelism: 1, template: { spec: { containers: [container('flaky', 'flaky:v1')] } } },
      status: { startTime: ago('2h'), failed: 7, conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True' }] },
    }],
  },
  cronjobs: {
    target: { group: 'batch', resource: 'cronjobs' },
    objects: [{
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('hello', '2d'),
      spec: {
        schedule: '* * * * *', suspend: false, concurrencyPolicy: 'Allow',
        jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [container('hello', 'busybox:1.28')] } } } },
      },
      status: { lastScheduleTime: ago('42s'), lastSuccessfulTime: ago('35s'), active: [{ kind: 'Job', namespace: 'default', name: 'hello-28950480' }] },
    }, {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: meta('nightly-backup', '5m'),
      spec: {
        schedule: '0 2 * * *', timeZone: 'Europe/Berlin', suspend: true,
        jobTemplate: { spec: { selector: { matchLabels: { job: 'backup' } }, template: { spec: { containers: [container('backup', 'restic:0.17')] } } } },
      },
      status: {},
    }],
  },
  nodes: {
    target: { group: '', resource: 'nodes' },
    objects: [{
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: 'control-plane', uid: 'uid-cp', resourceVersion: '100', creationTimestamp: ago('30d'), labels: { 'kubernetes.io/hostname': 'control-plane', 'node-role.kubernetes.io/control-plane': '' } },
      spec: { podCIDR: '10.244.0.0/24', unschedulable: true },
      status: {
        conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'control-plane' }],
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.8.0-49-generic', containerRuntimeVersion: 'containerd://1.7.24' },
      },
    }, {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: 'node-1', uid: 'uid-n1', resourceVersion: '100', creationTimestamp: ago('29d23h'), labels: { 'kubernetes.io/role': 'worker', 'node-role.kubernetes.io/gpu': '' } },
      spec: {},
      status: {
        conditions: [{ type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown' }],
        addresses: [{ type: 'InternalIP', address: '172.18.0.3' }, { type: 'ExternalIP', address: '203.0.113.10' }],
        nodeInfo: { kubeletVersion: 'v1.31.4', osImage: 'Ubuntu 24.04.1 LTS', kernelVersion: '6.8.0-49-generic', containerRuntimeVersion: 'containerd://1.7.24' },
      },
    }, {
      // Registered by a kubelet that has not posted status yet.
      apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-2', uid: 'uid-n2', resourceVersion: '100', creationTimestamp: ago('8s') }, spec: {}, status: {},
    }],
  },
  namespaces: {
    target: { group: '', resource: 'namespaces' },
    objects: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', uid: 'uid-d', resourceVersion: '100', creationTimestamp: ago('400d') }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'staging', uid: 'uid-s', resourceVersion: '100', creationTimestamp: ago('3y40d'), deletionTimestamp: ago('2s') }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Terminating' } },
    ],
  },
  services: {
    target: { group: '', resource: 'services' },
    objects: [
      { ...guestbook('frontend-service.yaml'), metadata: { ...guestbook('frontend-service.yaml').metadata, ...meta('frontend', '3h') },
        spec: { type: 'NodePort', clusterIP: '10.96.45.12', clusterIPs: ['10.96.45.12'], ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30080 }], selector: { app: 'guestbook', tier: 'frontend' } }, status: { loadBalancer: {} } },
      { ...guestbook('redis-master-service.yaml'), metadata: { ...guestbook('redis-master-service.yaml').metadata, ...meta('redis-master', '2d4h') },
        spec: { type: 'ClusterIP', clusterIP: '10.96.120.7', clusterIPs: ['10.96.120.7'], ports: [{ port: 6379, protocol: 'TCP', targetPort: 6379 }], selector: { app: 'redis', role: 'master', tier: 'backend' } } },
      { apiVersion: 'v1', kind: 'Service', metadata: meta('kube-dns', '400d', { namespace: 'kube-system' }),
        spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'metrics', port: 9153, protocol: 'TCP' }], selector: { 'k8s-app': 'kube-dns' } } },
      { apiVersion: 'v1', kind: 'Service', metadata: meta('web-lb', '2m'),
        spec: { type: 'LoadBalancer', clusterIP: '10.96.3.3', clusterIPs: ['10.96.3.3'], ports: [{ port: 443, protocol: 'TCP', nodePort: 31443 }], selector: { app: 'web' } }, status: { loadBalancer: {} } },
      { apiVersion: 'v1', kind: 'Service', metadata: meta('web-lb-ready', '20m'),
        spec: { type: 'LoadBalancer', clusterIP: '10.96.3.4', clusterIPs: ['10.96.3.4'], ports: [{ port: 80, protocol: 'TCP', nodePort: 30081 }], selector: { app: 'web' } },
        status: { loadBalancer: { ingress: [{ ip: '203.0.113.20' }, { hostname: 'a1b2c3.elb.example.com' }] } } },
      { apiVersion: 'v1', kind: 'Service', metadata: meta('nginx', '7h59m'),
        spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'web', port: 80, protocol: 'TCP' }], selector: { app: 'nginx' } } },
      { apiVersion: 'v1', kind: 'Service', metadata: meta('my-database', '1h'),
        spec: { type: 'ExternalName', externalName: 'db.example.com' } },
    ],
  },
  configmaps: {
    target: { group: '', resource: 'configmaps' },
    objects: [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('kube-root-ca.crt', '400d'), data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\n...' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('game-demo', '90s'), data: { player_initial_lives: '3', ui_properties_file_name: 'user-interface.properties' }, binaryData: { 'logo.png': 'iVBORw0KGgo=' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('empty', '0s') },
    ],
  },
  secrets: {
    target: { group: '', resource: 'secrets' },
    objects: [
      { apiVersion: 'v1', kind: 'Secret', metadata: meta('db-user-pass', '4h30m'), type: 'Opaque', data: { username: 'YWRtaW4=', password: 'UyFCXCpkJHpEc2I9' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: meta('registry-cred', '12d'), type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': 'e30=' } },
      { apiVersion: 'v1', kind: 'Secret', metadata: meta('tls-example', '1y'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' } },
    ],
  },
  serviceaccounts: {
    target: { group: '', resource: 'serviceaccounts' },
    objects: [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default', '400d') },
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('build-robot', '6m'), secrets: [{ name: 'build-robot-secret' }] },
    ],
  },
  endpoints: {
    target: { group: '', resource: 'endpoints' },
    objects: [
      { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('frontend', '3h'), subsets: [{ addresses: [{ ip: '10.244.1.5' }, { ip: '10.244.2.6' }, { ip: '10.244.3.4' }], ports: [{ port: 80, protocol: 'TCP' }] }] },
      { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('kube-dns', '400d', { namespace: 'kube-system' }),
        subsets: [{ addresses: [{ ip: '10.1.0.20' }, { ip: '10.1.0.21' }], ports: [{ name: 'dns-tcp', port: 53, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }, { name: 'metrics', port: 9153, protocol: 'TCP' }] }] },
      { apiVersion: 'v1', kind: 'Endpoints', metadata: meta('redis-replica', '5m12s') },
    ],
  },
  persistentvolumeclaims: {
    target: { group: '', resource: 'persistentvolumeclaims' },
    objects: [
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('www-web-0', '7h59m'),
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard', volumeMode: 'Filesystem', volumeName: 'pvc-5b3f2a1c' },
        status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '1Gi' } } },
      { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('shared-data', '30s', { annotations: { 'volume.beta.kubernetes.io/storage-class': 'nfs' } }),
        spec: { accessModes: ['ReadWriteMany', 'ReadOnlyMany'], resources: { requests: { storage: '10Gi' } }, volumeMode: 'Filesystem' },
        status: { phase: 'Pending' } },
    ],
  },
  events: {
    target: { group: '', resource: 'events' },
    objects: [
      { apiVersion: 'v1', kind: 'Event', metadata: meta('frontend-6c6d6dfd4d-8kq2x.181a2b3c4d5e6f70', '3h'),
        involvedObject: { kind: 'Pod', namespace: 'default', name: 'frontend-6c6d6dfd4d-8kq2x', uid: 'uid-frontend-6c6d6dfd4d-8kq2x', apiVersion: 'v1', resourceVersion: '90', fieldPath: 'spec.containers{php-redis}' },
        reason: 'Pulled', message: 'Container image "gcr.io/google-samples/gb-frontend:v5" already present on machine\n', source: { component: 'kubelet', host: 'node-1' },
        firstTimestamp: ago('3h'), lastTimestamp: ago('3h'), count: 1, type: 'Normal', reportingComponent: 'kubelet', reportingInstance: 'node-1' },
      { apiVersion: 'v1', kind: 'Event', metadata: meta('redis-replica-5c8d9b6f7-p4q9z.181a2b3c4d5e6f71', '5m'),
        involvedObject: { kind: 'Pod', namespace: 'default', name: 'redis-replica-5c8d9b6f7-p4q9z', fieldPath: 'spec.containers{replica}' },
        reason: 'BackOff', message: 'Back-off restarting failed container replica in pod redis-replica-5c8d9b6f7-p4q9z_default', source: { component: 'kubelet', host: 'node-1' },
        firstTimestamp: ago('5m'), lastTimestamp: ago('12s'), count: 23, type: 'Warning' },
      { apiVersion: 'v1', kind: 'Event', metadata: meta('frontend.181a2b3c4d5e6f72', '3h'),
        // Written through events.k8s.io/v1: eventTime and series, no first/last stamps.
        involvedObject: { kind: 'Deployment', namespace: 'default', name: 'frontend', apiVersion: 'apps/v1' },
        reason: 'ScalingReplicaSet', message: 'Scaled up replica set frontend-6c6d6dfd4d to 3', source: {},
        eventTime: '2025-01-15T09:00:00.123456Z', series: { count: 4, lastObservedTime: '2025-01-15T11:59:30.000000Z' }, type: 'Normal',
        action: 'ScalingReplicaSet', reportingComponent: 'deployment-controller', reportingInstance: '' },
      { apiVersion: 'v1', kind: 'Event', metadata: meta('node-1.181a2b3c4d5e6f73', '2m'),
        involvedObject: { kind: 'Node', name: 'node-1' }, reason: 'NodeNotReady', message: 'Node node-1 status is now: NodeNotReady',
        source: { component: 'node-controller' }, firstTimestamp: ago('2m'), lastTimestamp: ago('2m'), count: 1, type: 'Normal' },
    ],
  },
  leases: {
    target: { group: 'coordination.k8s.io', resource: 'leases' },
    objects: [
      { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('kube-controller-manager', '30d', { namespace: 'kube-system' }),
        spec: { holderIdentity: 'control-plane_5f0c8b4e-2f3a-4b7c-9d1e-6a2b3c4d5e6f', leaseDurationSeconds: 15, acquireTime: ago('30d'), renewTime: ago('1s'), leaseTransitions: 0 } },
      { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: meta('node-2', '8s', { namespace: 'kube-node-lease' }), spec: { leaseDurationSeconds: 40 } },
    ],
  },
  // A type without a registered printer keeps the generic Name / Created At columns.
  roles: {
    target: { group: 'rbac.authorization.k8s.io', resource: 'roles' },
    objects: [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta('pod-reader', '4d'), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'watch', 'list'] }] }],
  },
  // A custom resource: a CRD's additionalPrinterColumns (the CronTab example of the docs).
  crontabs: {
    target: {
      group: 'stable.example.com', resource: 'crontabs',
      printer: customResourcePrinter([
        { name: 'Spec', type: 'string', description: 'The cron spec defining the interval a CronJob is run', jsonPath: '.spec.cronSpec' },
        { name: 'Replicas', type: 'integer', description: 'The number of jobs launched by the CronJob', jsonPath: '.spec.replicas' },
        { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
        { name: 'Image', type: 'string', priority: 1, jsonPath: '.spec.image' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ]),
    },
    objects: [
      { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: meta('my-new-cron-object', '5m12s'),
        spec: { cronSpec: '* * * * */5', image: 'my-awesome-cron-image', replicas: 1 }, status: { conditions: [{ type: 'Synced', status: 'True' }, { type: 'Ready', status: 'False' }] } },
      { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: meta('bare', '3h') },
    ],
  },
};

function golden(name: string, actual: unknown): void {
  const file = join(GOLDEN, `${name}.json`);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `missing golden ${file}; run with UPDATE_GOLDEN=1 to write it`);
  assert.equal(actual, JSON.parse(readFileSync(file, 'utf8')), `${name} differs from its golden`);
}

for (const [name, { target, objects }] of Object.entries(SAMPLES)) {
  test(`${name} print as the golden Table`, () => {
    const table = JSON.parse(toTable(objects, { resourceVersion: '100' }, 'None', target, NOW).toString('utf8')) as Record<string, unknown>;
    golden(name, table);
  });
}

test('every built-in printer has a golden', () => {
  for (const [name, { target }] of Object.entries(SAMPLES)) {
    if (target.printer || name === 'roles') continue;
    assert.ok(printerFor(target.group, target.resource), `${name} has no printer`);
  }
  assert.is(printerFor('rbac.authorization.k8s.io', 'roles'), undefined);
});

test('rows carry one cell per column', () => {
  for (const [name, { target, objects }] of Object.entries(SAMPLES)) {
    const p = target.printer ?? printerFor(target.group, target.resource);
    if (!p) continue;
    for (const o of objects) assert.is(p.cells(o, NOW).length, p.columns.length, `${name}/${o.metadata.name}`);
  }
});

test('humanDuration rounds as apimachinery duration.HumanDuration does', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: [number, string][] = [
    [-2 * s, '<invalid>'], [-1500, '0s'], [0, '0s'], [999, '0s'], [119 * s, '119s'], [2 * m, '2m'], [5 * m + 12 * s, '5m12s'],
    [10 * m + 59 * s, '10m'], [179 * m, '179m'], [3 * h, '3h'], [7 * h + 59 * m, '7h59m'], [8 * h + 30 * m, '8h'], [47 * h, '47h'],
    [2 * d, '2d'], [2 * d + 4 * h, '2d4h'], [8 * d, '8d'], [400 * d, '400d'], [730 * d, '2y'], [3 * 365 * d + 40 * d, '3y40d'], [9 * 365 * d, '9y'],
  ];
  for (const [ms, want] of cases) assert.is(humanDuration(ms), want, `${ms} ms`);
});

test('includeObject and watch framing are kept', () => {
  const { target, objects } = SAMPLES.configmaps;
  const meta = JSON.parse(toTable(objects.slice(0, 1), { resourceVersion: '7' }, 'Metadata', target, NOW).toString('utf8')) as { rows: { object: unknown }[] };
  assert.equal(meta.rows[0].object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: objects[0].metadata });
  const full = JSON.parse(toTable(objects.slice(0, 1), { resourceVersion: '7' }, 'Object', target, NOW).toString('utf8')) as { rows: { object: unknown }[] };
  assert.equal(full.rows[0].object, objects[0]);
  const later = JSON.parse(toTable(objects.slice(0, 1), { resourceVersion: '7' }, 'None', target, NOW, false).toString('utf8')) as { columnDefinitions: unknown };
  assert.is(later.columnDefinitions, null);
});

test('a pod that completed carries the Completed row condition', () => {
  const pod = SAMPLES.pods.objects.find((p) => p.metadata.name === 'pi-job-7x2kd');
  assert.ok(pod);
  const t = JSON.parse(toTable([pod], { resourceVersion: '1' }, 'None', SAMPLES.pods.target, NOW).toString('utf8')) as { rows: { conditions?: unknown }[] };
  assert.equal(t.rows[0].conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
});

// ---- end to end: kubectl's header lines against a kemu ----

function run(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/kubectl', args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd }, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${args.join(' ')}: ${String(stderr)}`));
      else resolve(String(stdout));
    });
  });
}

/** Header lines (the ones kubectl prints above each kind's rows) with single spaces. */
function headers(out: string): string[] {
  return out.split('\n').filter((l) => /^[A-Z]/.test(l) && l === l.toUpperCase()).map((l) => l.trim().split(/\s{2,}/).join(' '));
}

test('kubectl get prints the headers a real cluster prints', async () => {
  if (!existsSync('/usr/bin/kubectl')) return;
  const ts = await startTestServer({ controllers: 'namespace' });
  const work = await tempDir('kemu-table-');
  try {
    const k = (...args: string[]): Promise<string> => run(['--kubeconfig', ts.kubeconfig, '--cache-dir', join(work, 'cache'), ...args], work);
    await k('create', '-f', GUESTBOOK);
    await k('create', 'configmap', 'game-config', '--from-literal=lives=3');
    await k('create', 'secret', 'generic', 'db-pass', '--from-literal=password=s3cret');
    await k('run', 'web', '--image=nginx:1.27');

    assert.equal(headers(await k('get', 'pods,deploy,svc,cm,ns', '-A')), [
      'NAMESPACE NAME READY STATUS RESTARTS AGE',
      'NAMESPACE NAME READY UP-TO-DATE AVAILABLE AGE',
      'NAMESPACE NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE',
      'NAMESPACE NAME DATA AGE',
      // kubectl keeps the NAMESPACE column (empty) for a cluster-scoped kind listed among others.
      'NAMESPACE NAME STATUS AGE',
    ]);
    assert.equal(headers(await k('get', 'ns', '-A')), ['NAME STATUS AGE']);
    assert.equal(headers(await k('get', 'pods,deploy,svc,cm,ns', '-A', '-o', 'wide')), [
      'NAMESPACE NAME READY STATUS RESTARTS AGE IP NODE NOMINATED NODE READINESS GATES',
      'NAMESPACE NAME READY UP-TO-DATE AVAILABLE AGE CONTAINERS IMAGES SELECTOR',
      'NAMESPACE NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE SELECTOR',
      'NAMESPACE NAME DATA AGE',
      'NAMESPACE NAME STATUS AGE',
    ]);
    assert.equal(headers(await k('get', 'secrets')), ['NAME TYPE DATA AGE']);
    const deploy = (await k('get', 'deploy', 'frontend', '-o', 'wide')).split('\n')[1].trim().split(/\s+/);
    assert.equal([deploy[0], deploy[1], deploy[5], deploy[6], deploy[7]], ['frontend', '0/3', 'php-redis', 'gcr.io/google-samples/gb-frontend:v5', 'app=guestbook,tier=frontend']);
    const cm = (await k('get', 'cm', 'game-config')).split('\n')[1].trim().split(/\s+/);
    assert.equal(cm.slice(0, 2), ['game-config', '1']);
    assert.match(cm[2], /^\d+s$/);
  } finally {
    await ts.close();
    await rm(work, { recursive: true, force: true });
  }
});

test.run();
