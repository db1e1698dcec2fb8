import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listeningPort } from './support/server-process.js';
import { ADMIN_KEY, WRITE_KEY } from './helpers.js';
import { BIN, cleanEnv, runCli } from './support/cli-process.js';

/**
 * `segmentum segments ...` as users run it: the built bin as a child process, on a demo database file and through a
 * running server (--url), whose --json answers must be the same documents. The tests of the first suite build on
 * each other, in order, on one file.
 */

// A small audience: 30 people, of whom a handful bought something (the members tests page through them).
const DEMO_ARGS = ['--profiles', '30', '--days', '30', '--seed', '1'];

interface Segment {
  id: string;
  name: string;
  description: string;
  kind: 'rule' | 'manual';
  text: string | null;
  definition: unknown;
  size?: number;
  createdAt: string;
  updatedAt: string;
}

interface MembersPage {
  items: { profileId: string; since: string }[];
  nextCursor: string | null;
}

interface Change {
  seq: number;
  segmentId: string;
  profileId: string;
  change: 'entered' | 'exited';
  at: string;
  reason: { trigger?: string };
}

interface ChangesPage {
  cursor: string;
  changes: Change[];
}

interface ExplainNode {
  condition: string;
  result: boolean;
  value?: unknown;
  children?: ExplainNode[];
}

interface ErrorOut {
  error: { code: string; message: string; hint: string; path?: string; details?: Record<string, unknown> };
}

const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'segmentum-cli-segments-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The environment without SEGMENTUM_* variables, so that only the flags given count. */
const cli = runCli;

