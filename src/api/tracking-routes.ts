import { createGunzip } from 'node:zlib';
import cors from '@fastify/cors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { sourceIdOf, type KeyRing } from '../access/index.js';
import type { Limits } from '../config/index.js';
import { AppError, assertNever, statusOf, type Clock, type SourceId } from '../kernel/index.js';
import {
  BatchBody,
  ErrorBody,
  IngestResponse,
  MESSAGE_SCHEMAS,
  type Envelope,
  type IngestService,
  type MessageType,
  type RequestMeta,
} from '../ingest/index.js';
import { errorPayload } from './error-handler.js';

export interface TrackingDeps {
  ingest: IngestService;
  keys: KeyRing;
  limits: Limits;
  clock: Clock;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const SHORT: Record<string, MessageType> = { i: 'identify', t: 'track', p: 'page', s: 'screen', g: 'group', a: 'alias' };

/** A transparent 1x1 GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** How the OpenAPI document names the write key (it may also come as X-Write-Key, ?writeKey= or in the body). */
const writeKeySecurity = [{ writeKey: [] }];

/** Documentation-only schemas: the handlers validate each event themselves so one bad event never fails a batch. */
const docsOnly = () => (data: unknown) => ({ value: data });

/**
 * The Segment-compatible tracking API: the paths and behaviours the Segment and RudderStack SDKs and analytics.js
 * use, so they work unmodified when pointed at Segmentum.
 */
export async function trackingRoutes(app: FastifyInstance, deps: TrackingDeps): Promise<void> {
  await app.register(cors, {
    origin: true,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Content-Type', 'Content-Encoding', 'Authorization', 'X-Write-Key'],
    maxAge: 86400,
  });

  // Bodies arrive as text whatever the Content-Type (analytics.js sends JSON as text/plain), gzip or not.
  app.removeAllContentTypeParsers();
  const readLimit = Math.max(deps.limits.maxBatchBytes, deps.limits.maxKeptBodyBytes);
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: readLimit }, (_req, body, done) => done(null, body));
  app.addHook('preParsing', async (request, _reply, payload) => {
    // Content codings are case-insensitive, and x-gzip is gzip (RFC 9110, 8.4.1).
    const enc = request.headers['content-encoding']?.trim().toLowerCase();
    if (enc === undefined || enc === 'identity') return payload;
    if (enc !== 'gzip' && enc !== 'x-gzip') throw new AppError('request.bad_encoding', `Unsupported Content-Encoding ${enc}.`);
    const gunzip = createGunzip();
    let encoded = 0;
    payload.on('data', (c: Buffer) => {
      encoded += c.length;
      // Fastify compares this, not the decompressed size, with Content-Length.
      Reflect.set(gunzip, 'receivedEncodedLength', encoded);
    });
    payload.on('error', (e) => gunzip.destroy(e));
    gunzip.on('error', (e: Error & { code?: string }) => {
      if (!e.code) e.code = 'ERR_SEGMENTUM_ENCODING';
    });
    return payload.pipe(gunzip);
  });

  const z200 = { 200: IngestResponse, 400: ErrorBody, 401: ErrorBody, 413: ErrorBody, 503: ErrorBody };
  const r = app.withTypeProvider<ZodTypeProvider>();

  for (const path of ['/v1/batch', '/v1/b', '/b']) {
    r.post(path, {
      schema: {
        tags: ['tracking'],
        security: writeKeySecurity,
        summary: 'Send a batch of events (Segment batch format)',
        description: 'Answers 200 once valid events are durable; per-event rejections are listed and kept in quarantine.',
        body: BatchBody,
        response: z200,
      },
      validatorCompiler: docsOnly,
      handler: async (req, reply) => {
        await handle(deps, req, reply, 'batch');
      },
    });
  }
  for (const type of Object.keys(MESSAGE_SCHEMAS) as MessageType[]) {
    const short = Object.keys(SHORT).find((k) => SHORT[k] === type) as string;
    for (const path of [`/v1/${type}`, `/v1/${short}`]) {
      r.post(path, {
        schema: {
          tags: ['tracking'],
          security: writeKeySecurity,
          summary: `Send one ${type} event`,
          body: MESSAGE_SCHEMAS[type],
          response: z200,
          hide: path.length <= 4 + 1 + 1,
        },
        validatorCompiler: docsOnly,
        handler: async (req, reply) => {
          await handle(deps, req, reply, type);
        },
      });
    }
  }

  r.get('/v1/projects/:writeKey/settings', {
    schema: {
      tags: ['tracking'],
      summary: 'Settings that analytics.js loads at start (the write key is in the path)',
      params: z.object({ writeKey: z.string() }),
    },
    handler: async (req, reply) => {
      writeSourceOf(deps.keys, req.params.writeKey);
      const apiHost = `${req.host}/v1`;
      void reply.header('Cache-Control', 'public, max-age=300');
      return {
        integrations: {
          'Segment.io': { apiKey: req.params.writeKey, apiHost, protocol: req.protocol, unbundledIntegrations: [], addBundledMetadata: true },
        },
        plan: { track: { __default: { enabled: true, integrations: {} } }, identify: { __default: { enabled: true } }, group: { __default: { enabled: true } } },
        edgeFunction: {},
        analyticsNextEnabled: true,
        middlewareSettings: {},
        enabledMiddleware: {},
        metrics: { sampleRate: 0 },
        legacyVideoPluginsEnabled: false,
        remotePlugins: [],
      };
    },
  });

  for (const type of ['track', 'page'] as const) {
    r.get(`/v1/pixel/${type}`, {
      schema: {
        tags: ['tracking'],
        security: writeKeySecurity,
        summary: `1x1 GIF that records a ${type} event (for emails and pages without JavaScript)`,
        querystring: z.object({
          data: z.string().describe('base64 (or base64url) of the event JSON'),
          writeKey: z.string().optional(),
        }),
      },
      handler: async (req, reply) => {
        void reply.header('Cache-Control', 'no-store, max-age=0').type('image/gif');
        // Decoding base64 never throws: garbage decodes to text that fails as JSON, and is quarantined as such.
        const body = Buffer.from(req.query.data.replaceAll('-', '+').replaceAll('_', '/'), 'base64').toString('utf8');
        const result = await accept(deps, req, body, type, req.query.writeKey).catch((e: unknown) => {
          if (e instanceof AppError) return { status: e.status, code: e.code };
          throw e;
        });
        // A refused event or body answers 400 with an error payload rather than throwing: its code goes in the header too.
        const failed = 'code' in result ? result.code : isObj(result.payload) && isObj(result.payload.error) ? result.payload.error.code : undefined;
        if (typeof failed === 'string') void reply.header('X-Segmentum-Error', failed);
        return reply.status(result.status).send(PIXEL);
      },
    });
  }
}

