import type { IdentityConfig } from '../config/index.js';
import type { TraitState } from '../store/index.js';

export type TraitMergeRule = IdentityConfig['traitMergeRule'];

/** Case-insensitive set of trait names that are personal data (vault) rather than behaviour data. */
export class PiiKeys {
  private readonly keys: Set<string>;
  constructor(keys: readonly string[]) {
    this.keys = new Set(keys.map((k) => k.toLowerCase()));
  }
  has(key: string): boolean {
    return this.keys.has(key.toLowerCase());
  }
  /** Splits traits into the personal part (for the vault) and the rest. */
  split(traits: Record<string, unknown>): { plain: Record<string, unknown>; pii: Record<string, unknown> } {
    const plain: Record<string, unknown> = {};
    const pii: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(traits)) (this.has(k) ? pii : plain)[k] = v;
    return { plain, pii };
  }
}

export const emptyTraits = (): TraitState => ({ values: {}, times: {} });

/**
 * Sets each trait whose value is newer (most_recent) or older (first_seen) than the one held. Comparing the time of
 * each key, not the order of arrival, gives the same profile whatever order events and merges are applied in.
 * A trait's time is when it took its current value: repeating the same value (analytics.js identifies on every
 * page) changes nothing, so the profile is not rewritten. Returns whether anything changed.
 */
export function applyTraits(state: TraitState, values: Record<string, unknown>, at: Date, rule: TraitMergeRule): boolean {
  let iso: string | undefined;
  let changed = false;
  for (const k in values) {
    if (!Object.hasOwn(values, k)) continue;
    const v = values[k];
    const held = state.times[k];
    if (held !== undefined && rule === 'most_recent' && sameJson(state.values[k], v)) continue;
    iso ??= at.toISOString();
    const wins = held === undefined || (rule === 'most_recent' ? iso >= held : iso < held);
    if (!wins) continue;
    state.values[k] = v;
    state.times[k] = iso;
    changed = true;
  }
  return changed;
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Folds the loser's traits into the winner's by the same per-key rule. */
export function mergeTraits(winner: TraitState, loser: TraitState, rule: TraitMergeRule): void {
  for (const [k, v] of Object.entries(loser.values)) {
    const t = loser.times[k];
    if (t === undefined) continue;
    applyTraits(winner, { [k]: v }, new Date(t), rule);
  }
}
