import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceId } from '../src/kernel/index.js';
import { startTestSegmentum } from './helpers.js';
import { runCli } from './support/cli-process.js';

/** `segmentum identity show|merge|unmerge` on a database file, as users run it (the built command). */

let dir = '';
let db = '';
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'segmentum-identity-cli-'));
  db = join(dir, 'db.duckdb');
  const s = await startTestSegmentum({ db });
  const at = (d: string) => ({ timestamp: d });
  await s.ingest.submit({
    items: [
      { type: 'identify', userId: 'claire', traits: { plan: 'gold' }, messageId: 'c1', ...at('2026-03-01T09:00:00Z') },
      { type: 'track', userId: 'claire', event: 'Order Completed', messageId: 'c2', ...at('2026-03-01T09:05:00Z') },
      { type: 'identify', anonymousId: 'anon-x', traits: { plan: 'free' }, messageId: 'x1', ...at('2026-03-02T09:00:00Z') },
      { type: 'page', anonymousId: 'anon-x', name: 'Home', messageId: 'x2', ...at('2026-03-02T09:01:00Z') },
    ],
    envelope: {},
    meta: { sourceId: SourceId('src_cli'), receivedAt: new Date('2026-03-02T10:00:00Z'), ip: null },
    body: () => '',
  });
  expect((await s.profiles.find({ userId: 'claire' })).ok).toBe(true);
  await s.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('segmentum identity', () => {
  it('merges two profiles named by userId and anonymousId, shows the merge, then undoes it', async () => {
    const merged = await runCli('identity', 'merge', 'claire', 'anon-x', '--reason', 'same person', '--db', db, '--json');
    expect(merged.stderr).toBe('');
    expect(merged.code).toBe(0);
    const edge = JSON.parse(merged.stdout) as { id: string; survivor: string; merged: string; actor: string };
    expect(edge.actor).toBe('cli');

    const shown = await runCli('identity', 'show', 'anon-x', '--db', db);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(edge.id);
    expect(shown.stdout).toContain('same person');
    expect(shown.stdout).toMatch(/user_id\s+claire/);

    const undone = await runCli('identity', 'unmerge', edge.id, '--db', db);
    expect(undone.code).toBe(0);
    expect(undone.stdout).toContain(`Restored ${edge.merged} from ${edge.survivor}: 2 events and 1 identifiers went back.`);

    const again = await runCli('identity', 'unmerge', edge.id, '--db', db);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('identity.already_undone');
    expect(again.stderr).toContain('hint:');

    const json = JSON.parse((await runCli('identity', 'show', 'anon-x', '--db', db, '--json')).stdout) as { profileId: string; merges: { status: string }[] };
    expect(json.profileId).toBe(edge.merged);
    expect(json.merges.map((m) => m.status)).toEqual(['undone']);
  });
});
