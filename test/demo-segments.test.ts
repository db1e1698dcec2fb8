import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemo } from '../src/cli/load-demo.js';
import { EXAMPLE_SEGMENTS } from '../src/demo/index.js';
import type { Segmentum } from '../src/main.js';
import { parseDefinition, printDefinition } from '../src/segments/index.js';
import { startTestSegmentum } from './helpers.js';

/**
 * The demo's example segments on the demo audience: each parses and prints back, gets members that are neither
 * nobody nor everybody (the audience has the behaviour each describes), and the live engine's members equal a SQL
 * recomputation over the whole history, for every example.
 */
describe('example segments on the demo data', () => {
  let s: Segmentum;
  const quiet = { out: () => undefined, err: () => undefined, interactive: false };
  beforeAll(async () => {
    s = await startTestSegmentum();
    const day = new Date();
    day.setUTCHours(0, 0, 0, 0);
    await loadDemo(s, { profiles: 600, days: 120, seed: 7, now: day }, quiet);
  }, 120_000);
  afterAll(async () => s.close());

  it('all examples are created, round-trip through the text form, and live members equal the SQL recomputation', async () => {
    const stats = await s.profiles.stats();
    const sizes: Record<string, number> = {};
    for (const ex of EXAMPLE_SEGMENTS) {
      const parsed = parseDefinition(ex.definition);
      expect(parsed.ok, ex.name).toBe(true);
      if (parsed.ok) expect(printDefinition(parsed.value)).toBe(ex.definition);
      const seg = s.segments.get(ex.name);
      expect(seg.ok, ex.name).toBe(true);
      if (!seg.ok) continue;
      const live: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await s.segments.members(seg.value.id, { cursor, limit: 500 });
        if (!page.ok) throw new Error(page.error.message);
        live.push(...page.value.items.map((m) => m.profileId));
        if (page.value.nextCursor === null) break;
        cursor = page.value.nextCursor;
      }
      const sql = await s.segments.recompute(seg.value.id);
      expect(sql.ok && sql.value, `${ex.name}: SQL vs live`).toEqual(live);
      sizes[ex.name] = live.length;
    }
    // Every example selects someone and not everyone (printed to help read a failure).
    for (const [name, n] of Object.entries(sizes)) {
      expect(n, `${name} of ${stats.profiles}: ${JSON.stringify(sizes)}`).toBeGreaterThan(0);
      expect(n, `${name} of ${stats.profiles}: ${JSON.stringify(sizes)}`).toBeLessThan(stats.profiles);
    }
  });
});
