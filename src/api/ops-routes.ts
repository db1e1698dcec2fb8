import type { FastifyInstance } from 'fastify';
import { errorPayload } from './error-handler.js';
import type { ServerMetrics } from './metrics.js';

export interface OpsDeps {
  metrics: ServerMetrics;
  checkWritable: () => Promise<void>;
  freeDiskBytes: () => number;
  minFreeDiskBytes: number;
  isShuttingDown: () => boolean;
  pendingEvents: () => number;
}

/** Liveness, readiness and Prometheus metrics: unauthenticated, as orchestrators and scrapers expect. */
export async function opsRoutes(app: FastifyInstance, deps: OpsDeps): Promise<void> {
  app.get('/healthz', { schema: { tags: ['operations'], summary: 'The process is up' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { tags: ['operations'], summary: 'The store accepts writes and the disk is not full' } }, async (_req, reply) => {
    if (deps.isShuttingDown()) return reply.status(503).send(errorPayload('server.shutting_down', 'Shutting down.'));
    const free = deps.freeDiskBytes();
    if (free < deps.minFreeDiskBytes) {
      return reply.status(503).send(errorPayload('server.store_unavailable', `Only ${free} bytes are free on the database disk.`));
    }
    try {
      await deps.checkWritable();
    } catch {
      return reply.status(503).send(errorPayload('server.store_unavailable', 'The database does not accept writes.'));
    }
    return { status: 'ready', freeDiskBytes: Number.isFinite(free) ? free : null, pendingEvents: deps.pendingEvents() };
  });

  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (_req, reply) => {
    void reply.type(deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });
}
