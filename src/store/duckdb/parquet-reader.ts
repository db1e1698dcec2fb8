import { DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import { AppError } from '../../kernel/index.js';

/**
 * Parquet files read through an in-memory DuckDB of their own (the store's database is not involved): the columns,
 * the row count from the file's metadata, and the rows streamed chunk by chunk, so a file larger than memory is read
 * without holding it. Values come out as JSON-compatible JS: integers as numbers (as text beyond 2^53), timestamps and
 * dates as ISO 8601 text, lists and structs as arrays and objects.
 */
export interface ParquetFile {
  columns: string[];
  rows: number;
  /** Each row's values by column, in file order. */
  read(): AsyncGenerator<Record<string, unknown>>;
  close(): void;
}

export async function openParquet(path: string): Promise<ParquetFile> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await instance.connect();
  const close = () => {
    c.closeSync();
    instance.closeSync();
  };
  try {
    const params: DuckDBValue[] = [path];
    const meta = await c.runAndReadAll('SELECT count(*) AS n FROM read_parquet($1)', params);
    const n = Number(meta.getRowObjectsJS()[0]?.n ?? 0);
    const described = await c.runAndReadAll('DESCRIBE SELECT * FROM read_parquet($1)', params);
    const columns = described.getRowObjectsJS().map((r) => String(r.column_name));
    return {
      columns,
      rows: n,
      read: async function* () {
        const result = await c.stream('SELECT * FROM read_parquet($1)', params);
        for await (const rows of result.yieldRowObjectJs()) {
          for (const r of rows) {
            const out: Record<string, unknown> = {};
            for (const k of columns) out[k] = plain(r[k]);
            yield out;
          }
        }
      },
      close,
    };
  } catch (cause) {
    close();
    throw new AppError('import.unreadable_file', `${path} cannot be read as Parquet: ${cause instanceof Error ? cause.message : String(cause)}.`, { cause });
  }
}

function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}
