export { buildServer, type ServerDeps } from './server.js';
export { ServerMetrics } from './metrics.js';
