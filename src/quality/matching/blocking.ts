import { sortedOrder, type KeyColumn } from './block-keys.js';
import type { BlockingRule } from './config.js';
import type { RecordTable } from './features.js';

export type { KeyColumn } from './block-keys.js';

/**
 * Blocking: the candidate pairs, never all n(n-1)/2 of them. Each key rule groups records that share a key value
 * (a block) and pairs records within a block; the candidates are the union over the rules, plus the pairs a
 * sorted-neighbourhood pass finds (records next to each other once sorted on a key). The union needs no set of
 * pairs: a rule skips any pair that an earlier rule already produced, which it sees by comparing the two records'
 * key ids of the earlier rules (O(1) per pair). Blocks larger than maxBlockSize are not paired (a key value shared
 * by that many records, "martin" + 1980, says little); their records remain reachable through the other rules.
 */

export interface RuleStats {
  readonly name: string;
  readonly kind: 'exact' | 'key' | 'sorted_neighbourhood';
  /** Records with a value for the key. */
  readonly records: number;
  readonly blocks: number;
  readonly oversizedBlocks: number;
  readonly recordsInOversizedBlocks: number;
  /** Pairs this rule added to the union (pairs an earlier rule had found are not counted again). */
  readonly newPairs: number;
}

export interface CandidatePairs {
  readonly count: number;
  readonly a: Int32Array;
  readonly b: Int32Array;
  /** Index into `rules` of the rule that first produced each pair. */
  readonly rule: Uint8Array;
  readonly rules: readonly RuleStats[];
  /** Pairs a full comparison would examine: n(n-1)/2, or n1*n2 when linking two files. */
  readonly comparablePairs: number;
}

/** A growable list of pairs in typed arrays. */
class PairList {
  a = new Int32Array(1024);
  b = new Int32Array(1024);
  rule = new Uint8Array(1024);
  count = 0;
  push(a: number, b: number, rule: number): void {
    if (this.count === this.a.length) {
      const grow = <T extends Int32Array | Uint8Array>(x: T, make: (n: number) => T): T => {
        const y = make(x.length * 2);
        y.set(x);
        return y;
      };
      this.a = grow(this.a, (n) => new Int32Array(n));
      this.b = grow(this.b, (n) => new Int32Array(n));
      this.rule = grow(this.rule, (n) => new Uint8Array(n));
    }
    this.a[this.count] = a;
    this.b[this.count] = b;
    this.rule[this.count] = rule;
    this.count++;
  }
}

/** Pairs within the blocks of each column, then within the window of each sorted-neighbourhood rule. */
export function candidatePairs(
  table: RecordTable,
  columns: readonly KeyColumn[],
  neighbourhoods: readonly Extract<BlockingRule, { kind: 'sorted_neighbourhood' }>[],
  maxBlockSize: number,
): CandidatePairs {
  const n = table.size;
  const src = table.source;
  const out = new PairList();
  const rules: RuleStats[] = [];
  // The keys of the rules done so far, record by record: "did an earlier rule pair a and b?" reads two short runs.
  const K = columns.length;
  const keyRows = new Int32Array(n * K).fill(-1);
  const sharedEarlier = (upTo: number, a: number, b: number): boolean => {
    const ra = a * K;
    const rb = b * K;
    for (let k = 0; k < upTo; k++) {
      const ka = keyRows[ra + k]!;
      if (ka >= 0 && ka === keyRows[rb + k]) return true;
    }
    return false;
  };
  // Counting-sort scratch, shared by the rules (see KeyBuilder on why memory is reused).
  const counts = new Int32Array(n + 1);
  const start = new Int32Array(n + 1);
  const fill = new Int32Array(n + 1);
  const members = new Int32Array(n);
  for (let k = 0; k < K; k++) {
    const ids = columns[k]!.ids;
    let nKeys = 0;
    let records = 0;
    for (let r = 0; r < n; r++) {
      if (ids[r]! >= 0) records++;
      if (ids[r]! >= nKeys) nKeys = ids[r]! + 1;
    }
    counts.fill(0, 0, nKeys + 1);
    for (let r = 0; r < n; r++) if (ids[r]! >= 0) counts[ids[r]! + 1]!++;
    let oversized = 0;
    let inOversized = 0;
    let blocks = 0;
    for (let key = 0; key < nKeys; key++) {
      const c = counts[key + 1]!;
      if (c > 1) blocks++;
      if (c > maxBlockSize) {
        oversized++;
        inOversized += c;
      }
    }
    // Records of an oversized block lose that key: later rules must not skip their pairs as "already found".
    if (oversized > 0) for (let r = 0; r < n; r++) if (ids[r]! >= 0 && counts[ids[r]! + 1]! > maxBlockSize) ids[r] = -1;
    start[0] = 0;
    for (let key = 0; key < nKeys; key++) start[key + 1] = start[key]! + (counts[key + 1]! <= maxBlockSize ? counts[key + 1]! : 0);
    fill.set(start.subarray(0, nKeys + 1));
    for (let r = 0; r < n; r++) if (ids[r]! >= 0) members[fill[ids[r]!]!++] = r;
    const before = out.count;
    for (let key = 0; key < nKeys; key++) {
      const lo = start[key]!;
      const hi = start[key + 1]!;
      for (let i = lo; i < hi; i++) {
        const a = members[i]!;
        for (let j = i + 1; j < hi; j++) {
          const b = members[j]!;
          if (src[a] === src[b] && table.linking) continue;
          if (!sharedEarlier(k, a, b)) out.push(a, b, k);
        }
      }
    }
    for (let r = 0; r < n; r++) keyRows[r * K + k] = ids[r]!;
    const c = columns[k]!;
    rules.push({ name: c.name, kind: c.kind, records, blocks, oversizedBlocks: oversized, recordsInOversizedBlocks: inOversized, newPairs: out.count - before });
  }
  for (const rule of neighbourhoods) {
    const before = out.count;
    const order = sortedOrder(table, rule.parts);
    const index = rules.length;
    for (let p = 0; p < order.length; p++) {
      for (let d = 1; d < rule.window && p + d < order.length; d++) {
        let a = order[p]!;
        let b = order[p + d]!;
        if (a > b) [a, b] = [b, a];
        if (src[a] === src[b] && table.linking) continue;
        if (!sharedEarlier(K, a, b)) out.push(a, b, index);
      }
    }
    rules.push({ name: rule.name, kind: rule.kind, records: order.length, blocks: 0, oversizedBlocks: 0, recordsInOversizedBlocks: 0, newPairs: out.count - before });
  }
  const n1 = table.linking ? countOnes(src) : 0;
  const comparablePairs = table.linking ? (n - n1) * n1 : (n * (n - 1)) / 2;
  return { count: out.count, a: out.a.subarray(0, out.count), b: out.b.subarray(0, out.count), rule: out.rule.subarray(0, out.count), rules, comparablePairs };
}

function countOnes(x: Uint8Array): number {
  let c = 0;
  for (const v of x) c += v;
  return c;
}