/** The source of a live key with the track scope; anything else is refused with the reason. */
function writeSourceOf(keys: KeyRing, key: string): SourceId {
  const c = keys.check(key, 'track');
  if (c.ok) return sourceIdOf(c.key.keyHash);
  switch (c.reason) {
    case 'unknown':
      throw new AppError('auth.invalid_write_key', 'Unknown write key.');
    case 'revoked':
      throw new AppError('auth.revoked_key', `This write key (${c.key.keyId}) was revoked on ${c.key.revokedAt?.toISOString() ?? 'an earlier date'}.`);
    case 'missing_scope':
      // 401 as before scopes: the Segment SDKs treat it like an unknown key.
      throw new AppError('auth.invalid_write_key', `This key has the scopes ${c.key.scopes.join(', ')}; tracking calls need a write key (scope track).`);
    default:
      return assertNever(c);
  }
}

function keyFromRequest(req: FastifyRequest): string | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const user = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : decoded;
    if (user) return user;
  }
  const header = req.headers['x-write-key'];
  if (typeof header === 'string' && header) return header;
  const q = req.query;
  if (isObj(q) && typeof q.writeKey === 'string' && q.writeKey) return q.writeKey;
  return null;
}

function keyFromBody(parsed: unknown): string | null {
  if (!isObj(parsed)) return null;
  if (typeof parsed.writeKey === 'string') return parsed.writeKey;
  if (Array.isArray(parsed.batch) && isObj(parsed.batch[0]) && typeof parsed.batch[0].writeKey === 'string') return parsed.batch[0].writeKey;
  return null;
}

