import { openAsBlob } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { loadConfig } from '../config/index.js';
import { ImportKind, type Encoding, type FileFormat, type ImportSummary } from '../imports/index.js';
import { ErrorBody, ImportSummaryView } from '../api/index.js';
import { AppError, ERROR_CODES } from '../kernel/index.js';
import { createSegmentum } from '../main.js';
import { table, type Io } from './output.js';

interface ImportOptions {
  as?: string;
  mapping?: string;
  source?: string;
  delimiter?: string;
  encoding?: string;
  format?: string;
  infer?: boolean;
  db?: string;
  url?: string;
  adminKey?: string;
  json?: boolean;
}

const DELIMITER_NAMES: Record<string, string> = { tab: '\t', '\\t': '\t', comma: ',', semicolon: ';', pipe: '|' };

function parseOptions(o: ImportOptions): { kind: ImportKind | undefined; encoding: Encoding | undefined; format: FileFormat | undefined; delimiter: string | undefined } {
  const kind = o.as === undefined ? undefined : ImportKind.safeParse(o.as);
  if (kind && !kind.success) throw new AppError('config.invalid', `--as must be customers, events or orders, got "${o.as}".`);
  let encoding: Encoding | undefined;
  if (o.encoding !== undefined) {
    const e = o.encoding.toLowerCase().replace(/_/g, '-');
    if (e === 'utf-8' || e === 'utf8') encoding = 'utf-8';
    else if (['latin1', 'latin-1', 'iso-8859-1', 'iso-8859-15', 'windows-1252', 'cp1252'].includes(e)) encoding = 'windows-1252';
    else if (e === 'auto') encoding = 'auto';
    else throw new AppError('config.invalid', `--encoding must be utf-8, windows-1252 (latin1) or auto, got "${o.encoding}".`);
  }
  if (o.format !== undefined && !['csv', 'json', 'ndjson', 'parquet'].includes(o.format)) {
    throw new AppError('config.invalid', `--format must be csv, json, ndjson or parquet, got "${o.format}".`);
  }
  const delimiter = o.delimiter === undefined ? undefined : (DELIMITER_NAMES[o.delimiter] ?? o.delimiter);
  if (delimiter !== undefined && (delimiter.length !== 1 || delimiter === '"')) {
    throw new AppError('config.invalid', `--delimiter must be one character (or tab), got "${o.delimiter}".`);
  }
  return { kind: kind?.data, encoding, format: o.format as FileFormat | undefined, delimiter };
}

async function readMapping(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new AppError('import.unreadable_file', `Cannot read the mapping file ${path}.`, { cause });
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (cause) {
    throw new AppError('import.invalid_mapping', `The mapping file ${path} is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}.`, { cause });
  }
}

function printSummary(io: Io, s: ImportSummary): void {
  io.out(
    table([
      ['import', s.id],
      ['file', `${s.file} (${s.format}${s.delimiter ? `, delimiter ${JSON.stringify(s.delimiter)}` : ''}, ${s.encoding})`],
      ['as', `${s.kind} from source ${s.source}${s.mapping === 'inferred' ? ', inferred mapping' : ''}`],
      ['rows read', s.rowsRead],
      ['imported', s.imported],
      ['duplicates', s.duplicates],
      ['rejected', s.rejected],
      ...Object.entries(s.rejectedByCode).map(([code, n]): [string, number] => [`  ${code}`, n]),
      ...(s.alreadyQuarantined > 0 ? [['already in quarantine', s.alreadyQuarantined] as [string, number]] : []),
      ...(Object.keys(s.flaggedByCode).length > 0 ? [['invalid values kept or dropped', Object.values(s.flaggedByCode).reduce((a, b) => a + b, 0)] as [string, number]] : []),
      ...Object.entries(s.flaggedByCode).map(([code, n]): [string, number] => [`  ${code}`, n]),
      ['profiles (net change)', s.profileDelta],
      ['seconds', s.seconds.toFixed(2)],
      ['rows/s', s.rowsPerSecond],
    ]),
  );
  if (s.rejected > 0) io.err(`${s.rejected} row(s) rejected: \`segmentum quarantine list\` shows each with its file, line and column.`);
}

