import { isBadRow, openImportFile } from '../imports/index.js';
import { AppError, type ErrorCode } from '../kernel/index.js';

/**
 * A table file (CSV with a header, NDJSON, JSON array or Parquet) read as typed columns for the analytics commands: a
 * column whose filled cells are all numbers is numeric (blank = missing, NaN), any other is categorical (blank = null).
 */

export type FileColumn = { name: string; kind: 'numeric'; values: Float64Array } | { name: string; kind: 'categorical'; values: (string | null)[] };

export interface FileTable {
  path: string;
  n: number;
  /** Every column of the file, in file order. */
  columns: FileColumn[];
  /** The file line of each row (1-based, the header is line 1 for CSV). */
  lines: number[];
}

export function numberOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/.test(v)) return Number(v);
  return null;
}

export const blank = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/** Reads the whole file; `codes` name the errors of the calling command (unreadable file, bad row). */
export async function readTableFile(path: string, codes: { unreadable: ErrorCode; invalid: ErrorCode }): Promise<FileTable> {
  let file;
  try {
    file = await openImportFile(path);
  } catch (cause) {
    if (cause instanceof AppError) throw new AppError(codes.unreadable, cause.message, { cause });
    throw cause;
  }
  const rows: Record<string, unknown>[] = [];
  const lines: number[] = [];
  for await (const r of file.rows()) {
    if (isBadRow(r)) throw new AppError(codes.invalid, `${path}, line ${r.line}: ${r.message}`, { path: `line ${r.line}` });
    rows.push(r.values);
    lines.push(r.line);
  }
  const columns: FileColumn[] = file.info.columns.map((name) => {
    const numeric = rows.some((r) => !blank(r[name])) && rows.every((r) => blank(r[name]) || numberOf(r[name]) !== null);
    if (numeric) return { name, kind: 'numeric', values: Float64Array.from(rows, (r) => (blank(r[name]) ? NaN : (numberOf(r[name]) as number))) };
    return { name, kind: 'categorical', values: rows.map((r) => (blank(r[name]) ? null : String(r[name]))) };
  });
  return { path, n: rows.length, columns, lines };
}
