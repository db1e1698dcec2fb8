export { EngagementModel, tierOf, nextMidnightUtc, type EngagementConfig, type EngagementRule, type EngagementState } from './engagement.js';
export { scoreRfm, rfmSegment, RFM_SEGMENTS, type RfmInput, type RfmScore, type RfmSegment } from './rfm.js';
export { EngagementScorer } from './live-scorer.js';
export { RfmService, type RfmConfig, type RfmRun } from './rfm-service.js';
