import type { CategoricalStep } from './types.js';

/**
 * One-hot encoding with a cap on levels. A categorical with hundreds of levels (city, product) would otherwise add
 * hundreds of sparse columns that dominate distances and centroids; the most frequent `maxLevels` levels keep a column
 * each and the rest share `<name>=__other__`. Missing values get `<name>=__missing__`, since "unknown city" is often a
 * segment of its own (imported or anonymous profiles). Ties in frequency go to the level that sorts first by code
 * unit, so that the kept levels never depend on row order or locale.
 */

export const OTHER = '__other__';
export const MISSING = '__missing__';

export function fitOneHot(name: string, values: readonly (string | null)[], maxLevels: number): CategoricalStep {
  if (!Number.isInteger(maxLevels) || maxLevels < 1) throw new RangeError(`feature '${name}': maxLevels must be a positive whole number, got ${maxLevels}`);
  const counts = new Map<string, number>();
  let missing = false;
  for (const v of values) {
    if (v === null) {
      missing = true;
      continue;
    }
    if (v === OTHER || v === MISSING) throw new RangeError(`feature '${name}': the level '${v}' is reserved; rename it before encoding`);
    counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([level]) => level);
  return { kind: 'categorical', name, levels: sorted.slice(0, maxLevels), other: sorted.length > maxLevels, missing };
}

export function oneHotNames(step: CategoricalStep): string[] {
  const names = step.levels.map((l) => `${step.name}=${l}`);
  if (step.other) names.push(`${step.name}=${OTHER}`);
  if (step.missing) names.push(`${step.name}=${MISSING}`);
  return names;
}

/**
 * The output column (0-based, within this feature's columns) of each value, or -1 when the value has no column: a
 * level that is not kept when there is no __other__ column, or a missing value when training had none.
 */
export function oneHotIndex(step: CategoricalStep): (value: string | null) => number {
  const index = new Map(step.levels.map((l, i) => [l, i]));
  const other = step.other ? step.levels.length : -1;
  const missing = step.missing ? step.levels.length + (step.other ? 1 : 0) : -1;
  return (value) => (value === null ? missing : (index.get(value) ?? other));
}