/** `segmentum import FILE --as KIND`: imports a file into the local database, or (--infer) proposes a mapping. */
export async function importCommand(path: string, o: ImportOptions, io: Io): Promise<void> {
  const opts = parseOptions(o);
  const mapping = o.mapping === undefined ? undefined : await readMapping(o.mapping);
  if (o.url) {
    if (o.infer) throw new AppError('config.invalid', '--infer reads the file here: leave out --url (or use POST /api/imports/infer on a file of the server).');
    const summary = await uploadImport(path, o.url, o.adminKey ?? process.env.SEGMENTUM_ADMIN_KEY ?? '', { ...opts, mapping, source: o.source }, io);
    if (o.json) io.out(JSON.stringify(summary));
    else printSummary(io, summary);
    return;
  }
  const s = await createSegmentum(loadConfig({ env: process.env, flags: o.db ? { db: o.db } : {} }), { logger: false });
  try {
    if (o.infer) {
      if (!opts.kind) throw new AppError('config.invalid', '--infer needs --as customers, events or orders.');
      const { mapping: proposed } = await s.imports.infer(path, opts.kind, opts);
      io.out(JSON.stringify(proposed, null, 2));
      return;
    }
    if (mapping === undefined) io.err('No --mapping given: importing with the inferred one (see it with --infer).');
    const bar = io.interactive
      ? new SingleBar(
          { format: 'import |{bar}| {percentage}% {rows} rows {rate} rows/s {eta_formatted} left', stream: process.stderr, etaBuffer: 20 },
          Presets.shades_classic,
        )
      : null;
    const started = Date.now();
    let begun = false;
    const summary = await s.imports.run({ path, kind: opts.kind, mapping, source: o.source, format: opts.format, delimiter: opts.delimiter, encoding: opts.encoding }, (p) => {
      if (!bar) return;
      const rate = Math.round(p.rows / Math.max(0.001, (Date.now() - started) / 1000));
      if (!begun) {
        bar.start(Math.max(1, p.bytes), 0, { rows: 0, rate: 0 });
        begun = true;
      }
      bar.update(p.bytesRead, { rows: p.rows, rate });
    });
    bar?.stop();
    if (o.json) io.out(JSON.stringify(summary));
    else printSummary(io, summary);
  } finally {
    await s.close();
  }
}

/** `import FILE --url URL`: uploads the file to a running server (POST /api/imports/upload), which imports it. */
async function uploadImport(
  path: string,
  url: string,
  adminKey: string,
  opts: { kind: ImportKind | undefined; encoding: Encoding | undefined; format: FileFormat | undefined; delimiter: string | undefined; mapping: unknown; source: string | undefined },
  io: Io,
): Promise<ImportSummary> {
  let blob: Blob;
  try {
    blob = await openAsBlob(path);
  } catch (cause) {
    throw new AppError('import.unreadable_file', `Cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}.`, { cause });
  }
  const form = new FormData();
  if (opts.kind) form.set('as', opts.kind);
  if (opts.mapping !== undefined) form.set('mapping', JSON.stringify(opts.mapping));
  if (opts.source) form.set('source', opts.source);
  if (opts.format) form.set('format', opts.format);
  if (opts.delimiter) form.set('delimiter', opts.delimiter);
  if (opts.encoding) form.set('encoding', opts.encoding);
  form.set('file', blob, basename(path));
  if (opts.mapping === undefined) io.err('No --mapping given: the server imports with the mapping it infers.');
  let res: Response;
  try {
    res = await fetch(new URL('/api/imports/upload', url), { method: 'POST', headers: { authorization: `Bearer ${adminKey}` }, body: form });
  } catch (cause) {
    throw new AppError('cli.server_unreachable', `Cannot reach ${url}.`, { cause });
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = ErrorBody.safeParse(body);
    if (!e.success) throw new AppError('server.internal', `HTTP ${res.status} from /api/imports/upload`);
    const known = ERROR_CODES.find((c) => c === e.data.error.code);
    if (!known) throw new AppError('server.internal', `${e.data.error.code}: ${e.data.error.message}`);
    throw new AppError(known, e.data.error.message, { hint: e.data.error.hint, ...(e.data.error.path ? { path: e.data.error.path } : {}) });
  }
  const parsed = ImportSummaryView.safeParse(body);
  if (!parsed.success) throw new AppError('cli.server_unreachable', `The answer of ${url} to /api/imports/upload is not what Segmentum sends.`);
  return parsed.data as ImportSummary;
}

export function registerImportCommand(program: Command, io: Io): void {
  program
    .command('import')
    .description('Import customers, events or orders from a CSV/TSV, NDJSON or JSON file (docs/imports.md)')
    .argument('<file>')
    .option('--as <kind>', 'what the file holds: customers, events or orders')
    .option('--mapping <file>', 'mapping file (JSON); without it the inferred mapping is used')
    .option('--source <name>', 'source name: rows are deduplicated per source', 'files')
    .option('--delimiter <char>', 'CSV delimiter (default: detected from the header among , ; tab |)')
    .option('--encoding <name>', 'utf-8, windows-1252 (latin1) or auto (default: UTF-8, Windows-1252 if not valid UTF-8)')
    .option('--format <format>', 'csv, json, ndjson or parquet (default: from the extension)')
    .option('--infer', 'print a proposed mapping (JSON) to save and edit, import nothing')
    .option('--db <path>', 'database file (default ./segmentum-data/segmentum.duckdb, env SEGMENTUM_DB)')
    .option('--url <url>', 'upload the file to a running server instead of opening the database')
    .option('--admin-key <key>', 'a key with the manage scope, for --url (env SEGMENTUM_ADMIN_KEY)')
    .option('--json', 'print JSON')
    .action((file: string, o: ImportOptions) => importCommand(file, o, io));
}
