import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo } from '../src/demo/index.js';
import { listeningPort } from './support/server-process.js';
import { ADMIN_KEY, WRITE_KEY, basic } from './helpers.js';
import { BIN, cleanEnv, runCli } from './support/cli-process.js';

/**
 * The CLI as users run it: the built bin as a child process, its stdout, stderr and exit code. The "newer schema"
 * refusal is tested at the store (src/store/duckdb/migrations.test.ts): only store code may write to the file raw.
 */

const DEMO = { profiles: 200, days: 30, seed: 7, now: '2026-06-01T00:00:00Z' };
const DEMO_ARGS = ['--profiles', '200', '--days', '30', '--seed', '7', '--now', DEMO.now];
const LOCKED_HINT = 'hint: Another Segmentum process has this database open: stop it, or talk to it with --url and --admin-key.';

interface DemoSummary {
  profiles: number;
  days: number;
  seed: number;
  now: string;
  messages: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  seconds: number;
}

interface Stats {
  profiles: number;
  events: number;
  quarantined: number;
  duplicates: number;
  accounts: number;
}

interface Profile {
  id: string;
  identities: { kind: string; value: string }[];
  events: { total: number; byType: Record<string, number> };
}

interface QuarantineList {
  total: number;
  items: { id: string; code: string; status: string; raw: string }[];
}

interface ReplayReport {
  replayed: number;
  stillRejected: number;
  duplicates: number;
  results: { id: string; outcome: string; code?: string }[];
}

const dirs: string[] = [];
const servers = new Set<ChildProcess>();

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'segmentum-cli-'));
  dirs.push(dir);
  return join(dir, 'segmentum.duckdb');
}

/** The environment without SEGMENTUM_* variables, so that only the flags given count. */
const cli = runCli;

