// Decides, per request, whether a fault rule fires and what it does. Rules are tried in the
// order given and the first one that matches wins, including its probability draw: a rule
// whose draw fails lets the next rule try. So put specific rules before general ones. The
// injector only decides; the server applies the decision (waits on its Clock, answers the
// Status, ends the watch).

import type { Rng } from '../rng.js';
import { internalError, type Status } from '../status.js';
import { ACTION_VERBS, type FaultActionType, type FaultRule } from './rules.js';
import {
  databaseSpaceExceeded, gatewayTimeout, optimisticLockConflict, SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS,
  serviceUnavailable, tooManyRequests, watchExpired,
} from './statuses.js';

/** A resource request as RequestInfo parsed it. */
export interface FaultRequest {
  readonly cluster: string;
  readonly verb: string;
  /** "" for the core group. */
  readonly group: string;
  readonly resource: string;
  /** "" for cluster-scoped requests. */
  readonly namespace: string;
  /** The object's name, when the request names one (needed for a conflict's message). */
  readonly name?: string;
  readonly userAgent: string;
}

export interface WatchFault {
  /** Serve this many events, then end the watch. */
  readonly afterEvents: number;
  /** Send this as an ERROR event before ending; without it the stream is just cut. */
  readonly error?: Status;
}

export interface FaultDecision {
  readonly rule: string;
  readonly action: FaultActionType;
  /** Wait this long (on the Clock) before going on. */
  readonly delayMs: number;
  /** Answer this instead of serving the request. */
  readonly status?: Status;
  /** The Retry-After header to send with `status`. */
  readonly retryAfterSeconds?: number;
  /** Serve the watch, but end it as described. */
  readonly watch?: WatchFault;
}

/** Counts injected faults; see metrics.ts for the Prometheus one. */
export interface FaultCounter {
  inc(rule: string, action: FaultActionType): void;
}

type Decide = (req: FaultRequest, rng: Rng) => FaultDecision;

interface CompiledRule {
  readonly name: string;
  readonly probability: number;
  /** The rule's verbs that its action can happen to. */
  readonly verbs: ReadonlySet<string>;
  readonly clusters?: ReadonlySet<string>;
  /** resource -> groups. */
  readonly resources?: ReadonlyMap<string, ReadonlySet<string>>;
  readonly namespaces?: ReadonlySet<string>;
  readonly substring?: string;
  readonly regex?: RegExp;
  readonly decide: Decide;
}

function decider(rule: FaultRule): Decide {
  const a = rule.action;
  const fixed = (d: Omit<FaultDecision, 'rule' | 'action'>): Decide => {
    const decision: FaultDecision = { rule: rule.name, action: a.type, ...d };
    return () => decision;
  };
  switch (a.type) {
    case 'latency':
      if ('ms' in a) return fixed({ delayMs: a.ms });
      return (_req, rng) => ({ rule: rule.name, action: a.type, delayMs: a.minMs + (a.maxMs - a.minMs) * rng.next() });
    case 'tooManyRequests':
      return fixed({ delayMs: a.afterMs ?? 0, status: tooManyRequests(a.retryAfterSeconds), retryAfterSeconds: a.retryAfterSeconds });
    case 'internalError':
      return fixed({ delayMs: a.afterMs ?? 0, status: internalError(a.cause ?? `injected by kemu fault rule "${rule.name}"`) });
    case 'serviceUnavailable':
      return fixed({ delayMs: a.afterMs ?? 0, status: serviceUnavailable(), retryAfterSeconds: SERVICE_UNAVAILABLE_RETRY_AFTER_SECONDS });
    case 'timeout':
      return fixed({ delayMs: a.afterMs ?? 0, status: gatewayTimeout() });
    case 'databaseSpaceExceeded':
      return fixed({ delayMs: a.afterMs ?? 0, status: databaseSpaceExceeded() });
    case 'conflict': {
      const delayMs = a.afterMs ?? 0;
      return (req) => ({
        rule: rule.name, action: a.type, delayMs,
        status: optimisticLockConflict({ group: req.group, resource: req.resource }, req.name ?? ''),
      });
    }
    case 'cutWatch':
      return fixed({ delayMs: 0, watch: { afterEvents: a.afterEvents } });
    case 'expireWatch':
      return fixed({ delayMs: 0, watch: { afterEvents: a.afterEvents, error: watchExpired(a.reason) } });
  }
}

function compile(rule: FaultRule): CompiledRule {
  const m = rule.match;
  const applicable = ACTION_VERBS[rule.action.type];
  let resources: Map<string, Set<string>> | undefined;
  if (m.resources) {
    resources = new Map();
    for (const qualified of m.resources) {
      const dot = qualified.indexOf('.');
      const [resource, group] = dot < 0 ? [qualified, ''] : [qualified.slice(0, dot), qualified.slice(dot + 1)];
      resources.set(resource, (resources.get(resource) ?? new Set()).add(group));
    }
  }
  const ua = m.userAgent;
  return {
    name: rule.name,
    probability: rule.probability,
    verbs: new Set(m.verbs ? m.verbs.filter((v) => applicable.includes(v)) : applicable),
    ...(m.clusters ? { clusters: new Set(m.clusters) } : {}),
    ...(resources ? { resources } : {}),
    ...(m.namespaces ? { namespaces: new Set(m.namespaces) } : {}),
    ...(ua && 'substring' in ua ? { substring: ua.substring } : {}),
    ...(ua && 'regex' in ua ? { regex: new RegExp(ua.regex) } : {}),
    decide: decider(rule),
  };
}

function selects(c: CompiledRule, req: FaultRequest): boolean {
  return c.verbs.has(req.verb)
    && (!c.clusters || c.clusters.has(req.cluster))
    && (!c.resources || c.resources.get(req.resource)?.has(req.group) === true)
    && (!c.namespaces || c.namespaces.has(req.namespace))
    && (c.substring === undefined || req.userAgent.includes(c.substring))
    && (!c.regex || c.regex.test(req.userAgent));
}

export class FaultInjector {
  private rules: readonly FaultRule[] = [];
  private compiled: readonly CompiledRule[] = [];

  constructor(private readonly rng: Rng, private readonly counter?: FaultCounter) {}

  /** Replaces all rules at once. Takes rules from parseFaultRules or loadFaultRulesFile. */
  setRules(rules: readonly FaultRule[]): void {
    this.rules = rules;
    this.compiled = rules.map(compile);
  }

  getRules(): readonly FaultRule[] {
    return this.rules;
  }

  /** The first rule that fires for this request, counted as injected; undefined if none does. */
  match(req: FaultRequest): FaultDecision | undefined {
    for (const c of this.compiled) {
      if (!selects(c, req)) continue;
      if (c.probability < 1 && this.rng.next() >= c.probability) continue;
      const decision = c.decide(req, this.rng);
      this.counter?.inc(c.name, decision.action);
      return decision;
    }
    return undefined;
  }
}
