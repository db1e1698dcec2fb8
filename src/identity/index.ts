export { IdentityGraph, type Resolution, type ResolveContext } from './graph.js';
export { BlockList, emailIdentityValue, keyOf, looksLikeEmail, KIND_PRIORITY, type Identifier } from './identifiers.js';
export {
  IdentityService,
  type GraphTask,
  type GraphWriter,
  type IdentityError,
  type MatchRunSummary,
  type MergeOutcome,
  type ReviewDetail,
  type UnmergeOutcome,
} from './identity-service.js';
export { matchFieldsOf, recordsOfProfiles, roleOfTrait, type MatchedPair } from './profile-matching.js';
