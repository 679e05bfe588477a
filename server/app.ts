// Assembles one kemu: store, watch cache, registry, clusters, discovery and the HTTP pipeline,
// served over TLS on one port for every virtual cluster.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyReply } from 'fastify';
import { pino } from 'pino';
import fastifyWebsocket from '@fastify/websocket';
import { loadBuiltinCatalog, type ResourceCatalog } from '../model/catalog.js';
import { realClock, type Clock } from '../model/clock.js';
import { Clusters, HUB } from '../model/clusters.js';
import { ClusterCatalogs } from '../model/crd/catalogs.js';
import { CRDController } from '../model/crd/controller.js';
import { installCRDs } from '../model/crd/install.js';
import { DEFAULTS } from '../model/defaults.js';
import { NamespaceController } from '../model/lifecycle/namespace.js';
import { lifecycleControllers } from '../model/lifecycle/controllers.js';
import { LifecycleEngine } from '../model/lifecycle/engine.js';
import { ensureNodes } from '../model/lifecycle/nodes.js';
import { CONTROLLER_NAMES, ControllerSwitches, parseControllers } from '../model/lifecycle/switches.js';
import { controllerUser } from '../model/lifecycle/writer.js';
import { controllerTokens, pipelineWriter } from './lifecycle-writer.js';
import { Registry } from '../model/registry/registry.js';
import { SnapshotCache } from '../model/registry/snapshots.js';
import { cryptoRng, type Rng } from '../model/rng.js';
import { Store } from '../model/store/store.js';
import { ObjectCounts } from '../model/store/object-counts.js';
import { loadCapacityProfile } from '../model/capacity/profile.js';
import { FaultInjector } from '../model/faults/injector.js';
import { faultMetrics } from '../model/faults/metrics.js';
import { loadFaultRulesFile } from '../model/faults/parse.js';
import { ClusterFlowControl } from '../model/flowcontrol/clusters.js';
import { FlowControlMetrics } from '../model/flowcontrol/metrics.js';
import { WatchCache } from '../model/watch/cache.js';
import { isStatus } from '../model/status.js';
import { createTokenAuthenticator, ensureAdminToken } from './authn.js';
import { DiscoveryDocuments } from './discovery.js';
import { apiserverHealthChecks } from './health.js';
import { ResourceHandlers } from './handlers.js';
import { renderKubeconfig, writeKubeconfig } from './kubeconfig.js';
import { ApiserverMetrics } from './metrics.js';
import { OpenAPIDocuments } from './openapi.js';
import { installPipeline, WS_BEARER_PREFIX } from './pipeline.js';
import { sendText } from './respond.js';
import { RequestRecorder } from './record.js';
import { ensureTlsMaterial } from './tls.js';
import { WatchStreams } from './watch.js';

