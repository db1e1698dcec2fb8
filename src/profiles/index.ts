export { ProfileService, TOP_EVENTS_DAYS, type AudienceSummary, type ProfileLookup, type ProfileNotFound, type RecentEvents } from './profile-service.js';
export { PiiKeys, applyTraits, mergeTraits, emptyTraits, type TraitMergeRule } from './traits.js';
export * from './views.js';
