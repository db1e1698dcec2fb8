import { err, ok, type Result } from '../../kernel/index.js';

/**
 * A CSV reader for the files people export from CRMs and spreadsheets: a header row, `,` or `;` as separator (the
 * one the header line uses most), RFC 4180 quotes ("a ""b"", c"), CRLF or LF line ends, a UTF-8 byte-order mark.
 * Cells are trimmed, so Febrl's `, ` separated files read as intended.
 */

export interface CsvTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface CsvProblem {
  readonly code: 'matching.invalid_csv';
  readonly message: string;
  /** 1-based line of the input where the problem is. */
  readonly line: number;
}

export function parseCsv(text: string): Result<CsvTable, CsvProblem> {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const firstLine = src.slice(0, src.search(/\r?\n|$/));
  const sep = (firstLine.match(/;/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0) ? ';' : ',';
  const records: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  let line = 1;
  let recordLine = 1;
  const endCell = (): void => {
    cells.push(wasQuoted ? cell : cell.trim());
    cell = '';
    wasQuoted = false;
  };
  const endRecord = (): void => {
    endCell();
    if (!(cells.length === 1 && cells[0] === '')) records.push({ cells, line: recordLine });
    cells = [];
  };
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"' && cell.trim() === '') {
      quoted = true;
      wasQuoted = true;
      cell = '';
    } else if (c === sep) endCell();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (!wasQuoted) cell += c;
    else if (c.trim() !== '') return err({ code: 'matching.invalid_csv', message: `text after a closing quote on line ${line}`, line });
  }
  if (quoted) return err({ code: 'matching.invalid_csv', message: `a quote opened on line ${recordLine} is never closed`, line: recordLine });
  if (cell !== '' || wasQuoted || cells.length > 0) endRecord();
  const [head, ...body] = records;
  if (head === undefined) return err({ code: 'matching.invalid_csv', message: 'the file is empty (a header row is needed)', line: 1 });
  for (const r of body) {
    if (r.cells.length !== head.cells.length) {
      return err({
        code: 'matching.invalid_csv',
        message: `line ${r.line} has ${r.cells.length} cells where the header has ${head.cells.length}`,
        line: r.line,
      });
    }
  }
  return ok({ header: head.cells, rows: body.map((r) => r.cells) });
}
