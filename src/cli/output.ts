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

/** One clear line for the error, one for what to do; never a stack trace. */
export function describeError(e: unknown): { code: ErrorCode; line: string; hint: string } {
  if (e instanceof AppError) return { code: e.code, line: e.message, hint: e.hint };
  const message = e instanceof Error ? e.message.split('\n')[0] ?? 'unknown error' : String(e);
  return { code: 'server.internal', line: message, hint: hintOf('server.internal') };
}

export function printError(io: Io, e: unknown, json: boolean): void {
  const d = describeError(e);
  if (json) io.out(JSON.stringify({ error: { code: d.code, message: d.line, hint: d.hint } }));
  else io.err(`error [${d.code}]: ${d.line}\n  hint: ${d.hint}`);
}

/** Aligned `key  value` lines for the human-readable output. */
export function table(rows: [string, string | number | null | undefined][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v ?? '-'}`).join('\n');
}
