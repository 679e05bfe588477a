// Printers for Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs and CronJobs.
import { AGE, CONTAINERS, DOC, IMAGES, NAME, type Obj, age, col, containerCells, formatLabelSelector, formatLabels, humanDuration, int, labelSelectorString, list, parseTime, path, printer, rec, str, strMap, translateTimestampSince } from './base.js';

// ---- workloads ----

export const deployments = printer([
  NAME,
  col('Ready', 'string', 'Number of the pod with ready state'),
  col('Up-to-date', 'string', DOC.depUpdated),
  col('Available', 'string', DOC.depAvailable),
  AGE, CONTAINERS, IMAGES,
  col('Selector', 'string', DOC.depSelector, 1),
], (o, now) => {
  const status = rec(o.status);
  const [names, images] = containerCells(path(o.spec, 'template', 'spec'));
  // printDeployment prints the selector bare (no `<none>`), unlike the other workloads.
  const selector = labelSelectorString(path(o.spec, 'selector'));
  return [
    o.metadata.name ?? '', `${int(status.readyReplicas)}/${int(path(o.spec, 'replicas'), 1)}`,
    int(status.updatedReplicas), int(status.availableReplicas), age(o, now),
    names, images, selector ?? '<invalid>',
  ];
});

export const replicasets = printer([
  NAME,
  col('Desired', 'integer', DOC.rsReplicas),
  col('Current', 'integer', DOC.rsStatusReplicas),
  col('Ready', 'integer', DOC.rsReady),
  AGE, CONTAINERS, IMAGES,
  col('Selector', 'string', DOC.rsSelector, 1),
], (o, now) => {
  const status = rec(o.status);
  const [names, images] = containerCells(path(o.spec, 'template', 'spec'));
  return [
    o.metadata.name ?? '', int(path(o.spec, 'replicas'), 1), int(status.replicas), int(status.readyReplicas), age(o, now),
    names, images, formatLabelSelector(path(o.spec, 'selector')),
  ];
});

export const statefulsets = printer([
  NAME,
  col('Ready', 'string', 'Number of the pod with ready state'),
  AGE, CONTAINERS, IMAGES,
], (o, now) => {
  const [names, images] = containerCells(path(o.spec, 'template', 'spec'));
  return [o.metadata.name ?? '', `${int(path(o.status, 'readyReplicas'))}/${int(path(o.spec, 'replicas'), 1)}`, age(o, now), names, images];
});

export const daemonsets = printer([
  NAME,
  col('Desired', 'integer', DOC.dsDesired),
  col('Current', 'integer', DOC.dsCurrent),
  col('Ready', 'integer', DOC.dsReady),
  col('Up-to-date', 'integer', DOC.dsUpdated),
  col('Available', 'integer', DOC.dsAvailable),
  col('Node Selector', 'string', DOC.nodeSelector),
  AGE, CONTAINERS, IMAGES,
  col('Selector', 'string', DOC.dsSelector, 1),
], (o, now) => {
  const status = rec(o.status);
  const podSpec = path(o.spec, 'template', 'spec');
  const [names, images] = containerCells(podSpec);
  return [
    o.metadata.name ?? '', int(status.desiredNumberScheduled), int(status.currentNumberScheduled), int(status.numberReady),
    int(status.updatedNumberScheduled), int(status.numberAvailable), formatLabels(strMap(path(podSpec, 'nodeSelector'))), age(o, now),
    names, images, formatLabelSelector(path(o.spec, 'selector')),
  ];
});

function jobCondition(status: Obj, type: string): boolean {
  // hasJobCondition: the first condition of the type decides.
  const c = list(status.conditions).find((x) => str(path(x, 'type')) === type);
  return c !== undefined && str(path(c, 'status')) === 'True';
}

export const jobs = printer([
  NAME,
  col('Status', 'string', 'Status of the job.'),
  col('Completions', 'string', DOC.jobSucceeded),
  col('Duration', 'string', 'Time required to complete the job.'),
  AGE, CONTAINERS, IMAGES,
  col('Selector', 'string', DOC.jobSelector, 1),
], (o, now) => {
  const spec = rec(o.spec);
  const status = rec(o.status);
  const succeeded = int(status.succeeded);
  let completions: string;
  if (typeof spec.completions === 'number') completions = `${succeeded}/${int(spec.completions)}`;
  else if (int(spec.parallelism) > 1) completions = `${succeeded}/1 of ${int(spec.parallelism)}`;
  else completions = `${succeeded}/1`;
  const start = parseTime(status.startTime);
  const end = parseTime(status.completionTime);
  const duration = start === undefined ? '' : humanDuration((end ?? now) - start);
  const state = jobCondition(status, 'Complete') ? 'Complete'
    : jobCondition(status, 'Failed') ? 'Failed'
      : o.metadata.deletionTimestamp ? 'Terminating'
        : jobCondition(status, 'Suspended') ? 'Suspended'
          : jobCondition(status, 'FailureTarget') ? 'FailureTarget'
            : 'Running';
  const [names, images] = containerCells(path(spec, 'template', 'spec'));
  return [o.metadata.name ?? '', state, completions, duration, age(o, now), names, images, formatLabelSelector(spec.selector)];
});

export const cronjobs = printer([
  NAME,
  col('Schedule', 'string', DOC.cjSchedule),
  col('Timezone', 'string', DOC.cjTimeZone),
  col('Suspend', 'boolean', DOC.cjSuspend),
  col('Active', 'integer', DOC.cjActive),
  col('Last Schedule', 'string', DOC.cjLast),
  AGE, CONTAINERS, IMAGES,
  col('Selector', 'string', DOC.jobSelector, 1),
], (o, now) => {
  const spec = rec(o.spec);
  const status = rec(o.status);
  const jobSpec = path(spec, 'jobTemplate', 'spec');
  const [names, images] = containerCells(path(jobSpec, 'template', 'spec'));
  // suspend defaults to false, so `<unset>` (printBoolPtr of nil) never shows for a stored object.
  const suspend = spec.suspend === true ? 'True' : 'False';
  const last = status.lastScheduleTime === undefined || status.lastScheduleTime === null ? '<none>' : translateTimestampSince(status.lastScheduleTime, now);
  return [
    o.metadata.name ?? '', str(spec.schedule), typeof spec.timeZone === 'string' ? spec.timeZone : '<none>', suspend,
    list(status.active).length, last, age(o, now), names, images, formatLabelSelector(path(jobSpec, 'selector')),
  ];
});

