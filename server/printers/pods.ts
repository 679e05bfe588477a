// The pod printer (printPod): Ready, Status, Restarts as kubectl shows them.
import type { KubeObject } from '../../model/object.js';
import { AGE, DOC, NAME, type TablePrinter, type TableRowCondition, age, col, humanDuration, int, list, parseTime, path, rec, str } from './base.js';

// ---- pods ----

const podSucceeded: readonly TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const podFailed: readonly TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

function isRestartableInit(c: unknown): boolean {
  return str(path(c, 'restartPolicy')) === 'Always';
}

function conditionTrue(conditions: unknown, type: string): boolean {
  return list(conditions).some((c) => str(path(c, 'type')) === type && str(path(c, 'status')) === 'True');
}

/** printPod: READY, STATUS and RESTARTS the way kubectl has always shown them. */
function podCells(pod: KubeObject, now: number): unknown[] {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const initSpecs = list(spec.initContainers);
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = list(spec.containers).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;
  const later = (a: number | undefined, b: number | undefined): number | undefined => (b !== undefined && (a === undefined || b > a) ? b : a);

  const phase = str(status.phase);
  let reason = str(status.reason) || phase;
  for (const c of list(status.conditions)) {
    if (str(path(c, 'type')) === 'PodScheduled' && str(path(c, 'reason')) === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initByName = new Map<string, unknown>();
  for (const c of initSpecs) {
    initByName.set(str(path(c, 'name')), c);
    if (isRestartableInit(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = list(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const restartable = isRestartableInit(initByName.get(str(path(cs, 'name'))));
    const count = int(path(cs, 'restartCount'));
    const finished = parseTime(path(cs, 'lastState', 'terminated', 'finishedAt'));
    restarts += count;
    lastRestart = later(lastRestart, finished);
    if (restartable) {
      restartableInitRestarts += count;
      lastRestartableInitRestart = later(lastRestartableInitRestart, finished);
    }
    const terminated = path(cs, 'state', 'terminated');
    const waitingReason = str(path(cs, 'state', 'waiting', 'reason'));
    if (terminated !== undefined && int(path(terminated, 'exitCode')) === 0) continue;
    if (restartable && path(cs, 'started') === true) {
      if (path(cs, 'ready') === true) readyContainers++;
      continue;
    }
    if (terminated !== undefined) {
      const r = str(path(terminated, 'reason'));
      const signal = int(path(terminated, 'signal'));
      reason = r !== '' ? `Init:${r}` : signal !== 0 ? `Init:Signal:${signal}` : `Init:ExitCode:${int(path(terminated, 'exitCode'))}`;
    } else if (waitingReason !== '' && waitingReason !== 'PodInitializing') {
      reason = `Init:${waitingReason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = list(status.containerStatuses);
    // Backwards, so the first container's state is the one that names the pod's status.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += int(path(cs, 'restartCount'));
      lastRestart = later(lastRestart, parseTime(path(cs, 'lastState', 'terminated', 'finishedAt')));
      const waitingReason = str(path(cs, 'state', 'waiting', 'reason'));
      const terminated = path(cs, 'state', 'terminated');
      if (waitingReason !== '') {
        reason = waitingReason;
      } else if (terminated !== undefined && str(path(terminated, 'reason')) !== '') {
        reason = str(path(terminated, 'reason'));
      } else if (terminated !== undefined) {
        const signal = int(path(terminated, 'signal'));
        reason = signal !== 0 ? `Signal:${signal}` : `ExitCode:${int(path(terminated, 'exitCode'))}`;
      } else if (path(cs, 'ready') === true && path(cs, 'state', 'running') !== undefined) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A sidecar still running keeps a pod whose main containers completed from reading Completed.
    if (reason === 'Completed' && hasRunning) reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && str(status.reason) === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartsCell = restarts !== 0 && lastRestart !== undefined ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);

  // The internal type keeps only podIPs; converting v1 fills it from podIP when absent.
  const podIP = str(path(list(status.podIPs)[0], 'ip')) || str(status.podIP) || '<none>';
  let gates = '<none>';
  const readinessGates = list(spec.readinessGates);
  if (readinessGates.length > 0) {
    let ok = 0;
    for (const g of readinessGates) {
      const c = list(status.conditions).find((x) => str(path(x, 'type')) === str(path(g, 'conditionType')));
      if (c !== undefined && str(path(c, 'status')) === 'True') ok++;
    }
    gates = `${ok}/${readinessGates.length}`;
  }
  return [
    pod.metadata.name ?? '', `${readyContainers}/${totalContainers}`, reason, restartsCell, age(pod, now),
    podIP, str(spec.nodeName) || '<none>', str(status.nominatedNodeName) || '<none>', gates,
  ];
}

export const pods: TablePrinter = {
  columns: [
    NAME,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE,
    col('IP', 'string', DOC.podIP, 1),
    col('Node', 'string', DOC.nodeName, 1),
    col('Nominated Node', 'string', DOC.nominatedNodeName, 1),
    col('Readiness Gates', 'string', DOC.readinessGates, 1),
  ],
  cells: podCells,
  conditions(pod) {
    const phase = str(path(pod.status, 'phase'));
    return phase === 'Succeeded' ? podSucceeded : phase === 'Failed' ? podFailed : undefined;
  },
};

