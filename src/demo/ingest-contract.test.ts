import { describe, expect, it } from 'vitest';
import { KNOWN_FIELDS, SegmentMessage } from '../ingest/index.js';
import { generateDemo } from './index.js';

// Kept apart from generate.test.ts: this one pins the demo to the ingest schemas, the other only to the Segment spec.
describe('demo messages against the ingest schemas', () => {
  const messages = [...generateDemo({ profiles: 400, days: 45, seed: 11, now: new Date('2026-06-30T18:00:00Z') })].flat();

  it('passes the Segment message schema, with no field the ingest would set aside as extra', () => {
    expect(messages.length).toBeGreaterThan(1000);
    const types = new Set<string>();
    const problems: string[] = [];
    for (const m of messages) {
      const parsed = SegmentMessage.safeParse(m);
      if (!parsed.success) problems.push(`${String(m.messageId)}: ${JSON.stringify(parsed.error.issues[0])}`);
      types.add(String(m.type));
      for (const key of Object.keys(m)) if (!KNOWN_FIELDS.has(key)) problems.push(`${String(m.messageId)}: extra ${key}`);
    }
    expect(problems).toEqual([]);
    expect([...types].sort()).toEqual(['group', 'identify', 'page', 'track']);
  });

  it('stays well inside the default size and depth limits', () => {
    const depth = (v: unknown): number =>
      v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depth)) : 0;
    const largest = Math.max(...messages.map((m) => Buffer.byteLength(JSON.stringify(m))));
    const deepest = Math.max(...messages.map(depth));
    const longestId = Math.max(...messages.map((m) => String(m.messageId).length));
    expect(largest).toBeLessThan(32 * 1024);
    expect(deepest).toBeLessThanOrEqual(6);
    expect(longestId).toBeLessThanOrEqual(100);
  });
});
