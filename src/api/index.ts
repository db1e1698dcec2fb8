export { buildServer, type ServerDeps } from './server.js';
export { ServerMetrics } from './metrics.js';
export { quarantineView } from './admin-routes.js';
export { changeView, segmentFailure } from './segment-routes.js';
export * from './schemas.js';
