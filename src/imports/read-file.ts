import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { AppError } from '../kernel/index.js';
import { openParquet } from '../store/index.js';
import { CsvParser, CsvSyntaxError, detectDelimiter } from './csv-parser.js';

export type FileFormat = 'csv' | 'json' | 'ndjson' | 'parquet';
/** `auto`: UTF-8 (a BOM is dropped), or Windows-1252 when the first 64 KB are not valid UTF-8. */
export type Encoding = 'auto' | 'utf-8' | 'windows-1252';

export interface ReadOptions {
  format?: FileFormat | undefined;
  delimiter?: string | undefined;
  encoding?: Encoding | undefined;
}

/** One row of the file: its number among data rows (from 1), the line it starts on, and its cells by column. */
export interface SourceRow {
  row: number;
  line: number;
  values: Record<string, unknown>;
}

/** A row that cannot be read as a record (wrong cell count, a line that is not a JSON object). */
export interface BadRow {
  row: number;
  line: number;
  message: string;
  raw: string;
}

export interface FileInfo {
  format: FileFormat;
  encoding: 'utf-8' | 'windows-1252';
  /** The CSV delimiter used; null for JSON formats. */
  delimiter: string | null;
  /** Column names in file order (CSV header; for JSON, the keys of the first rows). */
  columns: string[];
  bytes: number;
}

const SNIFF_BYTES = 64 * 1024;

/** The format of a file name: .csv/.tsv/.txt are CSV, .ndjson/.jsonl NDJSON, .json a JSON array, .parquet Parquet. */
export function formatOf(path: string): FileFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.json') return 'json';
  if (ext === '.parquet' || ext === '.pq') return 'parquet';
  throw new AppError('import.unsupported_format', `Cannot tell the format of ${path} from its extension "${ext}".`);
}

/** Whether the bytes are valid UTF-8, ignoring a sequence cut at the end (the sniffed prefix may end mid-character). */
function validUtf8Prefix(bytes: Buffer): boolean {
  let end = bytes.length;
  // Back up over at most 3 continuation bytes and their lead byte, so that a cut character is not an error.
  for (let k = 1; k <= 3 && end - k >= 0; k++) {
    const b = bytes[end - k] as number;
    if ((b & 0xc0) === 0x80) continue;
    if (b >= 0xc0) end -= k;
    break;
  }
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, end));
    return true;
  } catch {
    return false;
  }
}

async function sniff(path: string): Promise<{ head: Buffer; bytes: number }> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new AppError('import.unreadable_file', `${path} is not a file.`);
    size = s.size;
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('import.unreadable_file', `Cannot read ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}.`, { cause });
  }
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(SNIFF_BYTES, size));
    await fh.read(head, 0, head.length, 0);
    return { head, bytes: size };
  } finally {
    await fh.close();
  }
}

/**
 * Decodes a file's bytes as text, piece by piece. UTF-8 is decoded strictly: an invalid sequence past the sniffed
 * prefix stops the import with import.bad_encoding (declare --encoding windows-1252) rather than writing U+FFFD into
 * profiles. (WHATWG decoders read "latin1" as Windows-1252, a superset for printable text.)
 */
async function* decodedText(path: string, encoding: 'utf-8' | 'windows-1252', onBytes: (n: number) => void): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: encoding === 'utf-8', ignoreBOM: false });
  let offset = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const buf = chunk as Buffer;
    try {
      yield decoder.decode(buf, { stream: true });
    } catch (cause) {
      throw new AppError(
        'import.bad_encoding',
        `${path} is not valid UTF-8 after byte ${offset}: declare its encoding (--encoding windows-1252).`,
        { cause },
      );
    }
    offset += buf.length;
    onBytes(buf.length);
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** Lines of text, split on LF (a CR before it is dropped). */
async function* lines(text: AsyncIterable<string>): AsyncGenerator<string> {
  let buf = '';
  for await (const piece of text) {
    buf += piece;
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      yield buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      nl = buf.indexOf('\n');
    }
  }
  if (buf.length > 0) yield buf.replace(/\r$/, '');
}

export interface OpenedFile {
  info: FileInfo;
  /** Each data row, or a bad row; `bytesRead` grows as the file is read (for progress). */
  rows(): AsyncGenerator<SourceRow | BadRow>;
  bytesRead(): number;
}

export const isBadRow = (r: SourceRow | BadRow): r is BadRow => 'message' in r;

