import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/index.js';
import { ADMIN_KEY, bearer, startTestSegmentum } from './helpers.js';
import { SPEC_EXAMPLES } from './support/segment-examples.js';

/**
 * The definitions the segment language was specified with (docs/segments.md, "Examples"): each is saved through the
 * HTTP API and through the CLI, reads back as the same text, and its live members equal the SQL recomputation on the
 * demo audience.
 */

const EXAMPLES = SPEC_EXAMPLES;
/** The segments two examples refer to. */
const REFERENCED = [
  { name: 'vip', definition: 'trait.plan = "premium"' },
  { name: 'churned', definition: 'count(event = "Order Completed") >= 1 and not last(event = "Order Completed") within 90d' },
];
/** `before` is written back as `<`, its canonical form. */
const canonical = (t: string) => t.replace(') before 2026-01-01', ') < 2026-01-01');

describe('the specification examples', () => {
  it('are saved through the API, print back, and their live members equal the SQL recomputation', async () => {
    const clock = new ManualClock('2026-06-01T12:00:00Z');
    const s = await startTestSegmentum({}, clock);
    try {
      const { loadDemo } = await import('../src/cli/load-demo.js');
      await loadDemo(s, { profiles: 300, days: 120, seed: 3, now: new Date('2026-06-01T00:00:00Z') }, { out: () => undefined, err: () => undefined, interactive: false });
      for (const r of REFERENCED) {
        const res = await s.app.inject({ method: 'POST', url: '/api/segments', headers: { authorization: bearer(ADMIN_KEY) }, payload: r });
        expect(res.statusCode, res.body).toBe(201);
      }
      for (const [i, text] of EXAMPLES.entries()) {
        const res = await s.app.inject({ method: 'POST', url: '/api/segments', headers: { authorization: bearer(ADMIN_KEY) }, payload: { name: `example-${i + 1}`, definition: text } });
        expect(res.statusCode, `${text}: ${res.body}`).toBe(201);
        const body = res.json() as { id: string; text: string; size: number };
        expect(body.text).toBe(canonical(text));
        const sql = await s.segments.recompute(body.id);
        expect(sql.ok && sql.value.length, text).toBe(body.size);
        const live = await s.segments.members(body.id, { limit: 10_000 });
        expect(live.ok && live.value.items.map((m) => m.profileId), text).toEqual(sql.ok && sql.value);
      }
    } finally {
      await s.close();
    }
  });

  const dir = mkdtempSync(join(tmpdir(), 'segmentum-examples-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are saved through the CLI on a database file', () => {
    const BIN = fileURLToPath(new URL('../dist/src/cli/bin.js', import.meta.url));
    const db = join(dir, 'examples.duckdb');
    const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args, '--db', db], { encoding: 'utf8', timeout: 60_000 });
    for (const r of REFERENCED) expect(run(['segments', 'create', r.name, '--definition', r.definition]).status).toBe(0);
    for (const [i, text] of EXAMPLES.entries()) {
      const res = run(['segments', 'create', `example-${i + 1}`, '--definition', text, '--json']);
      expect(res.status, `${text}: ${res.stderr}`).toBe(0);
      expect((JSON.parse(res.stdout) as { text: string }).text).toBe(canonical(text));
    }
    const list = run(['segments', 'list', '--json']);
    expect(list.status).toBe(0);
    expect((JSON.parse(list.stdout) as { items: unknown[] }).items).toHaveLength(EXAMPLES.length + REFERENCED.length);
  });
});
