import { AppError, hintOf, type ErrorCode } from '../kernel/index.js';

/** Where the CLI writes: results to stdout, progress and errors to stderr. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress bars are drawn only then). */
  interactive: boolean;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  interactive: Boolean(process.stderr.isTTY),
};

/** The text an error was about (a segment definition), for showing where in it the error is. */
const sources = new WeakMap<object, string>();

/** Remembers the text `e` is about: printError then shows its line with a caret under the error's column. */
export function attachSource(e: unknown, text: string): void {
  if (typeof e === 'object' && e !== null) sources.set(e, text);
}

/** One clear line for the error, one for what to do; never a stack trace. */
export function describeError(e: unknown): { code: ErrorCode; line: string; hint: string } {
  if (e instanceof AppError) return { code: e.code, line: e.message, hint: e.hint };
  const message = e instanceof Error ? e.message.split('\n')[0] ?? 'unknown error' : String(e);
  return { code: 'server.internal', line: message, hint: hintOf('server.internal') };
}

export function printError(io: Io, e: unknown, json: boolean): void {
  const d = describeError(e);
  if (json) {
    // The API's error body: specifics (a parse error's line and column, the segments in the way) in `details`.
    const extra = e instanceof AppError ? { ...(e.path ? { path: e.path } : {}), ...(e.details ? { details: e.details } : {}) } : {};
    io.out(JSON.stringify({ error: { code: d.code, message: d.line, hint: d.hint, ...extra } }));
    return;
  }
  const more = e instanceof AppError ? [...sourceExcerpt(e), ...issueLines(e)] : [];
  io.err([`error [${d.code}]: ${d.line}`, ...more.map((l) => `  ${l}`), `  hint: ${d.hint}`].join('\n'));
}

/** `path: message` for each issue in the details (an AST that does not fit the language), unless the message has them. */
function issueLines(e: AppError): string[] {
  const issues = e.details?.issues;
  if (!Array.isArray(issues)) return [];
  const lines = issues.flatMap((i: unknown) =>
    typeof i === 'object' && i !== null && 'path' in i && 'message' in i ? [`${String(i.path)}: ${String(i.message)}`] : [],
  );
  return lines.every((l) => e.message.includes(l)) ? [] : lines;
}

/** `3 | the line` and a caret under the column, when the error has a line and column in a remembered text. */
export function sourceExcerpt(e: AppError): string[] {
  const text = sources.get(e);
  const line = e.details?.line;
  const column = e.details?.column;
  if (text === undefined || typeof line !== 'number' || typeof column !== 'number') return [];
  let src = text.split(/\r?\n/)[line - 1];
  if (src === undefined) return [];
  let col = Math.max(1, Math.min(column, src.length + 1));
  // A long line is cut around the column.
  const WIDTH = 100;
  if (src.length > WIDTH) {
    const start = Math.max(0, Math.min(col - 1 - WIDTH / 2, src.length - WIDTH));
    const cut = src.slice(start, start + WIDTH);
    src = `${start > 0 ? '…' : ''}${cut}${start + WIDTH < src.length ? '…' : ''}`;
    col = col - start + (start > 0 ? 1 : 0);
  }
  const gutter = String(line);
  // Tabs stay tabs under the caret so that it lines up whatever the tab width.
  const pad = [...src.slice(0, col - 1)].map((c) => (c === '\t' ? '\t' : ' ')).join('');
  return [`${gutter} | ${src}`, `${' '.repeat(gutter.length)} | ${pad}^`];
}

/** Columns under a header, each as wide as its widest cell (the last one is not padded). */
export function columns(header: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [header, ...rows.map((r) => r.map((v) => (v === null || v === undefined ? '-' : String(v))))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => [...(r[i] ?? '')].length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - [...c].length)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Cut to `max` characters, with an ellipsis when cut. */
export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Aligned `key  value` lines for the human-readable output. */
export function table(rows: [string, string | number | null | undefined][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v ?? '-'}`).join('\n');
}
