/**
 * Pairwise quality of a matching run against known entities (tests and benchmarks only: real files have no truth).
 * True pairs are all pairs of records of the same entity (across the two files when linking).
 */

export interface PairwiseQuality {
  readonly truePairs: number;
  readonly predictedPairs: number;
  readonly truePositives: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** The entity of a Febrl record id: `rec-12-org` and `rec-12-dup-3` are both entity "12". */
export function febrlEntity(recId: string): string | undefined {
  return /^rec-(\d+)-(?:org|dup-\d+)$/.exec(recId.trim())?.[1];
}

/** Number of true pairs: same entity, and different files when `source` says the records come from two. */
export function countTruePairs(entity: readonly string[], source?: Uint8Array): number {
  const counts = new Map<string, [number, number]>();
  entity.forEach((e, i) => {
    const c = counts.get(e) ?? [0, 0];
    c[source?.[i] ?? 0]!++;
    counts.set(e, c);
  });
  let total = 0;
  for (const [x, y] of counts.values()) total += source ? x * y : (x * (x - 1)) / 2;
  return total;
}

/** Precision, recall and F1 of the pairs (a[i], b[i]) against the entities. */
export function pairwiseQuality(
  entity: readonly string[],
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  source?: Uint8Array,
): PairwiseQuality {
  const truePairs = countTruePairs(entity, source);
  let tp = 0;
  for (let i = 0; i < a.length; i++) if (entity[a[i]!] === entity[b[i]!]) tp++;
  const precision = a.length > 0 ? tp / a.length : 1;
  const recall = truePairs > 0 ? tp / truePairs : 1;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { truePairs, predictedPairs: a.length, truePositives: tp, precision, recall, f1 };
}

/** Share of the true pairs that blocking kept as candidates (the recall ceiling of the whole run). */
export function pairCompleteness(entity: readonly string[], a: ArrayLike<number>, b: ArrayLike<number>, source?: Uint8Array): number {
  return pairwiseQuality(entity, a, b, source).recall;
}
