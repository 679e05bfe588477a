import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computePodTemplateHash, fnv32a, safeEncodeString } from '../../../../model/lifecycle/workloads/hash.js';
import { canonicalQuantity, controllerQuantity, parseQuantity } from '../../../../model/lifecycle/workloads/quantity.js';
import { spewPodTemplate } from '../../../../model/lifecycle/workloads/spew.js';

type Json = Record<string, unknown>;

// Templates as a v1.32 kind cluster served them, and the pod-template-hash its
// kube-controller-manager gave their ReplicaSets (Arnavion/k8s-openapi test replays v1-32:
// patch-deployment.json, whose pods are named k8s-openapi-tests-patch-deployment-<hash>-*,
// and deployment-list.json, whose coredns status names ReplicaSet "coredns-668d6bf9bc").
const ALPINE = {
  "metadata": {
    "creationTimestamp": null,
    "labels": {
      "k8s-openapi-tests-patch-deployment-key": "k8s-openapi-tests-patch-deployment-value"
    }
  },
  "spec": {
    "containers": [
      {
        "name": "k8s-openapi-tests-patch-deployment",
        "image": "alpine:3.6",
        "resources": {},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent"
      }
    ],
    "restartPolicy": "Always",
    "terminationGracePeriodSeconds": 30,
    "dnsPolicy": "ClusterFirst",
    "securityContext": {},
    "schedulerName": "default-scheduler"
  }
} as Json;

const COREDNS = {
  "metadata": {
    "creationTimestamp": null,
    "labels": {
      "k8s-app": "kube-dns"
    }
  },
  "spec": {
    "volumes": [
      {
        "name": "config-volume",
        "configMap": {
          "name": "coredns",
          "items": [
            {
              "key": "Corefile",
              "path": "Corefile"
            }
          ],
          "defaultMode": 420
        }
      }
    ],
    "containers": [
      {
        "name": "coredns",
        "image": "registry.k8s.io/coredns/coredns:v1.11.3",
        "args": [
          "-conf",
          "/etc/coredns/Corefile"
        ],
        "ports": [
          {
            "name": "dns",
            "containerPort": 53,
            "protocol": "UDP"
          },
          {
            "name": "dns-tcp",
            "containerPort": 53,
            "protocol": "TCP"
          },
          {
            "name": "metrics",
            "containerPort": 9153,
            "protocol": "TCP"
          }
        ],
        "resources": {
          "limits": {
            "memory": "170Mi"
          },
          "requests": {
            "cpu": "100m",
            "memory": "70Mi"
          }
        },
        "volumeMounts": [
          {
            "name": "config-volume",
            "readOnly": true,
            "mountPath": "/etc/coredns"
          }
        ],
        "livenessProbe": {
          "httpGet": {
            "path": "/health",
            "port": 8080,
            "scheme": "HTTP"
          },
          "initialDelaySeconds": 60,
          "timeoutSeconds": 5,
          "periodSeconds": 10,
          "successThreshold": 1,
          "failureThreshold": 5
        },
        "readinessProbe": {
          "httpGet": {
            "path": "/ready",
            "port": 8181,
            "scheme": "HTTP"
          },
          "timeoutSeconds": 1,
          "periodSeconds": 10,
          "successThreshold": 1,
          "failureThreshold": 3
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
        "securityContext": {
          "capabilities": {
            "add": [
              "NET_BIND_SERVICE"
            ],
            "drop": [
              "ALL"
            ]
          },
          "readOnlyRootFilesystem": true,
          "allowPrivilegeEscalation": false
        }
      }
    ],
    "restartPolicy": "Always",
    "terminationGracePeriodSeconds": 30,
    "dnsPolicy": "Default",
    "nodeSelector": {
      "kubernetes.io/os": "linux"
    },
    "serviceAccountName": "coredns",
    "serviceAccount": "coredns",
    "securityContext": {},
    "affinity": {
      "podAntiAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [
          {
            "weight": 100,
            "podAffinityTerm": {
              "labelSelector": {
                "matchExpressions": [
                  {
                    "key": "k8s-app",
                    "operator": "In",
                    "values": [
                      "kube-dns"
                    ]
                  }
                ]
              },
              "topologyKey": "kubernetes.io/hostname"
            }
          }
        ]
      }
    },
    "schedulerName": "default-scheduler",
    "tolerations": [
      {
        "key": "CriticalAddonsOnly",
        "operator": "Exists"
      },
      {
        "key": "node-role.kubernetes.io/control-plane",
        "effect": "NoSchedule"
      }
    ],
    "priorityClassName": "system-cluster-critical"
  }
} as Json;

