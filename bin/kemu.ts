#!/usr/bin/env node
// The kemu command line: thin, it parses flags and calls into server/.
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULTS } from '../model/defaults.js';
import { startServer } from '../server/app.js';
import { adminRequest } from '../server/admin-client.js';
import { renderKubeconfig } from '../server/kubeconfig.js';
import { reportToParent, serveShards, shardSlice } from './shards.js';
import { compareCommand, replayCommand, runScenarioCommand, scenariosCommand } from './scenario-commands.js';

const HELP = `kemu — a Kubernetes API-server emulator for offline scale testing

Usage:
  kemu serve [flags]              serve the Kubernetes API for a hub and many spoke clusters
  kemu clusters list|add NAME|remove NAME [--data-dir DIR]
                                  manage the virtual clusters of a running kemu
  kemu kubeconfig [--cluster NAME] [--data-dir DIR]
                                  print a kubeconfig for one cluster of a running kemu
  kemu run SCENARIO [--target embedded|URL] [--kubeconfig FILE] [--scale X] [--set K=V] [--out DIR]
                                  run a scale scenario and write report.json and report.html
  kemu scenarios                  list the built-in scenarios
  kemu compare A.json B.json      two scenario reports side by side, with ratios
  kemu replay FILE (--kubeconfig FILE | --target URL) [--speed X|max] [--map-clusters SPEC]
                                  replay a recorded or audit log against any cluster and report it
  kemu --help | kemu <command> --help
`;

const SERVE_HELP = `kemu serve — serve the Kubernetes API for a hub and spoke clusters

Flags:
  --host HOST          address to listen on (default ${DEFAULTS.host})
  --port PORT          port, 0 for an ephemeral one (default ${DEFAULTS.port})
  --data-dir DIR       where the store, CA and token live (default ${DEFAULTS.dataDir})
  --spokes N           ensure spokes spoke-1..spoke-N exist (default 0; npm start uses ${DEFAULTS.spokes})
  --kubeconfig FILE    kubeconfig to write, one context per cluster (default ${DEFAULTS.kubeconfig})
  --shards N           run N processes (one per core), shard K serving a contiguous 1/N of the spokes
                       (shard 0 also the hub) on --port+K (ephemeral with --port 0) with data in
                       --data-dir/shard-K; all share one CA and token, and the kubeconfig points each
                       context at its shard. Clusters added at run time stay on the shard they are
                       added to (kemu clusters --data-dir DIR/shard-K) and out of this kubeconfig
  --shard K            with --shards N: be shard K only, without forking (one pod per shard, deploy/)
  --tokens-file FILE   extra bearer tokens, kube-apiserver --token-auth-file CSV format
  --watch-window N     events kept per cluster and resource for resuming watches (default ${DEFAULTS.watchWindow})
  --enable-priority-and-fairness=BOOL
                       API Priority and Fairness per cluster (default ${DEFAULTS.enablePriorityAndFairness}); false uses
                       the classic max-in-flight filter
  --max-requests-inflight N            read-only limit, or APF's seats with the next (default ${DEFAULTS.maxRequestsInflight})
  --max-mutating-requests-inflight N   mutating limit (default ${DEFAULTS.maxMutatingRequestsInflight})
  --capacity-profile NAME|FILE
                       hold each request for a modeled service time: none (default), default (a small
                       real control plane), or a profile file (fixtures/capacity-profiles)
  --faults FILE        fault-injection rules (YAML/JSON) in force from the start; change them at run
                       time with PUT /kemu/v1/faults
  --controllers LIST   simulated controllers, kube-controller-manager style (default *: namespace,
                       deployment, replicaset, garbagecollector, scheduler, kwok-node, kwok-pod);
                       e.g. *,-scheduler leaves scheduling to a real scheduler
  --kwok-stages PATH   KWOK Stage files or folders (repeatable) replacing the bundled lifecycle rules
                       of the kinds they cover (Node, Pod, VirtualMachineInstance), e.g. other delays
  --nodes N            fake kwok Nodes in the hub (default ${DEFAULTS.hubNodes})
  --spoke-nodes N      fake kwok Nodes in every spoke (default ${DEFAULTS.spokeNodes})
  --crds DIR           install the CustomResourceDefinitions found in DIR (YAML/JSON, recursive) in the
                       hub at start, e.g. fixtures/crds (Hive, OCM, KubeVirt); clients may create more
  --record FILE        append every served request to FILE (mode 0600) as an audit.k8s.io/v1 Event line
                       (RequestResponse level without response bodies); replay it with kemu replay
  --max-db-size SIZE   hard limit of the store file, bytes or with a K, M, G or T suffix (1024-based;
                       default ${DEFAULTS.maxDbSizeBytes / 1024 ** 3}G); past it writes get etcd's "database space exceeded" (500) and reads
                       go on; restart with a larger SIZE to write again, nothing is lost
  --log-level LEVEL    structured JSON log on stderr: fatal, error, warn, info (default: start, stop,
                       errors), debug (one line per request, with its Audit-Id), trace or silent

The bare API path reaches the hub; /clusters/<name>/<api path> reaches cluster <name>.
`;

