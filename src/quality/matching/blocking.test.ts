import { describe, expect, it } from 'vitest';
import { Rng } from '../../kernel/index.js';
import { KeyBuilder, NumberInterner, sortedOrder } from './block-keys.js';
import { candidatePairs } from './blocking.js';
import type { BlockingRule, KeyPart } from './config.js';
import { buildRecordTable, type RecordInput } from './features.js';

/**
 * Blocking against brute force: on generated records, the candidate pairs must be exactly the pairs that share a key
 * of some rule (in a block no larger than the cap) or sit within the window of the sorted-neighbourhood order, each
 * once; when linking, only pairs across the two files.
 */

const GIVEN = ['anna', 'anne', 'paul', 'pol', 'marie', 'jean', 'léa'];
const SURNAME = ['martin', 'martins', 'dupont', 'dupond', 'bernard', 'petit', 'durand', 'le gall'];

function people(n: number, seed: number, linking = false): RecordInput {
  const rng = new Rng(seed);
  const col = (f: () => string) => Array.from({ length: n }, () => (rng.chance(0.1) ? '' : f()));
  return {
    ids: Array.from({ length: n }, (_, i) => `r${i}`),
    columns: {
      given_name: col(() => rng.pick(GIVEN)),
      surname: col(() => rng.pick(SURNAME)),
      date_of_birth: col(() => `19${rng.int(60, 64)}-0${rng.int(1, 3)}-1${rng.int(0, 2)}`),
      postcode: col(() => rng.pick(['75011', '69001', '13002'])),
    },
    ...(linking ? { source: Uint8Array.from({ length: n }, () => (rng.chance(0.5) ? 1 : 0)) } : {}),
  };
}

const KEYS: { name: string; parts: KeyPart[] }[] = [
  { name: 'sound+year', parts: [{ role: 'surname', take: 'phonetic' }, { role: 'date_of_birth', take: 'year' }] },
  { name: 'postcode+initial', parts: [{ role: 'postcode', take: 'value' }, { role: 'given_name', take: 'initial' }] },
  { name: 'dob', parts: [{ role: 'date_of_birth', take: 'value' }] },
];
const SN: Extract<BlockingRule, { kind: 'sorted_neighbourhood' }> = {
  kind: 'sorted_neighbourhood',
  name: 'sn',
  parts: [{ role: 'surname', take: 'value' }, { role: 'given_name', take: 'value' }],
  window: 3,
};

function run(input: RecordInput, maxBlockSize: number) {
  const table = buildRecordTable(input);
  const builder = new KeyBuilder(table);
  const columns = KEYS.map((k) => builder.column(k.name, k.parts)!);
  // Kept before blocking marks the records of oversized blocks.
  const keys = columns.map((c) => Int32Array.from(c.ids));
  const pairs = candidatePairs(table, columns, [SN], maxBlockSize);
  return { table, keys, pairs, order: sortedOrder(table, SN.parts) };
}

function bruteForce({ table, keys, order }: ReturnType<typeof run>, maxBlockSize: number): Set<string> {
  const expected = new Set<string>();
  const n = table.size;
  const blockSize = keys.map((ids) => {
    const m = new Map<number, number>();
    for (const k of ids) if (k >= 0) m.set(k, (m.get(k) ?? 0) + 1);
    return m;
  });
  const across = (a: number, b: number) => !table.linking || table.source[a] !== table.source[b];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const shared = keys.some((ids, k) => ids[a]! >= 0 && ids[a] === ids[b] && blockSize[k]!.get(ids[a]!)! <= maxBlockSize);
      if (shared && across(a, b)) expected.add(`${a},${b}`);
    }
  }
  for (let p = 0; p < order.length; p++) {
    for (let d = 1; d < SN.window && p + d < order.length; d++) {
      const [a, b] = [order[p]!, order[p + d]!].sort((x, y) => x - y) as [number, number];
      if (across(a, b)) expected.add(`${a},${b}`);
    }
  }
  return expected;
}

describe('candidatePairs', () => {
  for (const [label, linking, cap] of [['one file', false, 1000], ['one file, blocks capped at 8', false, 8], ['two files', true, 1000]] as const) {
    it(`gives each pair that shares a key or a window exactly once (${label})`, () => {
      const input = people(300, 11, linking);
      const r = run(input, cap);
      const got = Array.from({ length: r.pairs.count }, (_, p) => `${r.pairs.a[p]},${r.pairs.b[p]}`);
      expect(new Set(got).size).toBe(got.length);
      for (let p = 0; p < r.pairs.count; p++) expect(r.pairs.a[p]!).toBeLessThan(r.pairs.b[p]!);
      expect(new Set(got)).toEqual(bruteForce(r, cap));
      expect(r.pairs.rules.reduce((t, x) => t + x.newPairs, 0)).toBe(r.pairs.count);
      const n1 = linking ? input.source!.reduce((t, s) => t + s, 0) : 0;
      expect(r.pairs.comparablePairs).toBe(linking ? n1 * (300 - n1) : (300 * 299) / 2);
      if (cap === 8) expect(r.pairs.rules.some((x) => x.oversizedBlocks > 0)).toBe(true);
    });
  }
});

describe('key columns', () => {
  it('give records the same id exactly when all parts agree, -1 when one is missing', () => {
    const input = people(200, 5);
    const table = buildRecordTable(input);
    const col = new KeyBuilder(table).column('postcode+initial', KEYS[1]!.parts)!;
    const g = input.columns.given_name!;
    const p = input.columns.postcode!;
    for (let a = 0; a < 200; a++) {
      expect(col.ids[a]! < 0).toBe(g[a] === '' || p[a] === '');
      for (let b = 0; b < 200; b++) {
        if (col.ids[a]! < 0 || col.ids[b]! < 0) continue;
        const same = p[a] === p[b] && g[a]!.normalize('NFD')[0] === g[b]!.normalize('NFD')[0];
        expect(col.ids[a] === col.ids[b], `${a} ${b}`).toBe(same);
      }
    }
  });

  it('is undefined when the table lacks a role', () => {
    const table = buildRecordTable({ ids: ['1'], columns: { surname: ['martin'] } });
    expect(new KeyBuilder(table).column('x', [{ role: 'postcode', take: 'value' }])).toBeUndefined();
  });

  it('sort records by their parts, missing later parts first, ties by record', () => {
    const table = buildRecordTable({ ids: ['0', '1', '2', '3', '4'], columns: { surname: ['b', 'a', 'a', '', 'a'], given_name: ['x', 'y', '', 'x', 'y'] } });
    expect(Array.from(sortedOrder(table, SN.parts))).toEqual([2, 1, 4, 0]);
  });
});

describe('NumberInterner', () => {
  it('gives dense ids in order of first sight, across growth', () => {
    const t = new NumberInterner(4);
    const keys = Array.from({ length: 5000 }, (_, i) => (i % 1000) * 2 ** 40 + (i % 7));
    const ids = keys.map((k) => t.id(k));
    const firstSeen = new Map<number, number>();
    keys.forEach((k) => firstSeen.has(k) || firstSeen.set(k, firstSeen.size));
    expect(ids).toEqual(keys.map((k) => firstSeen.get(k)));
    expect(t.size).toBe(firstSeen.size);
    t.reset();
    expect(t.id(123)).toBe(0);
  });
});