export interface ServerOptions {
  readonly host?: string;
  /** 0 picks an ephemeral port. */
  readonly port?: number;
  readonly dataDir: string;
  /** Ensures spokes `spoke-1` … `spoke-N` exist (more may exist from earlier runs). */
  readonly spokes?: number;
  /** Numbers the spokes from `spoke-(offset+1)`: a shard owns a slice of the spokes (bin/shards.ts). */
  readonly spokeOffset?: number;
  /** Where to write the kubeconfig; rewritten when clusters are added or removed. */
  readonly kubeconfigPath?: string;
  readonly tokensFile?: string;
  /** --enable-priority-and-fairness; false selects the classic max-in-flight filter. */
  readonly enablePriorityAndFairness?: boolean;
  readonly maxRequestsInflight?: number;
  readonly maxMutatingRequestsInflight?: number;
  /** A bundled capacity profile name (fixtures/capacity-profiles) or a profile file. */
  readonly capacityProfile?: string;
  /** Fault-injection rules (YAML or JSON) in force from the start. */
  readonly faultsFile?: string;
  /** `--controllers`: which simulated controllers run (default `*`). */
  readonly controllers?: string;
  /** `--kwok-stages`: Stage files or folders replacing the bundled node, pod or VMI rules. */
  readonly kwokStages?: readonly string[];
  /** Fake Nodes made in the hub, and in every spoke. */
  readonly hubNodes?: number;
  readonly spokeNodes?: number;
  /** CustomResourceDefinitions (YAML/JSON files, searched recursively) installed in the hub at start. */
  readonly crdsDir?: string;
  readonly watchWindow?: number;
  /** Unsent bytes after which a slow watcher's watch is ended. */
  readonly watchMaxBufferedBytes?: number;
  /** How long a watch the server ended may take to drain before its connection is closed. */
  readonly watchDrainGraceMs?: number;
  /** Interval of watch progress bookmarks. */
  readonly bookmarkIntervalMs?: number;
  readonly clock?: Clock;
  readonly rng?: Rng;
  /** `--record FILE`: every served request appended to FILE as an audit.k8s.io/v1 Event line. */
  readonly record?: string;
  /** `--max-db-size`: the store file's hard limit in bytes. */
  readonly maxDbSizeBytes?: number;
  /** `--log-level`: the level of the structured (pino, JSON) log written to stderr. */
  readonly logLevel?: pino.LevelWithSilent;
  /** HTTP limits and timeouts (tests shorten them). */
  readonly http?: Partial<HttpLimits>;
}

export interface HttpLimits {
  /** Bytes of request line and headers; beyond, 431. */
  readonly maxHeaderBytes: number;
  /** Time to finish the TLS handshake, and then to send the request headers. */
  readonly readHeaderTimeoutMs: number;
  /** Time to send a whole request, body included. */
  readonly requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  readonly idleTimeoutMs: number;
  /** How often the two deadlines above are enforced. */
  readonly connectionsCheckIntervalMs: number;
  /** How long a graceful shutdown waits for in-flight requests before closing their connections. */
  readonly shutdownDrainMs: number;
}

const HTTP_LIMITS: HttpLimits = Object.freeze({
  maxHeaderBytes: DEFAULTS.maxHeaderBytes,
  readHeaderTimeoutMs: DEFAULTS.readHeaderTimeoutMs,
  // No request may run longer than --request-timeout, its body's arrival included.
  requestTimeoutMs: DEFAULTS.requestTimeoutMs,
  idleTimeoutMs: DEFAULTS.idleTimeoutMs,
  connectionsCheckIntervalMs: DEFAULTS.connectionsCheckIntervalMs,
  shutdownDrainMs: DEFAULTS.requestTimeoutMs,
});

export interface KemuServer {
  readonly url: string;
  readonly port: number;
  readonly adminToken: string;
  readonly caCertPem: string;
  readonly clusters: Clusters;
  readonly kubeconfigPath?: string;
  close(): Promise<void>;
}

// The release kemu answers as; kubectl 1.32 sees no version skew.
export const KUBE_VERSION = Object.freeze({
  major: '1', minor: '32', gitVersion: 'v1.32.13+kemu', gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.23.12', compiler: 'gc', platform: 'linux/amd64',
});

export function spokeNames(n: number, offset = 0): string[] {
  return Array.from({ length: n }, (_, i) => `spoke-${offset + i + 1}`);
}

