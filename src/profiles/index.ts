export { ProfileService, TOP_EVENTS_DAYS, type AudienceSummary, type ProfileLookup, type ProfileNotFound, type RecentEvents } from './profile-service.js';
export { PiiKeys, applyTraits, mergeTraits, emptyTraits, isEmptyValue, type TraitMergeRule, type TraitStrategy } from './traits.js';
export * from './views.js';
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
