export { EngagementModel, tierOf, nextMidnightUtc, type EngagementConfig, type EngagementRule, type EngagementState } from './engagement.js';
export { scoreRfm, rfmSegment, RFM_SEGMENTS, type RfmInput, type RfmScore, type RfmSegment } from './rfm.js';
export { EngagementScorer } from './live-scorer.js';
export { RfmService, type RfmConfig, type RfmRun } from './rfm-service.js';
export { ClvService, ClvFitSpec, type ClvRunSummary } from './clv-service.js';
export { ClusterService, ClusterSpec, ModelName, type ClusterSpecInput, type ClusterSummary } from './cluster-service.js';
export { ModelService, ModelSpec, DEFAULT_MODEL_FEATURES, type ModelSpecInput, type ModelSummary, type ScoringRun, type Explanation } from './model-service.js';
export { trainModel, classifierFromJSON, TrainOptions, Algo, ModelParams, ThresholdGoal, type ModelReport, type Trained, type TrainOptionsInput } from './train.js';
export { buildProfileTable, EVENT_FEATURES, FeatureName, Target, DEFAULT_CLUSTER_FEATURES, type ProfileTable, type ProfileTableSpec } from './profile-table.js';
