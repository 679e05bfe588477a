// kubeconfig for reaching kemu's virtual clusters with stock tools (kubectl, client-go,
// @kubernetes/client-node): one context per kemu cluster, all sharing one admin user.

import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';
import { ADMIN_USER_NAME } from './authn.js';
import { writeFileAtomic } from './tls.js';
import { HUB } from '../model/clusters.js';

/** The cluster served at the bare server URL rather than under `/clusters/<name>`. */

export interface KubeconfigOptions {
  /** e.g. `https://127.0.0.1:6443` */
  readonly serverUrl: string;
  readonly clusters: readonly string[];
  /** Defaults to `hub` when present, else the first cluster. */
  readonly current?: string;
  readonly caCertPem: string;
  readonly token: string;
}

export function clusterServerUrl(serverUrl: string, cluster: string): string {
  const base = serverUrl.replace(/\/+$/, '');
  return cluster === HUB ? base : `${base}/clusters/${encodeURIComponent(cluster)}`;
}

export function renderKubeconfig(opts: KubeconfigOptions): string {
  if (opts.clusters.length === 0) throw new Error('kubeconfig needs at least one cluster');
  const current = opts.current ?? (opts.clusters.includes(HUB) ? HUB : opts.clusters[0]);
  if (!opts.clusters.includes(current)) throw new Error(`current context "${current}" is not one of the clusters`);
  const caData = Buffer.from(opts.caCertPem, 'utf8').toString('base64');
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: opts.clusters.map((name) => ({
      name,
      cluster: { server: clusterServerUrl(opts.serverUrl, name), 'certificate-authority-data': caData },
    })),
    users: [{ name: ADMIN_USER_NAME, user: { token: opts.token } }],
    contexts: opts.clusters.map((name) => ({
      name,
      context: { cluster: name, user: ADMIN_USER_NAME, namespace: 'default' },
    })),
    'current-context': current,
  };
  // lineWidth 0 keeps the long base64 CA data on one line, as kubectl itself writes it.
  return stringify(doc, { lineWidth: 0 });
}

/** Writes a kubeconfig readable only by its owner (it holds a token), atomically. */
export async function writeKubeconfig(path: string, yamlText: string): Promise<void> {
  await fs.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, yamlText, 0o600);
}
