import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { IngestService } from '../ingest/index.js';
import { AppError, newQuarantineId, SourceId, type Clock, type ErrorCode } from '../kernel/index.js';
import type { ImportRunRow, ImportStore, ProfileStore, QuarantineRow } from '../store/index.js';
import { inferMapping } from './infer.js';
import { compileMapping, type CompiledMapping, type ImportKind, type MappingInput } from './mapping.js';
import { isBadRow, openImportFile, type BadRow, type Encoding, type FileFormat, type FileInfo, type SourceRow } from './read-file.js';
import { rowMessageId, rowToMessage, type RowProblem } from './to-message.js';

/** Writes quarantine rows in one transaction (main.ts hands the group committer's submit). */
export type QuarantineWriter = (rows: QuarantineRow[]) => Promise<void>;

export interface ImportRequest {
  path: string;
  /** The name runs and quarantine rows show (an uploaded file's own name); default: the path. */
  displayName?: string | undefined;
  kind?: ImportKind | undefined;
  /** The mapping as parsed JSON; absent: the inferred mapping is used (and reported in the summary). */
  mapping?: unknown;
  /** Names the source: rows are deduplicated per source (default "files"). */
  source?: string | undefined;
  format?: FileFormat | undefined;
  delimiter?: string | undefined;
  encoding?: Encoding | undefined;
}

export interface ImportProgress {
  rows: number;
  bytesRead: number;
  bytes: number;
}

export interface ImportSummary {
  id: string;
  file: string;
  kind: ImportKind;
  source: string;
  format: FileFormat;
  encoding: string;
  delimiter: string | null;
  /** Where the mapping came from: the caller, or inferred from the file. */
  mapping: 'given' | 'inferred';
  rowsRead: number;
  /** Rows stored as new events (identify calls for customers). */
  imported: number;
  /** Rows already imported before from the same source (same messageId): dropped by the ingest's dedup. */
  duplicates: number;
  /** Rows refused, each kept in quarantine (or already there from an earlier run: `alreadyQuarantined`). */
  rejected: number;
  rejectedByCode: Record<string, number>;
  /** Values of imported rows the normalisers refused and the mapping kept as written or dropped (onInvalid), by code. */
  flaggedByCode: Record<string, number>;
  alreadyQuarantined: number;
  /** Live profiles after the run less before (new profiles less merged-away ones; other writers count too). */
  profileDelta: number;
  seconds: number;
  rowsPerSecond: number;
}

const CHUNK = 1000;
const IN_FLIGHT = 4;
const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,49}$/;
const INFER_SAMPLE = 200;

/** The source id of an import source name: imports never share dedup keys with a write key's events. */
export function importSourceId(name: string): SourceId {
  if (!SOURCE_NAME.test(name)) {
    throw new AppError('config.invalid', `The source name "${name}" must be 1 to 50 lower-case letters, digits, "-" or "_".`);
  }
  return SourceId(`src_import_${name}`);
}

interface Deps {
  ingest: IngestService;
  quarantine: QuarantineWriter;
  store: ImportStore & Pick<ProfileStore, 'stats'>;
  clock: Clock;
  /** The ingest's dedup window: rows of a source with events older than it are also checked against stored events. */
  dedupWindowDays: number;
}

/**
 * Imports customer, event and order files through the ingest path: rows become identify or track messages with a
 * deterministic messageId (so importing a file again adds nothing), refused rows go to quarantine with their file,
 * row, column and value, and each run is recorded.
 */
export class ImportService {
  constructor(private readonly deps: Deps) {}

  /**
   * Proposes a mapping from a file's header and first rows.
   * @example const { mapping } = await imports.infer('clients.csv', 'customers');
   */
  async infer(path: string, kind: ImportKind, opts: Pick<ImportRequest, 'format' | 'delimiter' | 'encoding'> = {}): Promise<{ mapping: MappingInput; info: FileInfo }> {
    const file = await openImportFile(path, opts);
    const sample: Record<string, unknown>[] = [];
    for await (const r of file.rows()) {
      if (!isBadRow(r)) sample.push(r.values);
      if (sample.length >= INFER_SAMPLE) break;
    }
    return { mapping: inferMapping(kind, file.info.columns, sample), info: file.info };
  }