export async function startServer(opts: ServerOptions): Promise<KemuServer> {
  const host = opts.host ?? DEFAULTS.host;
  const clock = opts.clock ?? realClock;
  const rng = opts.rng ?? cryptoRng();
  const limits: HttpLimits = { ...HTTP_LIMITS, ...opts.http };
  // JSON lines on stderr, so stdout keeps the human-readable start line. Nothing logged carries a
  // header: tokens travel in Authorization and in the WebSocket subprotocol.
  const log = pino({ level: opts.logLevel ?? DEFAULTS.logLevel, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination(2));
  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  // mkdir's mode is subject to umask and ignored for an existing directory; the store holds Secrets.
  await chmod(opts.dataDir, 0o700);
  const [tls, adminToken] = await Promise.all([
    ensureTlsMaterial(opts.dataDir, [host]),
    ensureAdminToken(opts.dataDir),
  ]);
  const controllerCredentials = controllerTokens(CONTROLLER_NAMES.map(controllerUser));
  const authenticator = createTokenAuthenticator({ adminToken, tokensFile: opts.tokensFile, extraUsers: controllerCredentials });
  const catalog = loadBuiltinCatalog();
  const catalogs = new ClusterCatalogs(catalog);
  const store = Store.open({ path: join(opts.dataDir, 'store.mdb'), maxBytes: opts.maxDbSizeBytes ?? DEFAULTS.maxDbSizeBytes, hold: clock.hold?.bind(clock) });
  const watchCache = new WatchCache(store, { windowSize: opts.watchWindow ?? DEFAULTS.watchWindow });
  const snapshots = new SnapshotCache(store, clock, { ttlMs: DEFAULTS.listSnapshotTtlMs, max: DEFAULTS.listSnapshots });
  const registry = new Registry(store, watchCache, clock, rng, snapshots);
  const clusters = new Clusters(store, registry, watchCache, catalog, clock);
  await clusters.ensure([HUB, ...spokeNames(opts.spokes ?? 0, opts.spokeOffset)]);
  const enabled = parseControllers(opts.controllers ?? DEFAULTS.controllers);
  if (typeof enabled === 'string') throw new Error(`--controllers: ${enabled}`);
  const switches = new ControllerSwitches(enabled);
  const namespaceController = enabled.has('namespace') ? new NamespaceController(store, registry, catalogs) : undefined;
  const crdController = new CRDController(store, registry, catalogs, clock, clusters);
  if (opts.crdsDir) await installCRDs(registry, catalog, opts.crdsDir, HUB);

  const objectCounts = new ObjectCounts(store);
  const metrics = new ApiserverMetrics(objectCounts, store);
  const recorder = opts.record ? await RequestRecorder.open(opts.record, metrics.registry) : undefined;
  const flowControl = new ClusterFlowControl(store, registry, catalog, {
    clock,
    enablePriorityAndFairness: opts.enablePriorityAndFairness ?? DEFAULTS.enablePriorityAndFairness,
    maxRequestsInflight: opts.maxRequestsInflight ?? DEFAULTS.maxRequestsInflight,
    maxMutatingRequestsInflight: opts.maxMutatingRequestsInflight ?? DEFAULTS.maxMutatingRequestsInflight,
    objectCounts,
    metrics: new FlowControlMetrics(metrics.registry, clock),
  });
  await clusters.addInitializer((name) => flowControl.ensureBootstrap(name));
  const nodesType = catalog.lookup('', 'v1', 'nodes');
  if (!nodesType) throw new Error('catalog has no nodes');
  await clusters.addInitializer((name) => ensureNodes(registry, nodesType, name, name === HUB ? opts.hubNodes ?? DEFAULTS.hubNodes : opts.spokeNodes ?? DEFAULTS.spokeNodes));
  const capacity = loadCapacityProfile(opts.capacityProfile ?? DEFAULTS.capacityProfile);
  if (isStatus(capacity)) throw new Error(capacity.message);
  const faults = new FaultInjector(rng, faultMetrics(metrics.registry));
  if (opts.faultsFile) {
    const rules = loadFaultRulesFile(opts.faultsFile);
    if (isStatus(rules)) throw new Error(rules.message);
    faults.setRules(rules);
  }
  const flow = { flowControl, capacity, faults, objectCounts, clock, rng, requestTimeoutMs: DEFAULTS.requestTimeoutMs };
  const watches = new WatchStreams(clock, metrics, {
    maxBufferedBytes: opts.watchMaxBufferedBytes ?? DEFAULTS.watchMaxBufferedBytes, bookmarkIntervalMs: opts.bookmarkIntervalMs ?? DEFAULTS.bookmarkIntervalMs,
    drainGraceMs: opts.watchDrainGraceMs ?? DEFAULTS.watchDrainGraceMs,
  });
  clusters.onRemove((name) => {
    watches.endCluster(name);
    flowControl.dropCluster(name);
    switches.forget(name);
    objectCounts.dropCluster(name);
  });
  const tokenUser = (token: string) => {
    const u = authenticator.authenticate(`Bearer ${token}`);
    return isStatus(u) ? undefined : u;
  };
  const handlers = new ResourceHandlers(registry, watches, rng, tokenUser, DEFAULTS.futureResourceVersionWaitMs, () => clock.now());

  let shuttingDown = false;
  const app = Fastify({
    https: {
      key: tls.keyPem, cert: tls.certPem,
      maxHeaderSize: limits.maxHeaderBytes,
      handshakeTimeout: limits.readHeaderTimeoutMs,
      headersTimeout: limits.readHeaderTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: limits.connectionsCheckIntervalMs,
    },
    // fastify sets these two on the server again, so they are given here as well.
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.idleTimeoutMs,
    bodyLimit: DEFAULTS.maxRequestBodyBytes,
    loggerInstance: log as FastifyBaseLogger,
    // Requests are logged at debug by the hook below, with kemu's fields.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'auditID' }),
    genReqId: auditId,
    // Draining is the pipeline's: a metav1.Status 503, and in-flight requests may finish.
    return503OnClosing: false,
    forceCloseConnections: false,
    clientErrorHandler: answerClientError,
    frameworkErrors: (err, _req, reply: FastifyReply) => {
      // A request target that does not parse (a bad %-escape): Go's server answers before routing.
      if (err.code === 'FST_ERR_BAD_URL') return void sendText(reply.header('Connection', 'close'), 400, '400 Bad Request');
      reply.log.error({ err }, 'framework error');
      return void sendText(reply, 500, '500 Internal Server Error');
    },
  });
  if (log.isLevelEnabled('debug')) {
    app.addHook('onResponse', async (req, reply) => {
      const s = req.kemu;
      req.log.debug({
        method: req.method, url: req.url, code: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10,
        verb: s?.info.verb, cluster: s?.info.cluster, user: s?.user?.name, userAgent: req.headers['user-agent'],
      }, 'request');
    });
  }
  await app.register(fastifyWebsocket, {
    options: {
      maxPayload: DEFAULTS.maxRequestBodyBytes,
      // Echo a subprotocol the client offered (the bearer-token one must not be chosen).
      handleProtocols: (protocols) => [...protocols].find((p) => !p.startsWith(WS_BEARER_PREFIX)) ?? false,
    },
  });
  // The discovery document names the address clients reach; it is known once listening.
  let serverAddress: string | undefined;
  // Built on first use per catalog: clusters without CRDs share the built-in catalog's documents.
  const discoveryByCatalog = new WeakMap<ResourceCatalog, DiscoveryDocuments>();
  const openapi = new OpenAPIDocuments();
  installPipeline(app, {
    authenticator, clusters, catalogs, metrics, handlers, version: KUBE_VERSION,
    discovery(cluster: string): DiscoveryDocuments {
      if (!serverAddress) throw new Error('discovery used before listen');
      const c = catalogs.forCluster(cluster);
      let d = discoveryByCatalog.get(c);
      if (!d) discoveryByCatalog.set(c, (d = new DiscoveryDocuments(c, serverAddress)));
      return d;
    },
    openapi, maxRequestBodyBytes: DEFAULTS.maxRequestBodyBytes, flow, switches, recorder,
    health: apiserverHealthChecks(() => store.check(), () => shuttingDown),
    shuttingDown: () => shuttingDown,
  });
  const lifecycle = new LifecycleEngine(store, pipelineWriter(app, controllerCredentials), catalogs, lifecycleControllers(opts.kwokStages ?? []),
    { clock, rng, enabled: (c, cluster) => switches.enabled(c, cluster) });
  for (const c of clusters.list()) lifecycle.resync(c.name);
  // A controller switched on sees what its cluster already holds.
  switches.onChange((cluster) => lifecycle.resync(cluster));
  await app.listen({ host, port: opts.port ?? DEFAULTS.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  const url = `https://${urlHost}:${port}`;
  serverAddress = `${urlHost}:${port}`;
  await writeFile(join(opts.dataDir, 'serving.json'), JSON.stringify({ url }), { mode: 0o600 });
  log.info({ address: host, port, url, clusters: clusters.size, maxDbSizeBytes: store.maxBytes, storeSizeBytes: store.sizeBytes }, 'serving');

  // One write at a time; adds and removes that arrive meanwhile are folded into the next write,
  // so adding a thousand clusters rewrites the file a handful of times, not a thousand.
  let writing: Promise<void> | undefined;
  let dirty = false;
  const writeConfig = async (): Promise<void> => {
    if (!opts.kubeconfigPath) return;
    const text = renderKubeconfig({ serverUrl: url, clusters: clusters.list().map((c) => c.name), caCertPem: tls.caCertPem, token: adminToken });
    await writeKubeconfig(opts.kubeconfigPath, text);
  };
  const scheduleConfig = (): void => {
    dirty = true;
    if (writing) return;
    writing = (async () => {
      while (dirty) {
        dirty = false;
        await writeConfig().catch((e: unknown) => process.stderr.write(`kemu: cannot write kubeconfig: ${String(e)}\n`));
      }
      writing = undefined;
    })();
  };
  await writeConfig();
  clusters.onChange(scheduleConfig);

  return {
    url, port, adminToken, caCertPem: tls.caCertPem, clusters, kubeconfigPath: opts.kubeconfigPath,
    async close() {
      if (shuttingDown) return;
      // kube-apiserver's order: stop being ready (requests on open connections get 503), stop
      // the controllers' own writes, end watches, stop listening, let in-flight requests finish
      // (bounded), then close the store.
      shuttingDown = true;
      log.info({ watches: watches.size }, 'shutting down');
      await writing;
      namespaceController?.close();
      lifecycle.close();
      crdController.close();
      watches.endAll();
      const closed = app.close();
      // Node closes the connections idle when the server closes, not those that go idle after
      // their last response; past the drain bound, every connection is closed.
      const started = Date.now();
      const sweep = setInterval(() => {
        if (Date.now() - started >= limits.shutdownDrainMs) app.server.closeAllConnections();
        else app.server.closeIdleConnections();
      }, 50);
      await closed.finally(() => clearInterval(sweep));
      // What the controllers had started must finish (or stop at its next step) before the store closes.
      await Promise.all([lifecycle.idle(), namespaceController?.idle(), crdController.idle()]);
      await recorder?.close();
      flowControl.close();
      objectCounts.close();
      snapshots.close();
      watchCache.close();
      await store.close();
      log.info({ drainedMs: Date.now() - started }, 'stopped');
    },
  };
}

// kube-apiserver keeps a client's Audit-ID as given (filters/with_auditid.go) and otherwise makes
// a UUID.
function auditId(req: IncomingMessage): string {
  const given = req.headers['audit-id'];
  return typeof given === 'string' && given !== '' ? given : randomUUID();
}

// What Go's net/http writes for a request it cannot read, then closes the connection: 431 for
// headers past MaxHeaderBytes, 400 for anything malformed; a client that is too slow is just
// disconnected. (fastify's default would answer in its own JSON.)
function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  if (err.code !== 'ERR_HTTP_REQUEST_TIMEOUT' && socket.writable) {
    const text = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.write(`HTTP/1.1 ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${text}`);
  }
  socket.destroy();
}
