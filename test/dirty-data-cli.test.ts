import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenRecords, customerNumber, generateDirtyCustomers } from '../src/demo/dirty-customers.js';
import { startTestSegmentum } from './helpers.js';
import { runCli } from './support/cli-process.js';

/**
 * The demo's dirty customer data end to end through the CLI, as the data-quality guide tells a user to do it:
 * write the file, import it with the example mapping, look at the quality report, match the profiles, look again.
 * The generator knows who each record is (same count and seed, same file), so the merges are scored against it.
 */

const MAPPING = fileURLToPath(new URL('../examples/dirty-customers.mapping.json', import.meta.url));
const RECORDS = 3000;
const SEED = 7;

const dir = mkdtempSync(join(tmpdir(), 'segmentum-dirty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface QualityJson {
  profiles: number;
  duplicates: { exactPairs: number; exactRate: number; probablePairs: number };
  fields: { field: string; present: number; invalid: number }[];
  violations: { rule: string; count: number }[];
  completeness: { mean: number };
}

describe('the demo dirty customer file through import, quality and identity match', () => {
  it('imports it keeping the broken rows, reports its quality, merges its duplicates, and shows the change in the trend', async () => {
    const csv = join(dir, 'clients.csv');
    const db = join(dir, 'db.duckdb');
    const written = await runCli('demo', '--customers-csv', csv, '--profiles', String(RECORDS), '--seed', String(SEED), '--json');
    expect(written.code, written.stderr).toBe(0);
    const truth = generateDirtyCustomers(RECORDS, SEED);
    const people = new Set(truth.entity).size;
    expect(JSON.parse(written.stdout)).toMatchObject({ records: RECORDS, people, duplicates: RECORDS - people });

    const broken = new Set(brokenRecords(RECORDS, { share: 0.01, seed: SEED + 1 }));
    expect(broken.size).toBeGreaterThan(10);
    const imported = await runCli('import', csv, '--as', 'customers', '--mapping', MAPPING, '--db', db, '--json');
    expect(imported.code, imported.stderr).toBe(0);
    const summary = JSON.parse(imported.stdout) as {
      rowsRead: number;
      imported: number;
      rejected: number;
      rejectedByCode: Record<string, number>;
      flaggedByCode: Record<string, number>;
      profileDelta: number;
    };
    expect(summary).toMatchObject({ rowsRead: RECORDS, imported: RECORDS - broken.size, rejected: broken.size });
    expect(Object.keys(summary.rejectedByCode).sort()).toEqual(['quality.invalid_date', 'quality.invalid_email']);
    // Phones and postal codes the normalisers refuse are kept as written (onInvalid: keep in the example mapping).
    expect(Object.keys(summary.flaggedByCode).sort()).toEqual(['quality.invalid_phone', 'quality.invalid_postal_code']);
    // Records sharing an email are one profile already (the email is an identifier).
    expect(summary.profileDelta).toBeLessThan(summary.imported);

    const before = JSON.parse((await runCli('quality', '--db', db, '--json')).stdout) as QualityJson;
    expect(before.profiles).toBe(summary.profileDelta);
    expect(before.duplicates.exactPairs).toBeGreaterThan(0); // phones shared by two records of one person
    expect(before.fields.find((f) => f.field === 'email')?.invalid).toBe(0); // the import refused what it could not read
    // The values kept as written show up as invalid in the report (those of merged records count once).
    const phones = before.fields.find((f) => f.field === 'phone');
    expect(phones?.invalid).toBeGreaterThan(0);
    expect(phones?.invalid).toBeLessThanOrEqual(summary.flaggedByCode['quality.invalid_phone'] ?? 0);

    const match = await runCli('identity', 'match', '--db', db, '--json');
    expect(match.code, match.stderr).toBe(0);
    const run = JSON.parse(match.stdout) as { merged: number; queued: number };
    expect(run.merged).toBeGreaterThan(100);

    // Score who ended up together against the generator's truth (the broken rows were not imported).
    const s = await startTestSegmentum({ db });
    const groups = new Map<string, number[]>();
    try {
      for (let i = 0; i < RECORDS; i++) {
        if (broken.has(i)) continue;
        const p = await s.store.findProfileByIdentity('anonymous_id', `crm:${customerNumber(i)}`);
        if (!p) throw new Error(`record ${i} has no profile`);
        (groups.get(p) ?? groups.set(p, []).get(p)!).push(i);
      }
    } finally {
      await s.close();
    }
    let predicted = 0;
    let correct = 0;
    for (const g of groups.values()) {
      for (let a = 0; a < g.length; a++) {
        for (let b = a + 1; b < g.length; b++) {
          predicted++;
          if (truth.entity[g[a]!] === truth.entity[g[b]!]) correct++;
        }
      }
    }
    const byPerson = new Map<string, number>();
    for (let i = 0; i < RECORDS; i++) if (!broken.has(i)) byPerson.set(truth.entity[i]!, (byPerson.get(truth.entity[i]!) ?? 0) + 1);
    let truePairs = 0;
    for (const n of byPerson.values()) truePairs += (n * (n - 1)) / 2;
    const precision = correct / predicted;
    const recall = correct / truePairs;
    const f1 = (2 * precision * recall) / (precision + recall);
    console.log(`dirty demo customers: ${run.merged} merges, ${run.queued} pairs for review; precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)}, F1 ${f1.toFixed(4)}`);
    expect(precision).toBeGreaterThanOrEqual(0.99);
    expect(f1).toBeGreaterThanOrEqual(0.9);

    const after = JSON.parse((await runCli('quality', '--db', db, '--json')).stdout) as QualityJson;
    expect(after.profiles).toBeLessThan(before.profiles);
    expect(after.duplicates.exactPairs).toBeLessThan(before.duplicates.exactPairs);
    const trend = JSON.parse((await runCli('quality', '--trend', '--db', db, '--json')).stdout) as { items: { profiles: number; exactRate: number }[] };
    expect(trend.items.map((p) => p.profiles)).toEqual([before.profiles, after.profiles]);
    const table = await runCli('quality', '--db', db);
    expect(table.stdout).toMatch(/exact duplicates\s+\d+ pairs/);
    expect(table.stdout).toMatch(/birthday \(vault\)\s+\d+/);
  });
});