/** `segmentum serve --port 0`: the real address is read from the line printed once listening. */
async function serve(db: string): Promise<{ url: string; stop: () => Promise<number | null> }> {
  const args = [BIN, 'serve', '--port', '0', '--db', db, '--write-key', WRITE_KEY, '--admin-key', ADMIN_KEY, '--log-level', 'warn'];
  const proc = spawn(process.execPath, args, { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let err = '';
  proc.stderr.on('data', (c: Buffer) => (err += c.toString()));
  try {
    const port = await listeningPort(proc, exited, () => err);
    return {
      url: `http://127.0.0.1:${port}`,
      stop: async () => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
        return exited;
      },
    };
  } catch (e) {
    proc.kill('SIGKILL');
    throw e;
  }
}

async function ok(...args: string[]): Promise<string> {
  const r = await cli(...args);
  expect(r.code, `segmentum ${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

async function json<T>(...args: string[]): Promise<T> {
  return JSON.parse(await ok(...args, '--json')) as T;
}

const BUYERS = 'count(event = "Order Completed") >= 1';
// browsing-buyers, as the AST in a .json file: bought, and viewed at least three products.
const BROWSING_AST = {
  kind: 'and',
  of: [
    { kind: 'in_segment', segment: 'buyers' },
    { kind: 'compare', left: { kind: 'aggregate', fn: 'count', event: 'Product Viewed' }, op: '>=', value: 3 },
  ],
};
const BAD = 'trait.country = "FR" and\n  count(event = "Order Completed", within = 30x) >= 1';

describe('segmentum segments on the database file', () => {
  const dir = tempDir();
  const DB = ['--db', join(dir, 'segmentum.duckdb')];
  let buyers: Segment;
  let browsing: Segment;
  let buyerIds: string[] = [];

  beforeAll(async () => {
    await ok('demo', ...DEMO_ARGS, ...DB, '--json');
  }, 30_000);

  it('creates a segment from text and one from a .json AST file, with their sizes', async () => {
    buyers = await json<Segment>('segments', 'create', 'buyers', '--definition', BUYERS, '--description', 'Bought once or more', ...DB);
    expect(buyers).toMatchObject({ name: 'buyers', kind: 'rule', text: BUYERS, description: 'Bought once or more' });
    expect(buyers.id).toMatch(/^seg_/);
    expect(buyers.size).toBeGreaterThan(4);

    const file = join(dir, 'browsing-buyers.json');
    writeFileSync(file, JSON.stringify(BROWSING_AST));
    const text = await ok('segments', 'create', 'browsing-buyers', '--file', file, ...DB);
    expect(text).toMatch(/^created browsing-buyers \(seg_\w+\)$/m);
    expect(text).toContain('in_segment("buyers") and count(event = "Product Viewed") >= 3');
    browsing = await json<Segment>('segments', 'show', 'browsing-buyers', ...DB);
    expect(browsing.definition).toEqual(BROWSING_AST);
    expect(browsing.size).toBeLessThanOrEqual(buyers.size ?? 0);
  });

  it('lists segments as a table and as the API document', async () => {
    const table = await ok('segments', 'list', ...DB);
    expect(table).toMatch(/^name\s+id\s+kind\s+size\s+text$/m);
    expect(table).toMatch(new RegExp(`^buyers\\s+${buyers.id}\\s+rule\\s+${buyers.size}\\s+count\\(event = "Order Completed"\\) >= 1$`, 'm'));
    // The text column is cut; --json has it whole.
    expect(table).toMatch(/^browsing-buyers\s+seg_\w+\s+rule\s+\d+\s+in_segment\("buyers"\) and count\(event = "Product Viewed"\) >=…$/m);

    const list = await json<{ items: Segment[] }>('segments', 'list', ...DB);
    const mine = list.items.filter((s) => s.name === 'buyers' || s.name === 'browsing-buyers');
    expect(mine).toEqual([buyers, browsing]);
  });

  it('shows a segment by id or name', async () => {
    const text = await ok('segments', 'show', buyers.id, ...DB);
    expect(text).toMatch(/^name\s+buyers$/m);
    expect(text).toMatch(new RegExp(`^size\\s+${buyers.size}$`, 'm'));
    expect(text).toMatch(/^description\s+Bought once or more$/m);
    expect(text).toContain(`definition:\n  ${BUYERS}`);
    expect(await json<Segment>('segments', 'show', 'buyers', ...DB)).toEqual(buyers);
  });

  it('previews a definition: size and sample, without saving it', async () => {
    const p = await json<{ size: number; sample: string[]; at: string; text: string }>('segments', 'preview', '--definition', BUYERS, ...DB);
    expect(p.size).toBe(buyers.size);
    expect(p.sample.length).toBe(Math.min(10, p.size));
    expect(p.text).toBe(BUYERS);

    // --at moves the windows' end (an aggregate without a window counts every event, whatever the instant).
    const windowed = 'count(event = "Order Completed", within = 365d) >= 1';
    const past = await json<{ size: number; at: string }>('segments', 'preview', '--definition', windowed, '--at', '2000-01-01', ...DB);
    expect(past).toMatchObject({ size: 0, at: '2000-01-01T00:00:00.000Z' });

    const text = await ok('segments', 'preview', '--definition', 'in_segment("buyers")', ...DB);
    expect(text).toMatch(new RegExp(`^size\\s+${buyers.size}$`, 'm'));
    expect(text).toMatch(/^sample:\n {2}prof_/m);
  });

  it('points at a parse error: line:column, the line and a caret; exit 1', async () => {
    const r = await cli('segments', 'create', 'bad', '--definition', BAD, ...DB);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error \[segments\.parse_error\]: 2:45: /m);
    expect(r.stderr).toContain(['  2 |   count(event = "Order Completed", within = 30x) >= 1', `    | ${' '.repeat(44)}^`].join('\n'));
    expect(r.stderr).toMatch(/^ {2}hint: /m);

    const j = await cli('segments', 'preview', '--definition', BAD, ...DB, '--json');
    expect(j.code).toBe(1);
    const e = JSON.parse(j.stdout) as ErrorOut;
    expect(e.error).toMatchObject({ code: 'segments.parse_error', path: 'definition', details: { line: 2, column: 45, found: '30x' } });

    const usage = await cli('segments', 'create', 'bad', '--frobnicate', ...DB);
    expect(usage.code).toBe(2);
  });

  it('pages through members, and prints them all as CSV', async () => {
    const first = await json<MembersPage>('segments', 'members', 'buyers', '--limit', '4', ...DB);
    expect(first.items).toHaveLength(4);
    expect(first.nextCursor).toBe(first.items[3]?.profileId);
    const ids = first.items.map((m) => m.profileId);
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = await json<MembersPage>('segments', 'members', 'buyers', '--limit', '4', '--cursor', cursor, ...DB);
      ids.push(...page.items.map((m) => m.profileId));
      cursor = page.nextCursor;
    }
    expect(ids).toHaveLength(buyers.size ?? -1);
    expect([...ids].sort()).toEqual(ids);
    buyerIds = ids;

    const table = await ok('segments', 'members', 'buyers', '--limit', '4', ...DB);
    expect(table).toMatch(/^profile\s+since$/m);
    expect(table).toMatch(new RegExp(`^next cursor: ${first.nextCursor} `, 'm'));

    const csv = await ok('segments', 'members', buyers.id, '--csv', ...DB);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('profile_id,since,user_id');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(ids);
    expect(lines[1]).toMatch(/^prof_\w+,\d{4}-\d\d-\d\dT/);
  });

  it('explains why a member is in, given its profile id or its userId', async () => {
    const member = buyerIds[0] as string;
    const x = await json<{ segment: Segment; member: boolean; at: string; tree: ExplainNode }>('segments', 'explain', 'browsing-buyers', member, ...DB);
    expect(x.segment.id).toBe(browsing.id);
    const [inBuyers, views] = x.tree.children ?? [];
    expect(inBuyers).toMatchObject({ condition: 'in_segment("buyers")', result: true });
    expect(views).toMatchObject({ condition: 'count(event = "Product Viewed") >= 3', value: expect.any(Number) });
    expect(x.member).toBe(x.tree.result);

    const profile = await json<{ identities: { kind: string; value: string }[] }>('profile', member, ...DB);
    const userId = profile.identities.find((i) => i.kind === 'user_id')?.value;
    expect(userId).toBeDefined();
    const text = await ok('segments', 'explain', 'buyers', userId as string, ...DB);
    expect(text).toMatch(new RegExp(`^profile\\s+${member}$`, 'm'));
    expect(text).toMatch(/^member\s+yes$/m);
    expect(text).toMatch(/^✓ count\(event = "Order Completed"\) >= 1 {3}= [1-9]\d*$/m);
  });

  it('prints the change feed with its cursor', async () => {
    const page = await json<ChangesPage>('segments', 'changes', '--segment', 'buyers', '--limit', '10000', ...DB);
    expect(page.changes).toHaveLength(buyers.size ?? -1);
    expect(page.changes.every((c) => c.segmentId === buyers.id && c.change === 'entered' && c.reason.trigger === 'segment_created')).toBe(true);
    expect(page.cursor).toBe(String(page.changes.at(-1)?.seq));

    const firstTwo = await json<ChangesPage>('segments', 'changes', '--limit', '2', ...DB);
    expect(firstTwo.changes.map((c) => c.seq)).toEqual([1, 2]);
    expect(firstTwo.cursor).toBe('2');
    const next = await json<ChangesPage>('segments', 'changes', '--since', firstTwo.cursor, '--limit', '1', ...DB);
    expect(next.changes.map((c) => c.seq)).toEqual([3]);

    const text = await ok('segments', 'changes', '--segment', buyers.id, '--limit', '2', ...DB);
    expect(text).toMatch(/^seq\s+at\s+segment\s+profile\s+change\s+trigger$/m);
    expect(text).toMatch(/^\d+\s+\S+Z\s+buyers\s+prof_\w+\s+entered\s+segment_created$/m);
    expect(text).toMatch(/^cursor: \d+ /m);
  });

  it('refuses to delete a segment another one uses, then deletes them in order', async () => {
    const refused = await cli('segments', 'delete', 'buyers', ...DB);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error \[segments\.in_use\]: .*browsing-buyers/m);

    expect(await ok('segments', 'delete', 'browsing-buyers', ...DB)).toBe(`deleted browsing-buyers (${browsing.id})\n`);
    const gone = await json<Segment>('segments', 'delete', buyers.id, ...DB);
    expect(gone).toMatchObject({ id: buyers.id, name: 'buyers' });

    const list = await json<{ items: Segment[] }>('segments', 'list', ...DB);
    expect(list.items.map((s) => s.name)).not.toContain('buyers');
    // The feed keeps the exits of a deleted segment, found by its id.
    const exits = await json<ChangesPage>('segments', 'changes', '--segment', buyers.id, '--limit', '10000', ...DB);
    expect(exits.changes.filter((c) => c.change === 'exited' && c.reason.trigger === 'segment_deleted')).toHaveLength(buyers.size ?? -1);
  });

  it('makes a manual list and uploads its members from CSV, replacing then appending', async () => {
    const [a, b, c] = buyerIds;
    const noDef = await cli('segments', 'create', 'vip', ...DB);
    expect(noDef.code).toBe(1);
    expect(noDef.stderr).toMatch(/^error \[config\.invalid\]: .*--manual/m);

    const vip = await json<Segment>('segments', 'create', 'vip', '--manual', ...DB);
    expect(vip).toMatchObject({ kind: 'manual', text: null, definition: null, size: 0 });

    const first = join(dir, 'vip.csv');
    writeFileSync(first, `profile_id,note\n${a},x\n"${b}",y\nprof_nobody\n`);
    expect(await json('segments', 'upload', 'vip', first, ...DB)).toEqual({ added: 2, removed: 0, unknown: 1 });
    const more = join(dir, 'more.csv');
    writeFileSync(more, `${c}\r\n${a}\r\n`);
    const text = await ok('segments', 'upload', vip.id, more, '--append', ...DB);
    expect(text).toMatch(/^added\s+1$/m);
    expect(text).toMatch(/^removed\s+0$/m);

    const members = await json<MembersPage>('segments', 'members', 'vip', ...DB);
    expect(members.items.map((m) => m.profileId).sort()).toEqual([a, b, c].sort());
    expect(await json('segments', 'upload', 'vip', more, ...DB)).toEqual({ added: 0, removed: 1, unknown: 0 });
  });

  it('updates a name, definition and description, keeping what is not given', async () => {
    const seg = await json<Segment>('segments', 'create', 'viewers', '--definition', 'count(event = "Product Viewed") >= 1', ...DB);
    const renamed = await json<Segment>('segments', 'update', 'viewers', '--name', 'product-viewers', '--description', 'Viewed a product', ...DB);
    expect(renamed).toMatchObject({ id: seg.id, name: 'product-viewers', text: seg.text, size: seg.size, description: 'Viewed a product' });
    const file = join(dir, 'def.txt');
    writeFileSync(file, 'count(event = "Product Viewed") >= 3 # three or more\n');
    const changed = await json<Segment>('segments', 'update', seg.id, '--file', file, ...DB);
    expect(changed).toMatchObject({ name: 'product-viewers', description: 'Viewed a product', text: 'count(event = "Product Viewed") >= 3' });
    const nothing = await cli('segments', 'update', seg.id, ...DB);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/^error \[config\.invalid\]: Nothing to change/m);

    const csv = join(dir, 'ids.csv');
    writeFileSync(csv, `${buyerIds[0]}\n`);
    const upload = await cli('segments', 'upload', 'product-viewers', csv, ...DB, '--json');
    expect(upload.code).toBe(1);
    expect((JSON.parse(upload.stdout) as ErrorOut).error.code).toBe('segments.not_manual');
  });
});

describe('segmentum segments through a running server', () => {
  it('gives the same documents with --url as on the file', async () => {
    const db = join(tempDir(), 'segmentum.duckdb');
    await ok('demo', ...DEMO_ARGS, '--db', db, '--json');
    const local = await json<Segment>('segments', 'create', 'buyers', '--definition', BUYERS, '--db', db);
    const localList = await json<{ items: Segment[] }>('segments', 'list', '--db', db);
    const localChanges = await json<ChangesPage>('segments', 'changes', '--limit', '10000', '--db', db);

    const server = await serve(db);
    const remote = ['--url', server.url, '--admin-key', ADMIN_KEY];
    let created: Segment;
    let exitCode: number | null;
    try {
      // These run side by side: the server answers them all while the file stays locked to other processes.
      const [list, changes, show, csv, bad] = await Promise.all([
        json<{ items: Segment[] }>('segments', 'list', ...remote),
        json<ChangesPage>('segments', 'changes', '--limit', String(localChanges.changes.length), ...remote),
        json<Segment>('segments', 'show', 'buyers', ...remote),
        ok('segments', 'members', 'buyers', '--csv', ...remote),
        cli('segments', 'preview', '--definition', BAD, ...remote),
      ]);
      // Every segment with the same fields in the same order (the sizes of segments with time windows may have
      // moved on: not compared); the first changes of the feed are final.
      expect(list.items.map((s) => s.id)).toEqual(localList.items.map((s) => s.id));
      for (const [i, s] of localList.items.entries()) expect(Object.keys(list.items[i] ?? {})).toEqual(Object.keys(s));
      expect(list.items.find((s) => s.id === local.id)).toEqual(local);
      expect(show).toEqual(local);
      expect(JSON.stringify(changes)).toBe(JSON.stringify(localChanges));
      expect(csv.trimEnd().split('\n')).toHaveLength((local.size ?? 0) + 1);
      // A parse error keeps its line and column over HTTP, and the CLI still shows the line.
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^error \[segments\.parse_error\]: 2:45: /m);
      expect(bad.stderr).toMatch(/^ {4}\| {45}\^$/m);

      created = await json<Segment>('segments', 'create', 'browsing-buyers', '--definition', 'in_segment("buyers") and count(event = "Product Viewed") >= 3', ...remote);
      expect(created.size).toBeLessThanOrEqual(local.size ?? 0);
      const refused = await cli('segments', 'delete', 'buyers', ...remote, '--json');
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout)).toMatchObject({ error: { code: 'segments.in_use', details: { usedBy: ['browsing-buyers'] } } });
    } finally {
      exitCode = await server.stop();
    }
    expect(exitCode).toBe(0);
    // What the server wrote is on the file.
    const after = await json<{ items: Segment[] }>('segments', 'list', '--db', db);
    expect(after.items.find((s) => s.id === created.id)).toEqual(created);
  }, 45_000);
});