function withImage(t: Json, image: string): Json {
  const c = structuredClone(t);
  ((c.spec as Json).containers as Json[])[0].image = image;
  return c;
}

test('pod-template-hash matches what kube-controller-manager 1.32 computed for real templates', () => {
  assert.is(computePodTemplateHash(ALPINE), 'b4cf77f74');
  assert.is(computePodTemplateHash(withImage(ALPINE, 'alpine:3.8')), 'c96bbf4d4');
  // Volumes, probes with integer ports, quantities (170Mi, 100m), affinity, tolerations.
  assert.is(computePodTemplateHash(COREDNS), '668d6bf9bc');
});

test('the hash input is go-spew %#v of the Go struct: every field, types in parentheses, nil lists', () => {
  const s = spewPodTemplate(ALPINE);
  assert.ok(s.startsWith('(v1.PodTemplateSpec){ObjectMeta:(v1.ObjectMeta){Name:(string) GenerateName:(string) '));
  assert.ok(s.includes(' TerminationGracePeriodSeconds:(*int64)30 '));
  assert.ok(s.includes(' Volumes:([]v1.Volume)<nil> ') || s.includes('{Volumes:([]v1.Volume)<nil> '));
  assert.ok(s.endsWith(' Resources:(*v1.ResourceRequirements)<nil>}}'));
  assert.ok(spewPodTemplate(COREDNS).includes('Limits:(v1.ResourceList)map[memory:{i:(resource.int64Amount){value:(int64)178257920 scale:(resource.Scale)0} d:(resource.infDecAmount){Dec:(*inf.Dec)<nil>} s:(string)170Mi Format:(resource.Format)BinarySI}]'));
});

test('collision counts change the hash; empty lists hash like absent ones, as protobuf delivers them', () => {
  assert.is.not(computePodTemplateHash(ALPINE, 0), computePodTemplateHash(ALPINE));
  assert.is.not(computePodTemplateHash(ALPINE, 1), computePodTemplateHash(ALPINE, 0));
  const withEmpty = structuredClone(ALPINE);
  ((withEmpty.spec as Json).containers as Json[])[0].args = [];
  assert.is(computePodTemplateHash(withEmpty), 'b4cf77f74');
});

test('FNV-1a and SafeEncodeString as Go has them', () => {
  assert.is(fnv32a(new Uint8Array()), 0x811c9dc5);
  assert.is(fnv32a(Buffer.from('a')), 0xe40c292c);
  // Digits map into "bcdfghjklmnpqrstvwxz2456789" by code point: 0->4, 6->b, 9->f.
  assert.is(safeEncodeString('0123456789'), '456789bcdf');
});

test('quantities: parsed as apimachinery does, and hashed in the canonical form the apiserver stores', () => {
  assert.equal(parseQuantity('100m'), { value: 100n, scale: -3, dec: null, s: '100m', format: 'DecimalSI' });
  // 8 is a multiple of 8, so ParseQuantity does not keep the string (value&7 == 0).
  assert.equal(parseQuantity('8Gi'), { value: 8n * 2n ** 30n, scale: 0, dec: null, s: '', format: 'BinarySI' });
  assert.is(canonicalQuantity(parseQuantity('0.5')!), '500m');
  assert.is(canonicalQuantity(parseQuantity('1.5Gi')!), '1536Mi');
  assert.is(canonicalQuantity(parseQuantity('1000m')!), '1');
  assert.is(canonicalQuantity(parseQuantity('12e6')!), '12e6');
  assert.is(canonicalQuantity(parseQuantity('0.9n')!), '1n');
  assert.equal(controllerQuantity('0.5'), parseQuantity('500m'));
  const huge = parseQuantity('123456789012345678901')!;
  assert.equal(huge.dec, { unscaled: 123456789012345678901000000000n, scale: 9 });
  assert.is(canonicalQuantity(huge), '123456789012345678901');
});

test.run();
