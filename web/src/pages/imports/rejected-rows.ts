import type { QuarantineItem } from '../../api/client.js';

/** One reason a row was refused: the column at fault (null: the whole row), its value, the error code and message. */
export interface RowProblem {
  code: string;
  column: string | null;
  value: string | null;
  message: string;
}

/** A refused row of an import as the quarantine keeps it, read back from its raw JSON. */
export interface RejectedRow {
  id: string;
  row: number | null;
  line: number | null;
  problems: RowProblem[];
  /** The cells as read from the file (column -> text). */
  record: Record<string, string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * Reads `{"import": {row, line, problems}, "record": {...}}` from a quarantined row. Anything else (a row kept by an
 * older version, or a raw body that is not this shape) still shows, with the quarantine's own code and message.
 */
export function rejectedRow(item: QuarantineItem): RejectedRow {
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(item.raw);
  } catch {
    // Not JSON: shown with the quarantine's code and message below.
  }
  const imp = isRecord(parsed) && isRecord(parsed.import) ? parsed.import : {};
  const rec = isRecord(parsed) && isRecord(parsed.record) ? parsed.record : {};
  const problems: RowProblem[] = Array.isArray(imp.problems)
    ? imp.problems.filter(isRecord).map((p) => ({
        code: typeof p.code === 'string' ? p.code : item.code,
        column: typeof p.column === 'string' ? p.column : null,
        value: str(p.value),
        message: typeof p.message === 'string' ? p.message : item.message,
      }))
    : [];
  return {
    id: item.id,
    row: num(imp.row),
    line: num(imp.line),
    problems: problems.length > 0 ? problems : [{ code: item.code, column: null, value: null, message: item.message }],
    record: Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, str(v) ?? ''])),
  };
}