/** Runs a command expected to succeed and parses its JSON output. */
async function cliJson<T>(...args: string[]): Promise<T> {
  const r = await cli(...args);
  expect(r.code, `segmentum ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** `segmentum serve --port 0`: the real address is read from the line printed once listening. */
async function serve(db: string): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const args = [BIN, 'serve', '--port', '0', '--db', db, '--write-key', WRITE_KEY, '--admin-key', ADMIN_KEY, '--log-level', 'warn'];
  const proc = spawn(process.execPath, args, { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  servers.add(proc);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let err = '';
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const port = await listeningPort(proc, exited, () => err);
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      proc.kill('SIGTERM');
      return exited;
    },
  };
}

async function post(url: string, path: string, body: string): Promise<number> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { authorization: basic(WRITE_KEY), 'content-type': 'application/json' },
    body,
  });
  await res.body?.cancel();
  return res.status;
}

afterEach(() => {
  for (const p of servers) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  servers.clear();
});

afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('segmentum demo, stats, profile', () => {
  const dbA = tempDb();
  const dbB = tempDb();
  let summaries: DemoSummary[] = [];

  beforeAll(async () => {
    // Two fresh databases, loaded side by side with the same options.
    summaries = await Promise.all([dbA, dbB].map((db) => cliJson<DemoSummary>('demo', ...DEMO_ARGS, '--db', db, '--json')));
  }, 30_000);

  it('loads the demo audience and reports what it stored', () => {
    const [a] = summaries;
    expect(a).toMatchObject({ profiles: 200, days: 30, seed: 7, now: '2026-06-01T00:00:00.000Z' });
    expect(a?.messages).toBeGreaterThan(1000);
    expect((a?.accepted ?? 0) + (a?.duplicates ?? 0) + (a?.rejected ?? 0)).toBe(a?.messages);
  });

  it('gives the same data for the same seed', async () => {
    const [a, b] = summaries.map(({ seconds: _seconds, ...rest }) => rest);
    expect(a).toEqual(b);
    const [sa, sb] = await Promise.all([dbA, dbB].map((db) => cliJson<Stats>('stats', '--db', db, '--json')));
    expect(sa).toEqual(sb);
    expect(sa?.events).toBe(summaries[0]?.accepted);
    expect(sa?.profiles).toBeGreaterThanOrEqual(100);
    expect(sa?.duplicates).toBe(summaries[0]?.duplicates);
  });

  it('prints stats as a table without --json', async () => {
    const r = await cli('stats', '--db', dbA);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^events\s+\d+$/m);
    expect(r.stdout).toMatch(/^profiles\s+\d+$/m);
  });

  it('shows a profile by userId and by profile id', async () => {
    // A customer the generator made with these options; the CLI must find every event sent under that userId.
    const messages = [...generateDemo({ ...DEMO, now: new Date(DEMO.now) })].flat();
    const userId = messages.map((m) => m.userId).find((u): u is string => typeof u === 'string');
    expect(userId).toBeDefined();
    const sent = messages.filter((m) => m.userId === userId).length;

    const p = await cliJson<Profile>('profile', userId as string, '--db', dbA, '--json');
    expect(p.id).toMatch(/^prof_/);
    expect(p.identities).toContainEqual(expect.objectContaining({ kind: 'user_id', value: userId }));
    expect(p.events.total).toBeGreaterThanOrEqual(sent);

    const byId = await cliJson<Profile>('profile', p.id, '--db', dbA, '--json');
    expect(byId).toEqual(p);

    const text = await cli('profile', userId as string, '--db', dbA);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(p.id);
    expect(text.stdout).toMatch(new RegExp(`user_id\\s+${userId}`));
  });

  it('says when no profile matches: exit 1, the code and a hint on stderr, or a JSON error with --json', async () => {
    const r = await cli('profile', 'nobody', '--db', dbA);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error \[profile\.not_found\]: .*nobody/m);
    expect(r.stderr).toMatch(/^ {2}hint: /m);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);

    const j = await cli('profile', 'nobody', '--db', dbA, '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ error: { code: 'profile.not_found', hint: expect.any(String) } });
  });
});

describe('segmentum command line errors', () => {
  it('exits non-zero on an unknown command', async () => {
    const r = await cli('frobnicate');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  it('asks what to replay when given nothing to select', async () => {
    const r = await cli('quarantine', 'replay', '--db', tempDb());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[config\.invalid\]: .*--all/m);
  });

  it('refuses a bad number', async () => {
    const r = await cli('demo', '--profiles', 'many', '--db', tempDb());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error \[config\.invalid\]: --profiles must be a whole number/m);
  });
});

describe('segmentum with a running server', () => {
  it('finds the database locked, talks to the server with --url, then manages quarantine on the file', async () => {
    const db = tempDb();
    const server = await serve(db);
    // A single event posted as a batch (kept whole as request.invalid; replayable as one event), an event without
    // identity (event.missing_identity; still bad on replay) and a good one.
    const single = JSON.stringify({ type: 'track', userId: 'cli-user', event: 'Sent To The Wrong Path', messageId: 'cli-q-1' });
    expect(await post(server.url, '/v1/batch', single)).toBe(400);
    const batch = JSON.stringify({
      batch: [
        { type: 'track', event: 'Nobody', messageId: 'cli-q-2' },
        { type: 'identify', userId: 'cli-other', traits: { plan: 'pro' }, messageId: 'cli-ok-1' },
      ],
    });
    expect(await post(server.url, '/v1/batch', batch)).toBe(200);

    // These run side by side: the server answers them all while the file stays locked to other processes.
    const remote = ['--url', server.url, '--admin-key', ADMIN_KEY, '--json'];
    const [locked, stats, other, listed, missing, wrongKey] = await Promise.all([
      cli('stats', '--db', db),
      cliJson<Stats>('stats', ...remote),
      cliJson<Profile>('profile', 'cli-other', ...remote),
      cliJson<QuarantineList>('quarantine', 'list', ...remote),
      cli('profile', 'cli-user', ...remote),
      cli('stats', '--url', server.url, '--admin-key', 'not-the-admin-key'),
    ]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/^error \[store\.locked\]: /m);
    expect(locked.stderr).toContain(LOCKED_HINT);
    expect(stats).toMatchObject({ events: 1, quarantined: 2, profiles: 1 });
    expect(other.identities).toContainEqual(expect.objectContaining({ kind: 'user_id', value: 'cli-other' }));
    expect(listed.items.map((i) => i.code).sort()).toEqual(['event.missing_identity', 'request.invalid']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'profile.not_found' } });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/^error \[auth\.invalid_admin_key\]/m);

    expect(await server.stop()).toBe(0);

    const byCode = await cliJson<QuarantineList>('quarantine', 'list', '--code', 'request.invalid', '--db', db, '--json');
    expect(byCode.total).toBe(1);
    expect(JSON.parse(byCode.items[0]?.raw ?? '')).toMatchObject({ messageId: 'cli-q-1' });

    const report = await cliJson<ReplayReport>('quarantine', 'replay', '--all', '--db', db, '--json');
    expect(report).toMatchObject({ replayed: 1, stillRejected: 1, duplicates: 0 });
    expect(report.results.map((r) => [r.outcome, r.code ?? null]).sort()).toEqual([
      ['accepted', null],
      ['rejected', 'event.missing_identity'],
    ]);

    const pending = await cliJson<QuarantineList>('quarantine', 'list', '--db', db, '--json');
    expect(pending.items.map((i) => i.code)).toEqual(['event.missing_identity']);
    const replayed = await cliJson<QuarantineList>('quarantine', 'list', '--status', 'replayed', '--db', db, '--json');
    expect(replayed.items.map((i) => i.status)).toEqual(['replayed']);
    const user = await cliJson<Profile>('profile', 'cli-user', '--db', db, '--json');
    expect(user.events).toMatchObject({ total: 1, byType: { track: 1 } });
    expect(await cliJson<Stats>('stats', '--db', db, '--json')).toMatchObject({ events: 2, quarantined: 1 });

    // Replaying again finds nothing pending that passes: the event is not stored twice.
    const again = await cliJson<ReplayReport>('quarantine', 'replay', '--all', '--db', db, '--json');
    expect(again).toMatchObject({ replayed: 0, stillRejected: 1 });
    expect(await cliJson<Stats>('stats', '--db', db, '--json')).toMatchObject({ events: 2 });
  }, 60_000);
});

interface KeyView {
  id: string;
  label: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
  prefix: string;
  key: string | null;
}

describe('segmentum keys', () => {
  it('creates keys on the file, then lists and revokes them through the server, with scopes enforced', async () => {
    const db = tempDb();
    const reader = await cliJson<KeyView>('keys', 'create', ' Reporting ', '--scopes', 'read', '--db', db, '--json');
    expect(reader).toMatchObject({ label: 'Reporting', scopes: ['read'], revokedAt: null, key: expect.stringMatching(/^rk_/) });
    const mixed = await cli('keys', 'create', 'bad', '--scopes', 'track,read', '--db', db, '--json');
    expect(mixed.code).toBe(1);
    expect(JSON.parse(mixed.stdout)).toMatchObject({ error: { code: 'keys.invalid_scopes' } });
    const unknownScope = await cli('keys', 'create', 'bad', '--scopes', 'admin', '--db', db);
    expect(unknownScope.stderr).toMatch(/^error \[config\.invalid\]: --scopes/m);

    const server = await serve(db);
    const remote = ['--url', server.url, '--admin-key', ADMIN_KEY];
    const listed = await cliJson<{ items: KeyView[] }>('keys', 'list', ...remote, '--json');
    expect(listed.items.find((k) => k.id === reader.id)).toMatchObject({ label: 'Reporting', key: null, prefix: reader.key?.slice(0, 7) });
    expect(listed.items.find((k) => k.key === WRITE_KEY)?.scopes).toEqual(['track']);
    const table = await cli('keys', 'list', ...remote);
    expect(table.stdout).toMatch(new RegExp(`^${reader.id}\\s+Reporting\\s+read\\s`, 'm'));

    const readerRemote = ['--url', server.url, '--admin-key', reader.key as string];
    expect((await cliJson<{ items: KeyView[] }>('keys', 'list', ...readerRemote, '--json')).items.length).toBe(listed.items.length);
    const denied = await cli('keys', 'create', 'more', '--scopes', 'manage', ...readerRemote);
    expect(denied.stderr).toMatch(/^error \[auth\.forbidden_scope\]: POST needs the manage scope/m);

    const revoked = await cliJson<KeyView>('keys', 'revoke', reader.id, ...remote, '--json');
    expect(revoked.revokedAt).not.toBeNull();
    const refused = await cli('stats', ...readerRemote);
    expect(refused.stderr).toMatch(/^error \[auth\.revoked_key\]/m);
    expect(await server.stop()).toBe(0);
  }, 60_000);
});
