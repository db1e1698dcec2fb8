export { ProfileService, TOP_EVENTS_DAYS, type AudienceSummary, type ProfileLookup, type ProfileNotFound, type RecentEvents } from './profile-service.js';
export { PiiKeys, applyTraits, mergeTraits, emptyTraits, isEmptyValue, type TraitMergeRule, type TraitStrategy } from './traits.js';
export * from './views.js';