  /**
   * Imports one file and records the run.
   * @example await imports.run({ path: 'clients.csv', kind: 'customers', mapping: JSON.parse(text) })
   */
  async run(req: ImportRequest, onProgress?: (p: ImportProgress) => void): Promise<ImportSummary> {
    const started = Date.now();
    const sourceName = req.source ?? 'files';
    const sourceId = importSourceId(sourceName);
    const file = await openImportFile(req.path, req);
    const { info } = file;
    let mappingInput = req.mapping;
    let origin: ImportSummary['mapping'] = 'given';
    if (mappingInput === undefined) {
      if (!req.kind) throw new AppError('import.invalid_mapping', 'Say what the file holds: --as customers, events or orders.');
      mappingInput = (await this.infer(req.path, req.kind, req)).mapping;
      origin = 'inferred';
    }
    const mapping = compileMapping(mappingInput, req.kind, info.format === 'csv' ? info.columns : []);
    const run: ImportRunRow = {
      id: `imp_${randomUUID().replaceAll('-', '')}`,
      file: req.displayName ?? req.path,
      kind: mapping.kind,
      sourceId,
      format: info.format,
      encoding: info.encoding,
      delimiter: info.delimiter,
      status: 'running',
      startedAt: this.deps.clock.now(),
      finishedAt: null,
      rowsRead: 0,
      imported: 0,
      duplicates: 0,
      rejected: 0,
      rejectedByCode: {},
      profileDelta: 0,
      error: null,
    };
    await this.deps.store.saveImportRun(run);
    // The ingest remembers messageIds for the dedup window only: a file imported before that would come in again, so
    // its rows are then looked up among the stored events (one join per chunk), which keeps re-imports idempotent.
    const windowStart = new Date(this.deps.clock.now().getTime() - Math.ceil(this.deps.dedupWindowDays) * 86_400_000);
    const checkStored = await this.deps.store.hasEventsBefore(sourceId, windowStart);
    const profilesBefore = (await this.deps.store.stats()).profiles;
    const counts = { imported: 0, duplicates: 0, rejected: 0, alreadyQuarantined: 0, byCode: new Map<string, number>(), flagged: new Map<string, number>() };
    try {
      await this.importRows(file.rows(), mapping, { runId: run.id, file: basename(req.displayName ?? req.path), sourceId, checkStored }, counts, (rows) =>
        onProgress?.({ rows, bytesRead: file.bytesRead(), bytes: info.bytes }),
      );
      run.rowsRead = counts.imported + counts.duplicates + counts.rejected;
      run.imported = counts.imported;
      run.duplicates = counts.duplicates;
      run.rejected = counts.rejected;
      run.rejectedByCode = Object.fromEntries([...counts.byCode].sort(([a], [b]) => a.localeCompare(b)));
      run.status = 'done';
    } catch (e) {
      run.status = 'failed';
      run.error = e instanceof Error ? e.message : String(e);
      throw e;
    } finally {
      run.finishedAt = this.deps.clock.now();
      run.profileDelta = (await this.deps.store.stats()).profiles - profilesBefore;
      await this.deps.store.saveImportRun(run);
    }
    const seconds = (Date.now() - started) / 1000;
    return {
      id: run.id,
      file: run.file,
      kind: run.kind,
      source: sourceName,
      format: info.format,
      encoding: info.encoding,
      delimiter: info.delimiter,
      mapping: origin,
      rowsRead: run.rowsRead,
      imported: run.imported,
      duplicates: run.duplicates,
      rejected: run.rejected,
      rejectedByCode: run.rejectedByCode,
      flaggedByCode: Object.fromEntries([...counts.flagged].sort(([a], [b]) => a.localeCompare(b))),
      alreadyQuarantined: counts.alreadyQuarantined,
      profileDelta: run.profileDelta,
      seconds,
      rowsPerSecond: seconds > 0 ? Math.round(run.rowsRead / seconds) : run.rowsRead,
    };
  }

  list(q: { limit: number; offset?: number | undefined }): Promise<{ total: number; items: ImportRunRow[] }> {
    return this.deps.store.listImportRuns(q);
  }

  async get(id: string): Promise<ImportRunRow> {
    const run = await this.deps.store.getImportRun(id);
    if (!run) throw new AppError('import.not_found', `No import run ${id}.`);
    return run;
  }

