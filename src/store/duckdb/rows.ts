import type { JS } from '@duckdb/node-api';
import { z } from 'zod';
import type { TraitState } from '../port.js';

/** Decoding of values read back from DuckDB: the database is an edge too, so every value is checked. */

export type Row = Record<string, JS>;
type Cell = JS | undefined;

export function str(v: Cell, column: string): string {
  if (typeof v !== 'string') throw new Error(`Column ${column}: expected text, got ${typeof v}`);
  return v;
}

export function strOrNull(v: Cell, column: string): string | null {
  return v === null || v === undefined ? null : str(v, column);
}

export function date(v: Cell, column: string): Date {
  if (v instanceof Date) return v;
  throw new Error(`Column ${column}: expected a timestamp`);
}

export function dateOrNull(v: Cell, column: string): Date | null {
  return v === null || v === undefined ? null : date(v, column);
}

export function num(v: Cell, column: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  throw new Error(`Column ${column}: expected a number`);
}

export function bool(v: Cell, column: string): boolean {
  if (typeof v === 'boolean') return v;
  throw new Error(`Column ${column}: expected a boolean`);
}

const JsonObject = z.record(z.string(), z.unknown());
const JsonTimes = z.record(z.string(), z.string());
const JsonStrings = z.array(z.string());

export function jsonObject(v: Cell, column: string): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  return JsonObject.parse(JSON.parse(str(v, column)));
}

export function jsonStrings(v: Cell, column: string): string[] {
  return JsonStrings.parse(JSON.parse(str(v, column)));
}

export function traitState(values: Cell, times: Cell, column: string): TraitState {
  return {
    values: jsonObject(values, column),
    times: times === null || times === undefined ? {} : JsonTimes.parse(JSON.parse(str(times, `${column}_times`))),
  };
}
