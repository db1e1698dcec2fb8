export { buildServer, type ServerDeps } from './server.js';
export { ServerMetrics } from './metrics.js';
export { quarantineView } from './admin-routes.js';
export { keyView } from './key-routes.js';
export { changeView, memberView, membersCsv, MEMBERS_CSV_HEADER, segmentFailure } from './segment-routes.js';
export * from './schemas.js';
export { auditView, identityResult, identityView, keyActor, mergeEdgeView, reviewPairView } from './identity-routes.js';
export { ClusterSummaryView, ClvRunView, ExplanationView, ModelSummaryView, ScoringRunView, SegmentMadeView } from './analytics-routes.js';
