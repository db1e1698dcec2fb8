import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, hintOf, statusOf, type ErrorCode } from '../kernel/index.js';

export interface ErrorPayload {
  error: { code: ErrorCode; message: string; hint: string; path?: string; quarantineId?: string; details?: Record<string, unknown> };
}

export function errorPayload(
  code: ErrorCode,
  message: string,
  extra: { path?: string | null; quarantineId?: string; hint?: string; details?: Record<string, unknown> | undefined } = {},
): ErrorPayload {
  return {
    error: {
      code,
      message,
      hint: extra.hint ?? hintOf(code),
      ...(extra.path ? { path: extra.path } : {}),
      ...(extra.quarantineId ? { quarantineId: extra.quarantineId } : {}),
      ...(extra.details ? { details: extra.details } : {}),
    },
  };
}

/** Fastify's own errors, mapped to catalogue codes. */
function fromFastify(e: FastifyError): { code: ErrorCode; message: string } | null {
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'request.body_too_large', message: 'The request body is larger than the limit.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'request.unsupported_media_type', message: 'Unsupported Content-Type.' };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'request.malformed_json', message: e.message };
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
    case 'ERR_SEGMENTUM_ENCODING':
      return { code: 'request.bad_encoding', message: 'The body could not be decompressed.' };
    default:
      return null;
  }
}

/** The one error handler of the HTTP surface: a stable code, a message, a hint, never a stack trace. */
export interface NotFoundFallback {
  /** Tried first on a request that matched no route; returns true when it answered (the dashboard's page). */
  handle?: (request: FastifyRequest, reply: FastifyReply) => boolean;
}

export function installErrorHandler(app: FastifyInstance, fallback: NotFoundFallback = {}): void {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof AppError) {
      if (error.retryAfterSeconds !== undefined) void reply.header('Retry-After', String(error.retryAfterSeconds));
      if (error.status >= 500) request.log.error({ err: error, cause: error.cause }, error.message);
      return reply
        .status(error.status)
        .send(errorPayload(error.code, error.message, { path: error.path ?? null, hint: error.hint, details: error.details }));
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const issue = error.validation[0];
      const where = issue?.instancePath?.replace(/^\//, '').replaceAll('/', '.') ?? '';
      const path = [error.validationContext, where].filter(Boolean).join('.');
      return reply.status(400).send(errorPayload('request.invalid', `${path}: ${issue?.message ?? 'invalid'}`, { path }));
    }
    const fe = error as FastifyError;
    const mapped = fromFastify(fe);
    if (mapped) return reply.status(statusOf(mapped.code)).send(errorPayload(mapped.code, mapped.message));
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(400).send(errorPayload('request.invalid', fe.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(errorPayload('server.internal', 'Internal error.'));
  });
  app.setNotFoundHandler((request, reply) => {
    if (fallback.handle?.(request, reply)) return;
    void reply.status(404).send(errorPayload('request.not_found', `No route ${request.method} ${request.url.split('?')[0]}.`));
  });
}
