import type { IdentityConfig } from '../config/index.js';
import type { TraitState } from '../store/index.js';

export type TraitMergeRule = IdentityConfig['traitMergeRule'];
export type TraitStrategy = IdentityConfig['traitStrategies'][string];

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

/**
 * Folds the loser's traits into the winner's: each trait by its configured strategy, the others by the per-key
 * rule. A combined value (sum, union) takes the later of the two times.
 */
export function mergeTraits(
  winner: TraitState,
  loser: TraitState,
  rule: TraitMergeRule,
  strategies: Readonly<Record<string, TraitStrategy>> = {},
): void {
  for (const [k, v] of Object.entries(loser.values)) {
    const t = loser.times[k];
    if (t === undefined) continue;
    const strategy = Object.hasOwn(strategies, k) ? strategies[k] : undefined;
    const held = winner.times[k];
    if (strategy === undefined || held === undefined) {
      if (strategy === undefined) applyTraits(winner, { [k]: v }, new Date(t), rule);
      else {
        winner.values[k] = v;
        winner.times[k] = t;
      }
      continue;
    }
    const w = winner.values[k];
    const later = t > held ? t : held;
    switch (strategy) {
      case 'most_recent':
      case 'oldest':
        if (strategy === 'most_recent' ? t > held : t < held) {
          winner.values[k] = v;
          winner.times[k] = t;
        }
        break;
      case 'non_empty': {
        const we = isEmptyValue(w);
        const le = isEmptyValue(v);
        if ((we && !le) || (we === le && t > held)) {
          winner.values[k] = v;
          winner.times[k] = t;
        }
        break;
      }
      case 'sum':
        if (typeof w === 'number' && typeof v === 'number') {
          winner.values[k] = w + v;
          winner.times[k] = later;
        } else if (t > held) {
          // Not two numbers: nothing to add up, the most recent value stays.
          winner.values[k] = v;
          winner.times[k] = t;
        }
        break;
      case 'union': {
        const out = Array.isArray(w) ? [...(w as unknown[])] : isEmptyValue(w) ? [] : [w];
        const seen = new Set(out.map((x) => JSON.stringify(x)));
        for (const x of Array.isArray(v) ? (v as unknown[]) : isEmptyValue(v) ? [] : [v]) {
          const key = JSON.stringify(x);
          if (seen.has(key)) continue;
          seen.add(key);
          out.push(x);
        }
        winner.values[k] = out;
        winner.times[k] = later;
        break;
      }
    }
  }
}

/** null, undefined, "", [] and {} hold nothing (for the non_empty strategy). */
export function isEmptyValue(v: unknown): boolean {
  if (v === null || v === undefined || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}
