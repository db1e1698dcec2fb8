export { ProfileService, type ProfileLookup, type ProfileNotFound } from './profile-service.js';
export { PiiKeys, applyTraits, mergeTraits, emptyTraits, type TraitMergeRule } from './traits.js';
export * from './views.js';