  private async importRows(
    rows: AsyncIterable<SourceRow | BadRow>,
    mapping: CompiledMapping,
    origin: { runId: string; file: string; sourceId: SourceId; checkStored: boolean },
    counts: { imported: number; duplicates: number; rejected: number; alreadyQuarantined: number; byCode: Map<string, number>; flagged: Map<string, number> },
    progress: (rows: number) => void,
  ): Promise<void> {
    const inflight = new Set<Promise<void>>();
    let failure: unknown = null;
    let read = 0;
    let chunk: (SourceRow | BadRow)[] = [];
    const reject = (code: string) => {
      counts.rejected++;
      counts.byCode.set(code, (counts.byCode.get(code) ?? 0) + 1);
    };
    const flush = async (): Promise<void> => {
      const items = chunk;
      chunk = [];
      const p = this.importChunk(items, mapping, origin, counts, reject).catch((e: unknown) => {
        failure ??= e;
      });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
      if (inflight.size >= IN_FLIGHT) await Promise.race(inflight);
      if (failure) throw failure;
    };
    for await (const r of rows) {
      chunk.push(r);
      read++;
      if (chunk.length >= CHUNK) {
        await flush();
        progress(read);
      }
    }
    if (chunk.length > 0) await flush();
    await Promise.all(inflight);
    if (failure) throw failure;
    progress(read);
  }

  private async importChunk(
    items: (SourceRow | BadRow)[],
    mapping: CompiledMapping,
    origin: { runId: string; file: string; sourceId: SourceId; checkStored: boolean },
    counts: { imported: number; duplicates: number; alreadyQuarantined: number; flagged: Map<string, number> },
    reject: (code: string) => void,
  ): Promise<void> {
    const receivedAt = this.deps.clock.now();
    let messages: Record<string, unknown>[] = [];
    const bad: { row: SourceRow | BadRow; messageId: string; problems: RowProblem[] }[] = [];
    for (const r of items) {
      if (isBadRow(r)) {
        const messageId = rowMessageId(mapping.kind, origin.sourceId, { row: r.row, line: r.line, values: { raw: r.raw } }, {});
        bad.push({ row: r, messageId, problems: [{ code: 'import.malformed_row', message: r.message, column: null, value: r.raw }] });
        continue;
      }
      const out = rowToMessage(mapping, r, origin);
      if (out.ok) {
        messages.push(out.message);
        for (const f of out.flagged) counts.flagged.set(f.code, (counts.flagged.get(f.code) ?? 0) + 1);
      } else bad.push({ row: r, messageId: out.messageId, problems: out.problems });
    }
    if (bad.length > 0) {
      // A row refused by an earlier run of the same file is not quarantined twice.
      const pending = await this.deps.store.pendingQuarantineMessageIds(origin.sourceId, bad.map((b) => b.messageId));
      const rows: QuarantineRow[] = [];
      for (const b of bad) {
        const first = b.problems[0] as RowProblem;
        reject(first.code);
        if (pending.has(b.messageId)) {
          counts.alreadyQuarantined++;
          continue;
        }
        rows.push(quarantineRow(b, origin, receivedAt));
      }
      if (rows.length > 0) await this.deps.quarantine(rows);
    }
    if (origin.checkStored && messages.length > 0) {
      const stored = await this.deps.store.storedMessageIds(origin.sourceId, messages.map((m) => String(m.messageId)));
      if (stored.size > 0) {
        counts.duplicates += stored.size;
        messages = messages.filter((m) => !stored.has(String(m.messageId)));
      }
    }
    if (messages.length === 0) return;
    const res = await this.deps.ingest.submit({
      items: messages,
      envelope: {},
      meta: { sourceId: origin.sourceId, receivedAt, ip: null },
      body: () => JSON.stringify({ batch: messages }),
    });
    counts.imported += res.accepted;
    counts.duplicates += res.duplicates;
    for (const r of res.rejected) reject(r.code);
  }
}

function quarantineRow(
  b: { row: SourceRow | BadRow; messageId: string; problems: RowProblem[] },
  origin: { runId: string; file: string; sourceId: SourceId },
  receivedAt: Date,
): QuarantineRow {
  const first = b.problems[0] as RowProblem;
  const where = `${origin.file}:${b.row.line}`;
  const record = isBadRow(b.row) ? { raw: b.row.raw } : b.row.values;
  return {
    id: newQuarantineId(),
    receivedAt,
    sourceId: origin.sourceId,
    code: first.code satisfies ErrorCode,
    message: `${origin.file}, row ${b.row.row} (line ${b.row.line}): ${b.problems.map((p) => p.message).join(' ')}`,
    path: first.column === null ? where : `${where}.${first.column}`,
    messageId: b.messageId,
    raw: JSON.stringify({
      import: {
        runId: origin.runId,
        file: origin.file,
        row: b.row.row,
        line: b.row.line,
        problems: b.problems.map((p) => ({ code: p.code, column: p.column, value: p.value ?? null, message: p.message })),
      },
      record,
    }),
  };
}
