import { isBlank } from '../normalise/index.js';

/**
 * A profile as the rules see it: its id and its values (traits and personal data together), addressed by dotted
 * paths. The caller assembles it (for a profile view: `{ id, values: { ...view.traits, ...view.personal } }`).
 */
export interface RuleProfile {
  readonly id: string;
  readonly values: Readonly<Record<string, unknown>>;
}

/** The value at a dotted path, reading own properties of plain objects only (never the prototype chain). */
export function fieldValue(profile: RuleProfile, path: string): unknown {
  let current: unknown = profile.values;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** True when the field holds something: not absent, null, or blank text. */
export function isPresent(value: unknown): boolean {
  return !isBlank(value);
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A finite number from a number or a plain decimal text ("42", "-3.5"); null otherwise. */
export function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && DECIMAL.test(value.trim())) {
    const n = Number(value.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}
