import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard: the static build of web/ (dist/web) served at `/` by the same process as the API, so production
 * has one server. Its pages hold no data: everything they show comes from /api with the admin key.
 */

/** dist/web of the package this module belongs to, found from the module's own location (source or built). */
export function defaultWebRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'web');
    dir = dirname(dir);
  }
  return join(process.cwd(), 'dist', 'web');
}

/** Paths that belong to the API and operations: never answered with the dashboard's page. */
const API_PREFIXES = ['/api/', '/v1/', '/docs', '/openapi.json', '/metrics', '/healthz', '/readyz'];

// Plot draws with inline style attributes, hence 'unsafe-inline' for styles only; scripts come from this origin only.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export interface WebRoutes {
  /** Answers a GET that matched no route with the dashboard's page when a browser navigates to one of its URLs. */
  fallback: (req: FastifyRequest, reply: FastifyReply) => boolean;
}

export async function webRoutes(app: FastifyInstance, root: string): Promise<WebRoutes> {
  const built = existsSync(join(root, 'index.html'));
  const wantsPage = (req: FastifyRequest): boolean =>
    (req.method === 'GET' || req.method === 'HEAD') &&
    !API_PREFIXES.some((p) => req.url.startsWith(p)) &&
    (req.headers.accept ?? '').includes('text/html');

  if (!built) {
    const page =
      '<!doctype html><meta charset="utf-8"><title>Segmentum</title><p>The dashboard is not built. Run <code>npm run build</code> ' +
      '(or <code>npm start</code>, which builds it), then reload. The API works without it: see <a href="/docs">/docs</a>.</p>';
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.status(503).type('text/html; charset=utf-8').send(page));
    return { fallback: () => false };
  }

  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: true,
    index: ['index.html'],
    // Asset names carry a content hash: cached for good. The page itself is always revalidated.
    setHeaders: (res, path) => {
      const immutable = path.startsWith(join(root, 'assets'));
      void res.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      if (path.endsWith('.html')) void res.header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').header('referrer-policy', 'same-origin');
    },
  });

  return {
    fallback: (req, reply) => {
      if (!wantsPage(req)) return false;
      void reply
        .header('cache-control', 'no-cache')
        .header('content-security-policy', CSP)
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'same-origin')
        .sendFile('index.html', root);
      return true;
    },
  };
}
