import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, silentLogger } from '../../kernel/index.js';
import { openDuckDbStore } from './duckdb-store.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'segmentum-migrations-'));
  dirs.push(dir);
  return join(dir, 'segmentum.duckdb');
}

/** How many of this process's file descriptors point at the database file (Linux: /proc/self/fd). */
function openHandles(path: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === path;
    } catch {
      return false;
    }
  }).length;
}

/** Runs one statement on the file with the driver directly, as another tool (or a newer Segmentum) would. */
async function withDriver<T>(path: string, fn: (sql: (text: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(path);
  const conn = await instance.connect();
  try {
    return await fn(async (text) => (await conn.runAndReadAll(text)).getRowObjectsJS());
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('schema migrations', () => {
  it('numbers migrations from 1 without gaps, so the newest version is their count', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('applies every migration once to a new file and none again on reopening', async () => {
    const path = tempDb();
    await (await openDuckDbStore({ path, logger: silentLogger })).close();
    await (await openDuckDbStore({ path, logger: silentLogger })).close();
    const rows = await withDriver(path, (sql) => sql('SELECT version FROM schema_migrations ORDER BY version'));
    expect(rows.map((r) => Number(r.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('refuses a database written by a newer schema, and leaves the file as it was', async () => {
    const path = tempDb();
    await (await openDuckDbStore({ path, logger: silentLogger })).close();
    await withDriver(path, (sql) => sql(`INSERT INTO schema_migrations VALUES (999, 'from a newer Segmentum', now())`));

    const opening = openDuckDbStore({ path, logger: silentLogger });
    await expect(opening).rejects.toBeInstanceOf(AppError);
    await expect(opening).rejects.toMatchObject({ code: 'store.schema_too_new', message: expect.stringContaining('999') });
    // The refused open closed the file (it would otherwise stay locked against other processes until this one exits).
    if (existsSync('/proc/self/fd')) expect(openHandles(path)).toBe(0);

    // Nothing was migrated down or rewritten, and the refused open let go of the file.
    const rows = await withDriver(path, (sql) => sql('SELECT max(version) AS v, count(*) AS n FROM schema_migrations'));
    expect(rows.map((r) => ({ v: Number(r.v), n: Number(r.n) }))).toEqual([{ v: 999, n: MIGRATIONS.length + 1 }]);
  });
});
