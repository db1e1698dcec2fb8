import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { adminRoutes, type AdminDeps } from './admin-routes.js';
import { installErrorHandler, type NotFoundFallback } from './error-handler.js';
import { eventRoutes } from './event-routes.js';
import { identityRoutes, type IdentityDeps } from './identity-routes.js';
import { importRoutes, type ImportDeps } from './import-routes.js';
import { qualityRoutes, type QualityDeps } from './quality-routes.js';
import { analyticsRoutes, type AnalyticsDeps } from './analytics-routes.js';
import { keyRoutes } from './key-routes.js';
import type { ServerMetrics } from './metrics.js';
import { opsRoutes, type OpsDeps } from './ops-routes.js';
import { overviewRoutes } from './overview-routes.js';
import { scoreRoutes, segmentRoutes, type ScoreDeps, type SegmentDeps } from './segment-routes.js';
import { trackingRoutes, type TrackingDeps } from './tracking-routes.js';
import { defaultWebRoot, webRoutes } from './web-routes.js';

export interface ServerDeps extends TrackingDeps, AdminDeps, OpsDeps, SegmentDeps, ScoreDeps, ImportDeps, IdentityDeps, QualityDeps, AnalyticsDeps {
  logger: FastifyBaseLogger | false;
  metrics: ServerMetrics;
  version: string;
  trustProxy: boolean;
  /** The dashboard's built files (default: dist/web of this package). */
  webRoot?: string | undefined;
}

/** Builds the HTTP server: tracking API, management API, operations endpoints, OpenAPI and its browsable docs. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    trustProxy: deps.trustProxy,
    bodyLimit: Math.max(deps.limits.maxBatchBytes, deps.limits.maxKeptBodyBytes),
    // Per-request log lines would cost more than the ingest itself; latency goes to /metrics instead.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const notFound: NotFoundFallback = {};
  installErrorHandler(app, notFound);

  // Closing waits for every open connection, and only those idle at that moment are reaped: a response sent while
  // stopping must close its keep-alive connection, or the client's pool holds the process for keepAliveTimeout (72 s).
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (deps.isShuttingDown()) void reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onResponse', async (req, reply) => {
    deps.metrics.requestSeconds.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Segmentum API',
        version: deps.version,
        description:
          'Segment-compatible tracking API (write key) and management API (admin key). Errors carry a stable `code`, see docs/errors.md.',
      },
      components: {
        securitySchemes: {
          writeKey: { type: 'http', scheme: 'basic', description: 'Write key as the Basic auth username' },
          adminKey: { type: 'http', scheme: 'bearer', description: 'A key with the read scope (GET) or the manage scope (every method); see docs/keys.md' },
        },
      },
      tags: [
        { name: 'tracking', description: 'Segment-compatible event collection' },
        { name: 'profiles', description: 'Unified profiles' },
        { name: 'quarantine', description: 'Rejected events kept for replay' },
        { name: 'segments', description: 'Segments, their members, explanations and the change feed' },
        { name: 'keys', description: 'API keys and their scopes' },
        { name: 'imports', description: 'File imports: customers, events, orders' },
        { name: 'quality', description: 'The data-quality report, its trend and its rules' },
        { name: 'analytics', description: 'Clustering and personas, propensity models and their scores, customer lifetime value' },
        { name: 'identity', description: 'The identity graph: identifiers, merges with their evidence, unmerge, the review queue' },
        { name: 'operations', description: 'Health, readiness, metrics, stats' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(async (scope) => trackingRoutes(scope, deps));
  await app.register(async (scope) => {
    await adminRoutes(scope, deps);
    await segmentRoutes(scope, deps);
    await scoreRoutes(scope, deps);
    await overviewRoutes(scope, deps);
    await eventRoutes(scope, deps);
    await keyRoutes(scope, deps);
    await importRoutes(scope, deps);
    await identityRoutes(scope, deps);
    await qualityRoutes(scope, deps);
    await analyticsRoutes(scope, deps);
  });
  await app.register(async (scope) => opsRoutes(scope, deps));
  notFound.handle = (await webRoutes(app, deps.webRoot ?? defaultWebRoot())).fallback;
  return app;
}
