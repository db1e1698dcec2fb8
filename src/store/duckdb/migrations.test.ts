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

  it('upgrades a version 2 database: keys get the scopes of their kind, events their receive order', async () => {
    const path = tempDb();
    await withDriver(path, async (sql) => {
      await sql('CREATE TABLE schema_migrations (version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL)');
      for (const m of MIGRATIONS.filter((x) => x.version <= 2)) {
        for (const statement of m.statements) await sql(statement);
        await sql(`INSERT INTO schema_migrations VALUES (${m.version}, '${m.name}', now())`);
      }
      await sql(`INSERT INTO api_keys VALUES ('key_w', 'write', 'hash-w', 'generated', TIMESTAMPTZ '2026-01-01 00:00:00+00'),
                                             ('key_a', 'admin', 'hash-a', 'configured', TIMESTAMPTZ '2026-01-02 00:00:00+00')`);
      // Appended out of receive order: the receive order, not the row order, numbers them.
      for (const [id, at] of [['m-late', '2026-01-03 00:00:02'], ['m-early', '2026-01-03 00:00:01'], ['m-last', '2026-01-03 00:00:03']]) {
        await sql(`INSERT INTO events (message_id, source_id, profile_id, type, ts, received_at, message_id_generated)
                   VALUES ('${id}', 'src', 'prof_1', 'track', TIMESTAMPTZ '${at}+00', TIMESTAMPTZ '${at}+00', false)`);
      }
    });
    const store = await openDuckDbStore({ path, logger: silentLogger });
    try {
      const keys = await store.listKeys();
      expect(keys.map((k) => ({ id: k.keyId, scopes: k.scopes, revokedAt: k.revokedAt, prefix: k.prefix, plainKey: k.plainKey }))).toEqual([
        { id: 'key_w', scopes: ['track'], revokedAt: null, prefix: '', plainKey: null },
        { id: 'key_a', scopes: ['read', 'manage'], revokedAt: null, prefix: '', plainKey: null },
      ]);
      expect((await store.recentEvents({ limit: 10 })).map((e) => [e.seq, e.messageId])).toEqual([
        [3, 'm-last'],
        [2, 'm-late'],
        [1, 'm-early'],
      ]);
    } finally {
      await store.close();
    }
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
