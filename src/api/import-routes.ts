import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ImportService } from '../imports/index.js';
import { AppError } from '../kernel/index.js';
import type { ImportRunRow, QuarantineStore } from '../store/index.js';
import { quarantineView } from './admin-routes.js';
import { ErrorBody, QuarantineItem, ImportBody, ImportRunList, ImportRunQuery, ImportRunView, ImportSummaryView, InferBody, InferView } from './schemas.js';

export interface ImportDeps {
  imports: ImportService;
  /** The only folder the API reads import files from; null: imports through the API are off. */
  importDir: string | null;
  quarantine: QuarantineStore;
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
