/**
 * A streaming CSV parser (RFC 4180 plus the habits of spreadsheet exports): fields in double quotes may hold the
 * delimiter, newlines and doubled quotes; records end with LF, CRLF or CR. Text is pushed in pieces of any size and
 * complete records come out, each with the line it starts on, so a file is never held whole in memory.
 */
export interface CsvRecord {
  /** 1-based physical line of the file where the record starts (a quoted newline makes a record span lines). */
  line: number;
  fields: string[];
}

export class CsvParser {
  private field = '';
  private fields: string[] = [];
  private inQuotes = false;
  /** A quote seen inside a quoted field: either the end of the field or the first of a doubled quote. */
  private quotePending = false;
  /** A CR was the last character: an LF right after it belongs to the same line end. */
  private afterCr = false;
  private line = 1;
  private recordLine = 1;
  /** Whether the current record has any content (an empty line is not a record). */
  private started = false;

  constructor(private readonly delimiter: string) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new Error(`Invalid CSV delimiter ${JSON.stringify(delimiter)}`);
    }
  }

  /** Parses the next piece of text; returns the records it completed. */
  push(text: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    const d = this.delimiter;
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (this.afterCr) {
        this.afterCr = false;
        if (c === '\n') continue;
      }
      if (this.inQuotes) {
        if (this.quotePending) {
          this.quotePending = false;
          if (c === '"') {
            this.field += '"';
            continue;
          }
          this.inQuotes = false;
          // fall through: c is read as outside quotes
        } else if (c === '"') {
          this.quotePending = true;
          continue;
        } else {
          if (c === '\n' || c === '\r') {
            this.line++;
            if (c === '\r') this.afterCr = true;
            this.field += '\n';
          } else this.field += c;
          continue;
        }
      }
      if (c === d) {
        this.started = true;
        this.fields.push(this.field);
        this.field = '';
      } else if (c === '\n' || c === '\r') {
        if (c === '\r') this.afterCr = true;
        this.endRecord(out);
        this.line++;
        this.recordLine = this.line;
      } else if (c === '"' && this.field === '') {
        this.started = true;
        this.inQuotes = true;
      } else {
        // A quote inside an unquoted field is kept as text, as spreadsheets write it.
        this.started = true;
        this.field += c;
      }
    }
    return out;
  }

  /** Ends the input: returns the last record when the text did not end with a newline. */
  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (this.inQuotes && !this.quotePending) {
      throw new CsvSyntaxError(this.recordLine, 'A quoted field is not closed before the end of the file.');
    }
    this.inQuotes = false;
    this.quotePending = false;
    this.endRecord(out);
    return out;
  }

  private endRecord(out: CsvRecord[]): void {
    if (this.started || this.field !== '') {
      this.fields.push(this.field);
      out.push({ line: this.recordLine, fields: this.fields });
    }
    this.fields = [];
    this.field = '';
    this.started = false;
  }
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

export const DELIMITERS = [',', ';', '\t', '|'] as const;

/**
 * The delimiter of a header line: the candidate (, ; tab |) found most often outside quotes; a comma when none is.
 * A header names columns, so it rarely holds a delimiter by accident.
 */
export function detectDelimiter(headerLine: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let inQuotes = false;
  for (const c of headerLine) {
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes && counts.has(c)) counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const [d, n] of counts) {
    if (n > bestCount) {
      best = d;
      bestCount = n;
    }
  }
  return best;
}
