// Node and pod lifecycle as data: kwok's Stage resources (kwok.x-k8s.io/v1alpha1, v0.8.0) loaded,
// matched and applied by a pure engine: no HTTP, no registry, time and randomness injected.
//
//   const stages = bundledStages('fast');                 // or loadStages(yamlText)
//   const stage = matchStage(stages, pod, rng);           // which stage, if any
//   const wait = delayOf(stage, pod, clock.now(), rng);   // when
//   const out = applyStage(stage, pod, { now, addresses }); // what: actions + resulting object
export { sequentialAddresses, type AddressSource, type PodAddressKey, type SequentialAddressOptions } from './addresses.js';
export {
  JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, applyStage, finalizerOps, planStage,
  type JsonPatchOp, type PatchMediaType, type StageAction, type StageOutcome,
} from './apply.js';
export { bundledStageDir, bundledStages, loadStageFiles, readStageSources } from './files.js';
export { DEFAULT_NODE_PORT, KWOK_VERSION, type StageContext } from './funcs.js';
export { loadStages, parseStage } from './load.js';
export { delayOf, delayRange, matchStage, matchingStages, possibleStages, requirementMatches, stageMatches, weightOf } from './match.js';
export * from './types.js';
