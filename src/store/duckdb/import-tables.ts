import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { z } from 'zod';
import { SourceId } from '../../kernel/index.js';
import type { ImportRunRow } from '../port.js';
import { date, dateOrNull, num, str, strOrNull, type Row } from './rows.js';
import type { ReadFn } from './segment-tables.js';

/** Runs the statements one after another in one turn of the write lock. */
export type WriteFn = (statements: { sql: string; params: DuckDBValue[] }[]) => Promise<void>;

const Counts = z.record(z.string(), z.number().int());
const Kind = z.enum(['customers', 'events', 'orders']);
const Status = z.enum(['running', 'done', 'failed']);

function runFromRow(r: Row): ImportRunRow {
  return {
    id: str(r.id, 'id'),
    file: str(r.file, 'file'),
    kind: Kind.parse(str(r.kind, 'kind')),
    sourceId: SourceId(str(r.source_id, 'source_id')),
    format: str(r.format, 'format'),
    encoding: str(r.encoding, 'encoding'),
    delimiter: strOrNull(r.delimiter, 'delimiter'),
    status: Status.parse(str(r.status, 'status')),
    startedAt: date(r.started_at, 'started_at'),
    finishedAt: dateOrNull(r.finished_at, 'finished_at'),
    rowsRead: num(r.rows_read, 'rows_read'),
    imported: num(r.imported, 'imported'),
    duplicates: num(r.duplicates, 'duplicates'),
    rejected: num(r.rejected, 'rejected'),
    rejectedByCode: Counts.parse(JSON.parse(str(r.rejected_by_code, 'rejected_by_code'))),
    profileDelta: num(r.profile_delta, 'profile_delta'),
    error: strOrNull(r.error, 'error'),
  };
}

/** The import_runs table, and the quarantine lookup an import needs to stay idempotent. */
export class DuckDbImportTables {
  constructor(
    private readonly read: ReadFn,
    private readonly write: WriteFn,
  ) {}

  async saveImportRun(row: ImportRunRow): Promise<void> {
    // Two statements under one write lock turn: a run is saved on start and again on finish.
    await this.write([
      { sql: 'DELETE FROM import_runs WHERE id = $1', params: [row.id] },
      {
        sql: `INSERT INTO import_runs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::TIMESTAMPTZ, $10::TIMESTAMPTZ, $11, $12, $13, $14, $15, $16, $17)`,
        params: [
        row.id,
        row.file,
        row.kind,
        row.sourceId,
        row.format,
        row.encoding,
        row.delimiter,
        row.status,
        row.startedAt.toISOString(),
        row.finishedAt ? row.finishedAt.toISOString() : null,
        row.rowsRead,
        row.imported,
        row.duplicates,
        row.rejected,
        JSON.stringify(row.rejectedByCode),
        row.profileDelta,
        row.error,
        ],
      },
    ]);
  }

  async listImportRuns(q: { limit: number; offset?: number | undefined }): Promise<{ total: number; items: ImportRunRow[] }> {
    const total = num((await this.read('SELECT count(*) AS n FROM import_runs'))[0]?.n ?? 0, 'n');
    const rows = await this.read('SELECT * FROM import_runs ORDER BY started_at DESC, id LIMIT $1 OFFSET $2', [q.limit, q.offset ?? 0]);
    return { total, items: rows.map(runFromRow) };
  }

  async getImportRun(id: string): Promise<ImportRunRow | null> {
    const r = (await this.read('SELECT * FROM import_runs WHERE id = $1', [id]))[0];
    return r ? runFromRow(r) : null;
  }

  async hasEventsBefore(sourceId: string, before: Date): Promise<boolean> {
    const rows = await this.read('SELECT 1 AS x FROM events WHERE source_id = $1 AND received_at < $2::TIMESTAMPTZ LIMIT 1', [sourceId, before.toISOString()]);
    return rows.length > 0;
  }

  async storedMessageIds(sourceId: string, messageIds: readonly string[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    // A hash join on the ids (one scan of the events), not a list test per event.
    const rows = await this.read(
      `SELECT e.message_id FROM events e
       JOIN (SELECT unnest(from_json($2::JSON, '["VARCHAR"]')) AS id) w ON e.message_id = w.id
       WHERE e.source_id = $1`,
      [sourceId, JSON.stringify(messageIds)],
    );
    return new Set(rows.map((r) => str(r.message_id, 'message_id')));
  }

  async pendingQuarantineMessageIds(sourceId: string, messageIds: readonly string[]): Promise<Set<string>> {
    if (messageIds.length === 0) return new Set();
    const rows = await this.read(
      `SELECT DISTINCT message_id FROM quarantine
       WHERE status = 'pending' AND source_id = $1 AND message_id IN (SELECT unnest($2::VARCHAR[]))`,
      [sourceId, listValue([...messageIds])],
    );
    return new Set(rows.map((r) => str(r.message_id, 'message_id')));
  }
}
