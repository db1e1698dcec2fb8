import { createWriteStream, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Limits } from '../config/index.js';
import type { ImportService } from '../imports/index.js';
import { AppError } from '../kernel/index.js';
import type { ImportRunRow, QuarantineStore } from '../store/index.js';
import { quarantineView } from './admin-routes.js';
import { ErrorBody, ImportUploadFields, QuarantineItem, ImportBody, ImportRunList, ImportRunQuery, ImportRunView, ImportSummaryView, InferBody, InferView } from './schemas.js';

export interface ImportDeps {
  imports: ImportService;
  /** The only folder the API reads import files from; null: imports through the API are off. */
  importDir: string | null;
  quarantine: QuarantineStore;
  limits: Limits;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const security = [{ adminKey: [] }];

const runView = (r: ImportRunRow): z.infer<typeof ImportRunView> => ({
  ...r,
  startedAt: r.startedAt.toISOString(),
  finishedAt: r.finishedAt ? r.finishedAt.toISOString() : null,
});

/** The file a request names, inside the import folder: `..`, absolute paths and links out of it are refused. */
function fileInside(dir: string | null, path: string): string {
  if (dir === null) throw new AppError('import.forbidden_path', 'This server has no import folder (in-memory database): import with the CLI instead.');
  if (isAbsolute(path)) throw new AppError('import.forbidden_path', 'Give the path relative to the import folder.', { path: 'path' });
  const full = resolve(dir, path);
  let real: string;
  try {
    real = realpathSync(full);
  } catch {
    throw new AppError('import.unreadable_file', `There is no file ${path} in the import folder.`, { path: 'path' });
  }
  const rel = relative(realpathSync(dir), real);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new AppError('import.forbidden_path', `${path} is outside the import folder.`, { path: 'path' });
  }
  return real;
}

/** File imports: run one from a file in the import folder, propose a mapping, list and read runs. Registered in the admin scope. */
export async function importRoutes(app: FastifyInstance, deps: ImportDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/api/imports', {
    schema: {
      tags: ['imports'],
      summary: 'Import a file of the import folder (customers, events or orders); answers when the run is done',
      security,
      body: ImportBody,
      response: { 200: ImportSummaryView, ...errors },
    },
    handler: async (req) => {
      const b = req.body;
      return deps.imports.run({
        path: fileInside(deps.importDir, b.path),
        kind: b.as,
        mapping: b.mapping,
        source: b.source,
        format: b.format,
        delimiter: b.delimiter,
        encoding: b.encoding,
      });
    },
  });

  await app.register(multipart, { limits: { fileSize: deps.limits.maxUploadBytes, files: 1, fields: 10, fieldSize: 1_000_000 } });

  r.post('/api/imports/upload', {
    schema: {
      tags: ['imports'],
      summary: 'Upload a file and import it (multipart/form-data: the part "file", and the fields as, mapping (JSON text), source, format, delimiter, encoding)',
      description:
        'The file is streamed to disk (at most limits.maxUploadBytes), imported like POST /api/imports, then deleted; bad rows stay in the quarantine. Answers when the run is done.',
      security,
      consumes: ['multipart/form-data'],
      response: { 200: ImportSummaryView, ...errors, 413: ErrorBody, 415: ErrorBody },
    },
    handler: async (req) => {
      if (!req.isMultipart()) throw new AppError('request.unsupported_media_type', 'Send the file as multipart/form-data, in a part named "file".');
      const dir = join(deps.importDir ?? tmpdir(), 'uploads');
      mkdirSync(dir, { recursive: true });
      const fields: Record<string, string> = {};
      let saved: { path: string; name: string } | null = null;
      try {
        for await (const part of req.parts()) {
          if (part.type === 'field') {
            if (typeof part.value === 'string') fields[part.fieldname] = part.value;
            continue;
          }
          if (part.fieldname !== 'file' || saved) {
            part.file.resume();
            throw new AppError('request.invalid', 'Send one file, in the part named "file".', { path: 'file' });
          }
          const name = basename(part.filename || 'upload.csv').replace(/[^A-Za-z0-9._-]/g, '_');
          const path = join(dir, `${Date.now()}-${Math.random().toString(36).slice(2, 8)}${extname(name) ? '' : '.csv'}-${name}`);
          saved = { path, name };
          await pipeline(part.file, createWriteStream(path));
          if (part.file.truncated) {
            throw new AppError('request.body_too_large', `The file is larger than ${deps.limits.maxUploadBytes} bytes (limits.maxUploadBytes).`, { path: 'file' });
          }
        }
        if (!saved) throw new AppError('request.invalid', 'The upload has no file: send it in a part named "file".', { path: 'file' });
        const parsed = ImportUploadFields.strict().safeParse(fields);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw new AppError('request.invalid', `${issue?.path.join('.') ?? 'fields'}: ${issue?.message ?? 'invalid'}`, { path: issue?.path.join('.') ?? 'fields' });
        }
        let mapping: Record<string, unknown> | undefined;
        if (parsed.data.mapping !== undefined) {
          try {
            const m: unknown = JSON.parse(parsed.data.mapping);
            if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new Error('not an object');
            mapping = m as Record<string, unknown>;
          } catch (cause) {
            throw new AppError('import.invalid_mapping', `The mapping field is not a JSON object: ${cause instanceof Error ? cause.message : String(cause)}.`, { path: 'mapping' });
          }
        }
        const b = parsed.data;
        return await deps.imports.run({
          path: saved.path,
          kind: b.as,
          mapping,
          source: b.source,
          format: b.format,
          delimiter: b.delimiter,
          encoding: b.encoding,
          displayName: saved.name,
        });
      } finally {
        if (saved) rmSync(saved.path, { force: true });
      }
    },
  });

  r.post('/api/imports/infer', {
    schema: { tags: ['imports'], summary: 'Propose a mapping for a file of the import folder', security, body: InferBody, response: { 200: InferView, ...errors } },
    handler: async (req) => {
      const b = req.body;
      const { mapping, info } = await deps.imports.infer(fileInside(deps.importDir, b.path), b.as, b);
      return { mapping, format: info.format, encoding: info.encoding, delimiter: info.delimiter, columns: info.columns };
    },
  });

  r.get('/api/imports', {
    schema: { tags: ['imports'], summary: 'Import runs, newest first', security, querystring: ImportRunQuery, response: { 200: ImportRunList, ...errors } },
    handler: async (req) => {
      const res = await deps.imports.list(req.query);
      return { total: res.total, items: res.items.map(runView) };
    },
  });

  r.get('/api/imports/:id/rejected', {
    schema: {
      tags: ['imports'],
      summary: 'The rows an import run refused, as kept in the quarantine (file, row, line, column, value, code)',
      security,
      params: z.object({ id: z.string().min(1).max(100) }),
      querystring: ImportRunQuery,
      response: { 200: z.object({ total: z.number().int(), items: z.array(QuarantineItem) }), ...errors, 404: ErrorBody },
    },
    handler: async (req) => {
      await deps.imports.get(req.params.id);
      const res = await deps.quarantine.listQuarantine({ importRunId: req.params.id, limit: req.query.limit, offset: req.query.offset });
      return { total: res.total, items: res.items.map(quarantineView) };
    },
  });

  r.get('/api/imports/:id', {
    schema: { tags: ['imports'], summary: 'One import run', security, params: z.object({ id: z.string().min(1).max(100) }), response: { 200: ImportRunView, ...errors } },
    handler: async (req) => runView(await deps.imports.get(req.params.id)),
  });
}