const CLUSTERS_HELP = `kemu clusters — manage the virtual clusters of a running kemu

  kemu clusters list            list clusters
  kemu clusters add NAME        add a cluster (with default, kube-system, kube-public, kube-node-lease)
  kemu clusters remove NAME     remove a cluster and everything in it

Flags:
  --data-dir DIR       the data dir of the running kemu (default ${DEFAULTS.dataDir})
`;

const KUBECONFIG_HELP = `kemu kubeconfig — print a kubeconfig for one cluster of a running kemu

Flags:
  --cluster NAME       the cluster (default hub)
  --data-dir DIR       the data dir of the running kemu (default ${DEFAULTS.dataDir})
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 1;
  }
  switch (command) {
    case 'serve': return serve(rest);
    case 'clusters': return clusters(rest);
    case 'kubeconfig': return kubeconfig(rest);
    case 'run': return runScenarioCommand(rest);
    case 'scenarios': return scenariosCommand();
    case 'compare': return compareCommand(rest);
    case 'replay': return replayCommand(rest);
    default:
      process.stderr.write(`kemu: unknown command "${command}"\n\n${HELP}`);
      return 2;
  }
}

async function serve(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string', default: DEFAULTS.host },
      port: { type: 'string', default: String(DEFAULTS.port) },
      'data-dir': { type: 'string', default: DEFAULTS.dataDir },
      spokes: { type: 'string', default: '0' },
      shards: { type: 'string', default: '1' },
      shard: { type: 'string' },
      kubeconfig: { type: 'string', default: DEFAULTS.kubeconfig },
      'tokens-file': { type: 'string' },
      crds: { type: 'string' },
      'enable-priority-and-fairness': { type: 'string', default: String(DEFAULTS.enablePriorityAndFairness) },
      'max-requests-inflight': { type: 'string', default: String(DEFAULTS.maxRequestsInflight) },
      'max-mutating-requests-inflight': { type: 'string', default: String(DEFAULTS.maxMutatingRequestsInflight) },
      'capacity-profile': { type: 'string', default: DEFAULTS.capacityProfile },
      faults: { type: 'string' },
      controllers: { type: 'string', default: DEFAULTS.controllers },
      'kwok-stages': { type: 'string', multiple: true },
      nodes: { type: 'string', default: String(DEFAULTS.hubNodes) },
      'spoke-nodes': { type: 'string', default: String(DEFAULTS.spokeNodes) },
      'watch-window': { type: 'string', default: String(DEFAULTS.watchWindow) },
      record: { type: 'string' },
      'max-db-size': { type: 'string' },
      'log-level': { type: 'string', default: DEFAULTS.logLevel },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const port = wholeNumber(values.port, '--port');
  const spokes = wholeNumber(values.spokes, '--spokes');
  const watchWindow = wholeNumber(values['watch-window'], '--watch-window');
  const kubeconfigPath = resolve(values.kubeconfig);
  const maxDbSizeBytes = values['max-db-size'] === undefined ? DEFAULTS.maxDbSizeBytes : byteSize(values['max-db-size'], '--max-db-size');
  const logLevel = LOG_LEVELS.find((l) => l === values['log-level']);
  if (!logLevel) {
    process.stderr.write(`kemu: --log-level must be one of ${LOG_LEVELS.join(', ')}, got "${values['log-level']}"\n`);
    return 2;
  }
  const apf = values['enable-priority-and-fairness'];
  if (apf !== 'true' && apf !== 'false') {
    process.stderr.write(`kemu: --enable-priority-and-fairness must be true or false, got "${apf}"\n`);
    return 2;
  }
  const shards = wholeNumber(values.shards, '--shards');
  const shard = values.shard === undefined ? undefined : wholeNumber(values.shard, '--shard');
  if (shards < 1 || (shard !== undefined && shard >= shards)) {
    process.stderr.write(`kemu: --shards must be at least 1 and --shard below it, got --shards ${shards} --shard ${shard ?? '(none)'}\n`);
    return 2;
  }
  if (shards > 1 && shard === undefined) {
    // Every shard would append to the one file.
    if (values.record) {
      process.stderr.write('kemu: --record cannot be used with --shards; record each shard with --shard K\n');
      return 2;
    }
    return serveShards({ shards, host: values.host, port, dataDir: resolve(values['data-dir']), spokes, kubeconfigPath, serveArgs: args });
  }
  const slice = shardSlice(shard ?? 0, shards, spokes);
  const server = await startServer({
    enablePriorityAndFairness: apf === 'true',
    maxRequestsInflight: wholeNumber(values['max-requests-inflight'], '--max-requests-inflight'),
    maxMutatingRequestsInflight: wholeNumber(values['max-mutating-requests-inflight'], '--max-mutating-requests-inflight'),
    capacityProfile: values['capacity-profile'],
    faultsFile: values.faults ? resolve(values.faults) : undefined,
    controllers: values.controllers,
    kwokStages: (values['kwok-stages'] ?? []).map((p) => resolve(p)),
    hubNodes: wholeNumber(values.nodes, '--nodes'),
    spokeNodes: wholeNumber(values['spoke-nodes'], '--spoke-nodes'),
    host: values.host, port, dataDir: resolve(values['data-dir']), spokes: slice.count, spokeOffset: slice.offset, kubeconfigPath,
    tokensFile: values['tokens-file'], watchWindow, crdsDir: values.crds ? resolve(values.crds) : undefined,
    record: values.record ? resolve(values.record) : undefined,
    maxDbSizeBytes, logLevel,
  });
  const forked = reportToParent(server.url, server.clusters.list().map((c) => c.name));
  if (!forked) {
    process.stdout.write(`kemu serving ${server.clusters.size} clusters at ${server.url} kubeconfig=${kubeconfigPath}\n`);
    process.stdout.write(`try: kubectl --kubeconfig ${kubeconfigPath} get namespaces   (contexts: ${server.clusters.list().map((c) => c.name).slice(0, 4).join(', ')}${server.clusters.size > 4 ? ', …' : ''})\n`);
  }
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.off('disconnect', stop);
      void server.close().then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // A forked shard whose parent is gone (killed outright) stops rather than linger.
    if (forked) process.on('disconnect', stop);
  });
  if (!forked) process.stdout.write('kemu stopped\n');
  return 0;
}

async function clusters(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: { 'data-dir': { type: 'string', default: DEFAULTS.dataDir }, help: { type: 'boolean', short: 'h' } },
  });
  const [sub, name] = positionals;
  if (values.help || !sub) {
    process.stdout.write(CLUSTERS_HELP);
    return values.help ? 0 : 1;
  }
  const dataDir = resolve(values['data-dir']);
  let res;
  if (sub === 'list') res = await adminRequest(dataDir, 'GET', '');
  else if (sub === 'add' && name) res = await adminRequest(dataDir, 'POST', '', { name });
  else if (sub === 'remove' && name) res = await adminRequest(dataDir, 'DELETE', name);
  else {
    process.stderr.write(CLUSTERS_HELP);
    return 2;
  }
  if (res.statusCode >= 300) {
    process.stderr.write(`kemu: ${res.message}\n`);
    return 1;
  }
  if (sub === 'list') {
    const items = (res.body as { items: { name: string; creationTimestamp: string }[] }).items;
    process.stdout.write(`NAME${' '.repeat(20)}CREATED\n`);
    for (const c of items) process.stdout.write(`${c.name.padEnd(24)}${c.creationTimestamp}\n`);
  } else {
    process.stdout.write(`cluster "${name}" ${sub === 'add' ? 'added' : 'removed'}\n`);
  }
  return 0;
}

async function kubeconfig(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      cluster: { type: 'string', default: 'hub' },
      'data-dir': { type: 'string', default: DEFAULTS.dataDir },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(KUBECONFIG_HELP);
    return 0;
  }
  const dataDir = resolve(values['data-dir']);
  const list = await adminRequest(dataDir, 'GET', values.cluster);
  if (list.statusCode >= 300) {
    process.stderr.write(`kemu: ${list.message}\n`);
    return 1;
  }
  const serving = JSON.parse(await readFile(join(dataDir, 'serving.json'), 'utf8')) as { url: string };
  const [caCertPem, token] = await Promise.all([
    readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8'),
    readFile(join(dataDir, 'admin-token'), 'utf8'),
  ]);
  process.stdout.write(renderKubeconfig({ serverUrl: serving.url, clusters: [values.cluster], caCertPem, token: token.trim() }));
  return 0;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Bytes from `N`, `N[KMGT]` or `N[KMGT]i` (binary multiples, as LMDB and etcd size their stores); exits on anything else. */
function byteSize(v: string, flag: string): number {
  const m = /^(\d+)([KMGT])?i?B?$/i.exec(v);
  if (!m || Number(m[1]) === 0) {
    process.stderr.write(`kemu: ${flag} must be a positive size such as 536870912, 512M or 8G, got "${v}"\n`);
    process.exit(2);
  }
  return Number(m[1]) * 1024 ** ' KMGT'.indexOf((m[2] ?? ' ').toUpperCase());
}

function wholeNumber(v: string, flag: string): number {
  if (!/^\d+$/.test(v)) {
    process.stderr.write(`kemu: ${flag} must be a whole number, got "${v}"\n`);
    process.exit(2);
  }
  return Number(v);
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`kemu: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
