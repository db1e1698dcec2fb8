import type { KeyPart } from './config.js';
import { Interner, type FieldFeatures, type RecordTable } from './features.js';

/**
 * Blocking keys per record, in typed arrays: a key rule's value for each record as a dense id, and the order of
 * records under a sorted-neighbourhood rule. Everything is derived from the fields' distinct values, so the
 * per-record work is integer arithmetic and one hash-table probe.
 */

/** A key value per record for one rule (-1: no key, or its block was too large to pair). */
export interface KeyColumn {
  readonly name: string;
  readonly kind: 'exact' | 'key';
  readonly ids: Int32Array;
}

/**
 * Dense ids for integer keys below 2^53: open addressing over typed arrays, several times faster than a Map of
 * numbers at a million keys (no boxing, no rehash of objects).
 */
export class NumberInterner {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  size = 0;
  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.keys = new Float64Array(cap);
    this.vals = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }
  /** Empties the table, keeping its memory (a million-slot table is reused for every key rather than reallocated). */
  reset(): void {
    if (this.size > 0) this.vals.fill(-1);
    this.size = 0;
  }
  id(key: number): number {
    if (this.size * 2 >= this.vals.length) this.grow();
    const lo = key >>> 0;
    const hi = (key / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h = (h ^ (h >>> 15)) & this.mask;
    for (;;) {
      const v = this.vals[h]!;
      if (v === -1) {
        this.keys[h] = key;
        this.vals[h] = this.size;
        return this.size++;
      }
      if (this.keys[h] === key) return v;
      h = (h + 1) & this.mask;
    }
  }
  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.keys = new Float64Array(oldKeys.length * 2);
    this.vals = new Int32Array(oldVals.length * 2).fill(-1);
    this.mask = this.vals.length - 1;
    const n = this.size;
    this.size = 0;
    const byId = new Float64Array(n);
    for (let i = 0; i < oldVals.length; i++) if (oldVals[i]! >= 0) byId[oldVals[i]!] = oldKeys[i]!;
    for (let i = 0; i < n; i++) this.id(byId[i]!);
  }
}

/** The derived string of a key part for one value: the value, its first letter, its year, its prefix. */
function derive(part: KeyPart, v: string): string {
  switch (part.take) {
    case 'initial':
      return v.slice(0, 1);
    case 'year':
      return v.slice(0, 4);
    case 'prefix':
      return v.slice(0, part.length ?? 4);
    default:
      return v;
  }
}

/** The value of one key part per distinct value of its field, as ids (-1 when it has none), and how many ids. */
function partIds(f: FieldFeatures, part: KeyPart): { ids: Int32Array; cardinality: number } {
  if (part.take === 'phonetic' || part.take === 'soundex') {
    const codes = part.take === 'phonetic' ? f.phoneticFr : f.phoneticEn;
    if (codes.length !== f.values.length) throw new Error(`${part.take} applies to names, not to ${f.role}`);
    let max = -1;
    for (const c of codes) if (c > max) max = c;
    return { ids: codes, cardinality: max + 1 };
  }
  if (part.take === 'value') return { ids: Int32Array.from(f.values, (_, i) => i), cardinality: f.values.length };
  const derived = new Interner();
  const ids = Int32Array.from(f.values, (v) => {
    const d = derive(part, v);
    return d === '' ? -1 : derived.id(d);
  });
  return { ids, cardinality: derived.size };
}

/**
 * Key columns of one table. The scratch memory (a number per record, a hash table) is allocated once and reused by
 * every rule: allocating tens of megabytes of typed arrays per rule makes V8 run full collections of the whole
 * heap, which at a million records cost more than building the keys.
 */
export class KeyBuilder {
  private readonly acc: Float64Array;
  private readonly interner: NumberInterner;
  constructor(private readonly table: RecordTable) {
    this.acc = new Float64Array(table.size);
    this.interner = new NumberInterner(Math.min(table.size, 1 << 20));
  }

  /** Dense ids (0, 1, ...) for the non-negative values of the scratch codes, -1 kept; written to `out`. */
  private densify(out: Int32Array): number {
    const { acc, interner } = this;
    interner.reset();
    for (let r = 0; r < acc.length; r++) out[r] = acc[r]! < 0 ? -1 : interner.id(acc[r]!);
    return interner.size;
  }

  /**
   * The key id of every record for a key rule (-1 where a part is missing), or undefined if the table lacks a role.
   * Parts are combined as a mixed-radix number (made dense again whenever the next part would take it past 2^53),
   * then the numbers are made dense ids with one hash-table pass.
   */
  column(name: string, parts: readonly KeyPart[]): KeyColumn | undefined {
    const fields = parts.map((p) => this.table.byRole.get(p.role));
    if (fields.some((f) => f === undefined)) return undefined;
    const n = this.table.size;
    const acc = this.acc;
    const ids = new Int32Array(n);
    let cardinality = 1;
    for (let k = 0; k < parts.length; k++) {
      const f = fields[k]!;
      const part = partIds(f, parts[k]!);
      const radix = Math.max(1, part.cardinality);
      if (cardinality * radix >= 2 ** 53) {
        cardinality = this.densify(ids);
        for (let r = 0; r < n; r++) acc[r] = ids[r]!;
      }
      for (let r = 0; r < n; r++) {
        const v = f.id[r]!;
        const p = v < 0 ? -1 : part.ids[v]!;
        acc[r] = p < 0 || (k > 0 && acc[r]! < 0) ? -1 : k === 0 ? p : acc[r]! * radix + p;
      }
      cardinality *= radix;
    }
    this.densify(ids);
    return { name, kind: 'key', ids };
  }
}

/**
 * Records whose first part is present, in the order of their parts' values (as strings; a missing later part sorts
 * first), ties by record index. Each part's distinct values are sorted natively and ranked, then records are
 * placed by a stable counting sort per part, last part first (LSD radix sort): no string comparison per record.
 */
export function sortedOrder(table: RecordTable, parts: readonly KeyPart[]): Int32Array {
  const fields = parts.map((p) => table.byRole.get(p.role));
  const first = fields[0];
  if (first === undefined || fields.some((f) => f === undefined)) return new Int32Array(0);
  let order: Int32Array;
  {
    let count = 0;
    for (let r = 0; r < table.size; r++) if (first.id[r]! >= 0) count++;
    order = new Int32Array(count);
    for (let r = 0, i = 0; r < table.size; r++) if (first.id[r]! >= 0) order[i++] = r;
  }
  for (let k = parts.length - 1; k >= 0; k--) {
    const f = fields[k]!;
    const derived = f.values.map((v) => derive(parts[k]!, v));
    const distinct = [...new Set(derived)].sort();
    const rankOfString = new Map(distinct.map((d, i) => [d, i + 1]));
    const rank = Int32Array.from(derived, (d) => rankOfString.get(d)!);
    const buckets = distinct.length + 1;
    const start = new Int32Array(buckets + 1);
    const rankOfRecord = (r: number): number => (f.id[r]! < 0 ? 0 : rank[f.id[r]!]!);
    for (const r of order) start[rankOfRecord(r) + 1]!++;
    for (let b = 0; b < buckets; b++) start[b + 1]! += start[b]!;
    const next = new Int32Array(order.length);
    for (const r of order) next[start[rankOfRecord(r)]!++] = r;
    order = next;
  }
  return order;
}
