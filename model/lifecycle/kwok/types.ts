// A kwok Stage (kwok.x-k8s.io/v1alpha1, kubernetes-sigs/kwok v0.8.0) after loading: the same
// fields as the CRD, with every jq expression and template compiled, and the deprecated
// `spec.next` form turned into the `steps` form kwok runs internally.
import type { Template } from './gotpl/template.js';
import type { JqQuery } from './jq.js';

export const STAGE_API_VERSION = 'kwok.x-k8s.io/v1alpha1';
export const STAGE_KIND = 'Stage';

export interface StageResourceRef {
  /** The referent's apiVersion, despite the name: `v1` for Pods and Nodes (the CRD's default). */
  readonly apiGroup: string;
  readonly kind: string;
}

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface StageRequirement {
  /** A jq expression over the object, e.g. `.status.phase`. */
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
  readonly query: JqQuery;
}

export interface StageSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchAnnotations?: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly StageRequirement[];
}

/** An ExpressionFrom: `expressionFrom` (deprecated) or `jq.expression`. */
export interface ValueFrom {
  readonly expression: string;
  readonly query: JqQuery;
}

export interface StageDelay {
  readonly durationMilliseconds?: number;
  readonly durationFrom?: ValueFrom;
  readonly jitterDurationMilliseconds?: number;
  readonly jitterDurationFrom?: ValueFrom;
}

export interface StageEvent {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

export interface StageFinalizers {
  readonly add: readonly string[];
  readonly remove: readonly string[];
  readonly empty: boolean;
}

export type StagePatchType = 'json' | 'merge' | 'strategic';

export interface StagePatch {
  /** `status` for the status subresource, '' for the object itself. */
  readonly subresource: string;
  /** The field the rendered template is placed under (`status`), '' for the whole object. */
  readonly root: string;
  /** Unset means strategic for Pods and Nodes and merge otherwise (lifecycle/next.go). */
  readonly type?: StagePatchType;
  readonly template: Template;
  readonly impersonation?: string;
}

/** One StageStep; within a step kwok sends the event, then changes finalizers, deletes or patches. */
export interface StageStep {
  readonly event?: StageEvent;
  readonly finalizers?: StageFinalizers;
  readonly delete: boolean;
  readonly patch?: StagePatch;
}

export interface Stage {
  readonly name: string;
  readonly resourceRef: StageResourceRef;
  /** Absent: the stage never matches (kwok's NewStage drops a Stage without a selector). */
  readonly selector?: StageSelector;
  readonly weight: number;
  readonly weightFrom?: ValueFrom;
  readonly delay?: StageDelay;
  readonly steps: readonly StageStep[];
  readonly immediateNextStage: boolean;
}

/** A Stage file to load: its name (for error messages) and its YAML or JSON text. */
export interface StageSource {
  readonly name: string;
  readonly text: string;
}
