import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/kernel/index.js';
import type { Segmentum } from '../src/main.js';
import { startTestSegmentum } from './helpers.js';

/**
 * Importing the same file again adds nothing, also after the ingest's dedup window (7 days by default) has
 * forgotten its messageIds: the rows are then looked up among the stored events.
 */

const dir = mkdtempSync(join(tmpdir(), 'segmentum-idem-'));
let s: Segmentum | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const ORDERS = ['order,email,amount,date', 'A1,jean@example.fr,12.50,2026-01-05', 'A2,jean@example.fr,30,2026-01-06', 'A3,marie@example.fr,8,2026-01-07'].join('\n');
const MAPPING = {
  columns: {
    order: { to: 'orderId' },
    email: { to: 'email' },
    amount: { to: 'revenue' },
    date: { to: 'timestamp', normalise: { kind: 'date', formats: ['ISO'] } },
  },
};

describe('re-importing a file', () => {
  it('adds no event a month later, when the dedup window no longer holds its messageIds', async () => {
    const path = join(dir, 'orders.csv');
    writeFileSync(path, `${ORDERS}\n`);
    const clock = new ManualClock('2026-02-01T10:00:00Z');
    s = await startTestSegmentum({ db: join(dir, 'db.duckdb') }, clock);
    const first = await s.imports.run({ path, kind: 'orders', mapping: MAPPING });
    expect(first).toMatchObject({ imported: 3, duplicates: 0 });
    const events = (await s.store.stats()).events;

    // A week later (within the window) the ingest's dedup drops the rows.
    clock.advance(6 * 86_400_000);
    expect(await s.imports.run({ path, kind: 'orders', mapping: MAPPING })).toMatchObject({ imported: 0, duplicates: 3 });

    // A month later, and after a restart (the dedup index is rebuilt from the window only), the stored events do.
    await s.close();
    clock.advance(30 * 86_400_000);
    s = await startTestSegmentum({ db: join(dir, 'db.duckdb') }, clock);
    const late = await s.imports.run({ path, kind: 'orders', mapping: MAPPING });
    expect(late).toMatchObject({ rowsRead: 3, imported: 0, duplicates: 3 });
    expect((await s.store.stats()).events).toBe(events);

    // A new row of the same file still comes in.
    writeFileSync(path, `${ORDERS}\nA4,marie@example.fr,5,2026-03-01\n`);
    expect(await s.imports.run({ path, kind: 'orders', mapping: MAPPING })).toMatchObject({ imported: 1, duplicates: 3 });
    expect((await s.store.stats()).events).toBe(events + 1);
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
