export { buildServer, type ServerDeps } from './server.js';
export { ServerMetrics } from './metrics.js';
export { QuarantineItem, ReplayResult, quarantineView } from './admin-routes.js';
export { ErrorBody } from '../ingest/index.js';
export { SegmentView, ChangeView, ChangesPage, changeView, segmentFailure } from './segment-routes.js';
