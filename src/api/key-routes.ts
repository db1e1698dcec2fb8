import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { KeyEntry, KeyError, KeyRing } from '../access/index.js';
import { AppError, type Result } from '../kernel/index.js';
import { ErrorBody, KeyCreateBody, KeyIdParams, KeyList, KeyView } from './schemas.js';

export interface KeyDeps {
  keys: KeyRing;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const security = [{ adminKey: [] }];

/**
 * A key as the API (and the CLI, either backend) shows it. `secret` is the text of a key just created: the only time
 * a read or manage key's text is known. A track key's text is stored and always shown: it is public by design.
 */
export const keyView = (k: KeyEntry, secret?: string): z.infer<typeof KeyView> => ({
  id: k.keyId,
  label: k.label,
  scopes: [...k.scopes],
  createdAt: k.createdAt.toISOString(),
  revokedAt: k.revokedAt ? k.revokedAt.toISOString() : null,
  prefix: k.prefix,
  key: secret ?? k.plainKey,
});

/** A key ring result, or its error as the HTTP surface reports it. */
export function keyResult<T>(r: Result<T, KeyError>): T {
  if (!r.ok) throw new AppError(r.error.code, r.error.message, r.error.code === 'keys.invalid_scopes' ? { path: 'body.scopes' } : {});
  return r.value;
}

/** API keys under /api/keys: listing needs the read scope, creating and revoking the manage scope. */
export async function keyRoutes(app: FastifyInstance, deps: KeyDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/keys', {
    schema: { tags: ['keys'], summary: 'Every API key, revoked ones included, oldest first', security, response: { 200: KeyList, ...errors } },
    handler: async () => ({ items: deps.keys.list().map((k) => keyView(k)) }),
  });

  r.post('/api/keys', {
    schema: {
      tags: ['keys'],
      summary: 'Create a key; the answer holds its text, which is shown only this once for read and manage keys',
      security,
      body: KeyCreateBody,
      response: { 201: KeyView, ...errors },
    },
    handler: async (req, reply) => {
      const { entry, key } = keyResult(await deps.keys.create(req.body.label, req.body.scopes));
      void reply.status(201);
      return keyView(entry, key);
    },
  });

  r.delete('/api/keys/:id', {
    schema: {
      tags: ['keys'],
      summary: 'Revoke a key: refused from the next request on; the last key with the manage scope cannot be revoked',
      security,
      params: KeyIdParams,
      response: { 200: KeyView, ...errors, 404: ErrorBody, 409: ErrorBody },
    },
    handler: async (req) => keyView(keyResult(await deps.keys.revoke(req.params.id))),
  });
}
