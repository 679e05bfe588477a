// Digesting the stored FlowSchema and PriorityLevelConfiguration objects into what the
// controller classifies and queues with, with apf_controller.go's semantics (cfgMeal):
// broken levels are ignored; schemas naming a missing level are dangling and ignored; levels
// that disappear keep serving their queued requests until idle (quiescing); missing mandatory
// objects are supplied from the bootstrap configuration.
import { rfc3339 } from '../clock.js';
import { MANDATORY_FLOW_SCHEMAS, MANDATORY_PRIORITY_LEVELS } from './bootstrap.js';
import { PriorityLevel, priorityLevelProblem, queuingConfig, specCommons } from './level.js';
import { compareFlowSchemas, compileRules, type CompiledRules } from './match.js';
import type { FlowStats } from './request.js';
import { HandCache } from './shuffle-shard.js';
import {
  FLOW_SCHEMA_CATCH_ALL, FLOW_SCHEMA_EXEMPT, PRIORITY_LEVEL_CATCH_ALL, PRIORITY_LEVEL_EXEMPT,
  type FlowSchema, type FlowSchemaCondition, type ObjectRef, type PriorityLevelConfiguration,
} from './types.js';

/** A FlowSchema ready for matching, bound to its level. */
export interface CompiledFlowSchema {
  readonly fs: FlowSchema;
  readonly ref: ObjectRef;
  readonly rules: CompiledRules;
  readonly level: PriorityLevel;
  readonly flow: FlowStats;
  /** Set when the level has more than one queue: flows are then hashed onto hands. */
  readonly hands: HandCache | undefined;
}

/** The Dangling condition a FlowSchema's status should carry, when it differs from the stored one. */
export interface FlowSchemaStatusUpdate {
  readonly name: string;
  readonly condition: FlowSchemaCondition;
}

export interface DigestInput {
  readonly flowSchemas: readonly FlowSchema[];
  readonly priorityLevels: readonly PriorityLevelConfiguration[];
  readonly previous: ReadonlyMap<string, PriorityLevel>;
  readonly newLevel: (pl: PriorityLevelConfiguration) => PriorityLevel;
  readonly flowStats: (priorityLevel: string, flowSchema: string) => FlowStats;
  readonly serverConcurrencyLimit: number;
  readonly now: number;
}

export interface Digested {
  readonly levels: Map<string, PriorityLevel>;
  readonly flowSchemas: readonly CompiledFlowSchema[];
  readonly statusUpdates: readonly FlowSchemaStatusUpdate[];
  /** Sum of the nominal limits: what borrowing re-splits. */
  readonly nominalSum: number;
  /** Objects ignored because their spec is unusable, with the reason. */
  readonly problems: readonly string[];
}

export function digestConfiguration(input: DigestInput): Digested {
  const levels = new Map<string, PriorityLevel>();
  const problems: string[] = [];
  let shareSum = 0;
  for (const pl of input.priorityLevels) {
    const problem = priorityLevelProblem(pl);
    if (problem !== undefined) {
      problems.push(`PriorityLevelConfiguration ${pl.metadata.name}: ${problem}`);
      continue;
    }
    const level = input.previous.get(pl.metadata.name) ?? input.newLevel(pl);
    level.setObject(pl);
    level.quiescing = false;
    levels.set(level.name, level);
    shareSum += specCommons(pl).shares;
  }

  // Schemas are checked against the configured levels only, before quiescing or supplied ones join.
  const statusUpdates: FlowSchemaStatusUpdate[] = [];
  const usable: FlowSchema[] = [];
  for (const fs of input.flowSchemas) {
    const found = levels.has(fs.spec.priorityLevelConfiguration.name);
    const update = danglingUpdate(fs, found, input.now);
    if (update) statusUpdates.push(update);
    if (found) usable.push(fs);
  }
  usable.sort(compareFlowSchemas);
  if (!usable.some((fs) => fs.metadata.name === FLOW_SCHEMA_EXEMPT)) usable.unshift(mandatoryFlowSchema(FLOW_SCHEMA_EXEMPT));
  if (!usable.some((fs) => fs.metadata.name === FLOW_SCHEMA_CATCH_ALL)) usable.push(mandatoryFlowSchema(FLOW_SCHEMA_CATCH_ALL));

  for (const [name, level] of input.previous) {
    if (levels.has(name)) continue;
    const mandatory = name === PRIORITY_LEVEL_EXEMPT || name === PRIORITY_LEVEL_CATCH_ALL;
    if (!mandatory) {
      if (level.queues.idle) continue;
      level.quiescing = true;
    }
    levels.set(name, level);
    shareSum += specCommons(level.pl).shares;
  }
  for (const pl of MANDATORY_PRIORITY_LEVELS) {
    if (levels.has(pl.metadata.name)) continue;
    levels.set(pl.metadata.name, input.newLevel(pl));
    shareSum += specCommons(pl).shares;
  }

  let nominalSum = 0;
  for (const level of levels.values()) {
    level.setLimits(input.serverConcurrencyLimit, shareSum);
    nominalSum += level.nominalCL;
  }
  const flowSchemas = usable.map((fs) => {
    const level = levels.get(fs.spec.priorityLevelConfiguration.name) as PriorityLevel;
    return compile(fs, level, input.flowStats(level.name, fs.metadata.name));
  });
  return { levels, flowSchemas, statusUpdates, nominalSum, problems };
}

function mandatoryFlowSchema(name: string): FlowSchema {
  return MANDATORY_FLOW_SCHEMAS.find((fs) => fs.metadata.name === name) as FlowSchema;
}

function compile(fs: FlowSchema, level: PriorityLevel, flow: FlowStats): CompiledFlowSchema {
  const q = queuingConfig(level.pl);
  return {
    fs,
    ref: { name: fs.metadata.name, uid: fs.metadata.uid ?? '' },
    rules: compileRules(fs),
    level,
    flow,
    hands: q.desiredNumQueues > 1 ? new HandCache(fs.metadata.name, q.desiredNumQueues, q.handSize) : undefined,
  };
}

/** presyncFlowSchemaStatus: the Dangling condition, unless the stored one already says so. */
function danglingUpdate(fs: FlowSchema, found: boolean, now: number): FlowSchemaStatusUpdate | undefined {
  const plName = fs.spec.priorityLevelConfiguration.name;
  const status = found ? 'False' : 'True';
  const reason = found ? 'Found' : 'NotFound';
  const message = found
    ? `This FlowSchema references the PriorityLevelConfiguration object named "${plName}" and it exists`
    : `This FlowSchema references the PriorityLevelConfiguration object named "${plName}" but there is no such object`;
  const current = fs.status?.conditions?.find((c) => c.type === 'Dangling');
  if (current && current.status === status && current.reason === reason && current.message === message) return undefined;
  return { name: fs.metadata.name, condition: { type: 'Dangling', status, lastTransitionTime: rfc3339(now), reason, message } };
}