async function handle(deps: TrackingDeps, req: FastifyRequest, reply: FastifyReply, kind: MessageType | 'batch'): Promise<FastifyReply> {
  const body = typeof req.body === 'string' ? req.body : '';
  const result = await accept(deps, req, body, kind, null);
  return reply.status(result.status).send(result.payload);
}

/** Authenticates, parses and submits one tracking request; returns the status and body to send. */
async function accept(
  deps: TrackingDeps,
  req: FastifyRequest,
  body: string,
  kind: MessageType | 'batch',
  explicitKey: string | null | undefined,
): Promise<{ status: number; payload: unknown }> {
  const receivedAt = deps.clock.now();
  let parsed: unknown;
  let malformed = false;
  try {
    parsed = body.trim() === '' ? undefined : JSON.parse(body);
  } catch {
    malformed = true;
  }
  const key = explicitKey || keyFromRequest(req) || (malformed ? null : keyFromBody(parsed));
  if (!key) throw new AppError('auth.missing_write_key', 'No write key was sent.');
  const sourceId = writeSourceOf(deps.keys, key);
  const meta: RequestMeta = { sourceId, receivedAt, ip: req.ip ?? null };

  const refuse = async (
    code: 'request.malformed_json' | 'request.invalid' | 'request.too_many_events' | 'request.body_too_large',
    message: string,
    path: string | null,
  ) => {
    const quarantineId = await deps.ingest.quarantineBody(body, code, message, path, meta);
    return { status: statusOf(code), payload: errorPayload(code, message, { path, quarantineId }) };
  };
  // Checked after authentication so the kept body is attributed to its source; a UTF-16 length is a lower bound.
  if (body.length > deps.limits.maxBatchBytes / 3 && Buffer.byteLength(body) > deps.limits.maxBatchBytes) {
    return refuse('request.body_too_large', `The body is larger than ${deps.limits.maxBatchBytes} bytes; it is kept in quarantine.`, null);
  }
  if (malformed) return refuse('request.malformed_json', 'The body is not valid JSON.', null);

  let items: unknown[];
  let envelope: Envelope = {};
  if (kind === 'batch') {
    if (!isObj(parsed) || !Array.isArray(parsed.batch)) return refuse('request.invalid', 'A batch body must be an object with a `batch` array.', 'batch');
    if (parsed.batch.length > deps.limits.maxBatchEvents) {
      return refuse('request.too_many_events', `The batch holds ${parsed.batch.length} events; the limit is ${deps.limits.maxBatchEvents}.`, 'batch');
    }
    items = parsed.batch;
    envelope = { context: parsed.context, integrations: parsed.integrations, sentAt: parsed.sentAt };
  } else {
    // The path names the type (analytics.js short paths included), whatever the body says.
    items = [isObj(parsed) ? { ...parsed, type: kind } : parsed];
  }
  const response = await deps.ingest.submit({ items, envelope, meta, body: () => body });
  if (kind !== 'batch' && response.rejected[0]) {
    const r = response.rejected[0];
    return {
      status: 400,
      payload: errorPayload(r.code as Parameters<typeof errorPayload>[0], r.message, { path: r.path, quarantineId: r.quarantineId }),
    };
  }
  return { status: 200, payload: response };
}