/** Opens a file for import: sniffs its encoding and (for CSV) delimiter and header, then streams its rows. */
export async function openImportFile(path: string, opts: ReadOptions = {}): Promise<OpenedFile> {
  const format = opts.format ?? formatOf(path);
  const { head, bytes } = await sniff(path);
  if (format === 'parquet') return openParquetImport(path, bytes);
  const declared = opts.encoding ?? 'auto';
  const encoding: 'utf-8' | 'windows-1252' = declared === 'auto' ? (validUtf8Prefix(head) ? 'utf-8' : 'windows-1252') : declared;
  let read = 0;
  const counted = async function* (): AsyncGenerator<string> {
    yield* decodedText(path, encoding, (n) => (read += n));
  };
  const headText = new TextDecoder(encoding).decode(head);
  const firstLine = (headText.split(/\r?\n|\r/)[0] ?? '').replace(/^\uFEFF/, '');

  if (format === 'csv') {
    const delimiter = opts.delimiter ?? detectDelimiter(firstLine);
    const headerFields = new CsvParser(delimiter).push(`${firstLine}\n`)[0]?.fields ?? [];
    const columns = headerFields.map((c) => c.trim());
    if (columns.length === 0 || columns.every((c) => c === '')) {
      throw new AppError('import.malformed_row', `${path} has no header line: the first line must name the columns.`);
    }
    const seen = new Set<string>();
    for (const c of columns) {
      if (seen.has(c)) throw new AppError('import.malformed_row', `${path}: the header names the column "${c}" twice.`, { path: 'line 1' });
      seen.add(c);
    }
    return {
      info: { format, encoding, delimiter, columns, bytes },
      bytesRead: () => Math.min(read, bytes),
      rows: async function* () {
        const parser = new CsvParser(delimiter);
        let header = true;
        let row = 0;
        const toRow = (rec: { line: number; fields: string[] }): SourceRow | BadRow | null => {
          if (header) {
            header = false;
            return null;
          }
          row++;
          if (rec.fields.length !== columns.length) {
            // Trailing empty cells (a spreadsheet's ragged right edge) are tolerated; missing or extra data is not.
            const extra = rec.fields.slice(columns.length);
            if (!(rec.fields.length > columns.length && extra.every((f) => f === ''))) {
              return {
                row,
                line: rec.line,
                message: `Line ${rec.line} has ${rec.fields.length} cells; the header has ${columns.length}.`,
                raw: rec.fields.join(delimiter),
              };
            }
          }
          const values: Record<string, unknown> = {};
          columns.forEach((c, i) => (values[c] = rec.fields[i] ?? ''));
          return { row, line: rec.line, values };
        };
        try {
          let first = true;
          for await (let piece of counted()) {
            if (first) {
              piece = piece.replace(/^\uFEFF/, '');
              first = false;
            }
            for (const rec of parser.push(piece)) {
              const r = toRow(rec);
              if (r) yield r;
            }
          }
          for (const rec of parser.end()) {
            const r = toRow(rec);
            if (r) yield r;
          }
        } catch (e) {
          if (e instanceof CsvSyntaxError) throw new AppError('import.malformed_row', `${path}, line ${e.line}: ${e.message}`, { path: `line ${e.line}` });
          throw e;
        }
      },
    };
  }

  if (format === 'ndjson') {
    const sample = headText.split(/\r?\n/).slice(0, 50);
    return {
      info: { format, encoding, delimiter: null, columns: keysOf(sample.flatMap((l) => {
        const o = parseObject(l.replace(/^\uFEFF/, ''));
        return o ? [o] : [];
      })), bytes },
      bytesRead: () => Math.min(read, bytes),
      rows: async function* () {
        let line = 0;
        let row = 0;
        for await (let text of lines(counted())) {
          line++;
          if (line === 1) text = text.replace(/^\uFEFF/, '');
          if (text.trim() === '') continue;
          row++;
          const o = parseObject(text);
          if (o) yield { row, line, values: o };
          else yield { row, line, message: `Line ${line} is not a JSON object.`, raw: text };
        }
      },
    };
  }

  // A JSON array is parsed whole: there is no streaming JSON parser among the dependencies. Use NDJSON for big files.
  const MAX_JSON_BYTES = 256 * 1024 * 1024;
  if (bytes > MAX_JSON_BYTES) {
    throw new AppError('import.unsupported_format', `${path} is ${bytes} bytes: JSON arrays are read whole, up to 256 MB. Write it as NDJSON (one object per line).`);
  }
  let text = '';
  for await (const t of counted()) text += t;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (cause) {
    throw new AppError('import.malformed_row', `${path} is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}.`, { cause });
  }
  if (!Array.isArray(parsed)) throw new AppError('import.malformed_row', `${path} must hold a JSON array of objects.`);
  const items: unknown[] = parsed;
  return {
    info: { format, encoding, delimiter: null, columns: keysOf(items.slice(0, 50).flatMap((x) => (isObject(x) ? [x] : []))), bytes },
    bytesRead: () => bytes,
    rows: async function* () {
      let row = 0;
      for (const item of items) {
        row++;
        if (isObject(item)) yield { row, line: row, values: item };
        else yield { row, line: row, message: `Item ${row} of the array is not a JSON object.`, raw: JSON.stringify(item) ?? 'null' };
      }
    },
  };
}

/** A Parquet file, read through DuckDB: typed columns, no encoding or delimiter; progress counted in rows. */
async function openParquetImport(path: string, bytes: number): Promise<OpenedFile> {
  const file = await openParquet(path);
  let done = 0;
  return {
    info: { format: 'parquet', encoding: 'utf-8', delimiter: null, columns: file.columns, bytes },
    bytesRead: () => (file.rows === 0 ? bytes : Math.round((bytes * done) / file.rows)),
    rows: async function* () {
      try {
        for await (const values of file.read()) {
          done++;
          yield { row: done, line: done, values };
        }
      } finally {
        file.close();
      }
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

function keysOf(objects: Record<string, unknown>[]): string[] {
  const keys = new Set<string>();
  for (const o of objects) for (const k of Object.keys(o)) keys.add(k);
  return [...keys];
}
