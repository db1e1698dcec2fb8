import { defaultRoleOf, type MatchResult, type RecordInput } from '../quality/matching/index.js';
import type { Role } from '../quality/matching/config.js';
import type { ProfileId } from '../kernel/index.js';
import type { ProfileRow } from '../store/index.js';

/**
 * Profiles as records for the matcher: each trait (personal or not) whose name the matcher recognises, or that the
 * configuration maps, becomes the value of a role. A Segment `address` object is read field by field.
 */

const ADDRESS_PARTS: Readonly<Record<string, Role>> = {
  street: 'address_1',
  street2: 'address_2',
  city: 'suburb',
  postalCode: 'postcode',
  postal_code: 'postcode',
  zip: 'postcode',
  state: 'state',
};

/** `postalCode` -> `postal_Code`, so the matcher's name rules see two words. */
const splitCamel = (k: string): string => k.replace(/([a-z0-9])([A-Z])/g, '$1_$2');

export function roleOfTrait(key: string, mapped: Readonly<Record<string, Role>>): Role | undefined {
  return Object.hasOwn(mapped, key) ? mapped[key] : defaultRoleOf(splitCamel(key));
}

/** The matcher's fields of one profile: role -> text (the first value when several traits give one role). */
export function matchFieldsOf(p: Pick<ProfileRow, 'traits' | 'pii'>, mapped: Readonly<Record<string, Role>>): Partial<Record<Role, string>> {
  const out: Partial<Record<Role, string>> = {};
  const put = (role: Role | undefined, v: unknown) => {
    if (role === undefined || out[role] !== undefined) return;
    if (typeof v === 'string' && v.trim() !== '') out[role] = v;
    else if (typeof v === 'number' && Number.isFinite(v)) out[role] = String(v);
  };
  for (const values of [p.pii.values, p.traits.values]) {
    for (const [k, v] of Object.entries(values)) {
      if (k === 'address' && typeof v === 'object' && v !== null && !Array.isArray(v)) {
        for (const [part, pv] of Object.entries(v)) put(ADDRESS_PARTS[part], pv);
        continue;
      }
      put(roleOfTrait(k, mapped), v);
    }
  }
  return out;
}

/** The records of the profiles that have at least one field to compare. */
export function recordsOfProfiles(
  profiles: Iterable<Pick<ProfileRow, 'profileId' | 'traits' | 'pii'>>,
  mapped: Readonly<Record<string, Role>>,
): RecordInput {
  const ids: string[] = [];
  const rows: Partial<Record<Role, string>>[] = [];
  for (const p of profiles) {
    const f = matchFieldsOf(p, mapped);
    if (Object.keys(f).length === 0) continue;
    ids.push(p.profileId);
    rows.push(f);
  }
  const columns: Partial<Record<Role, string[]>> = {};
  rows.forEach((f, i) => {
    for (const [role, v] of Object.entries(f) as [Role, string][]) {
      (columns[role] ??= new Array<string>(rows.length).fill(''))[i] = v;
    }
  });
  return { ids, columns };
}

export interface MatchedPair {
  a: ProfileId;
  b: ProfileId;
  probability: number;
  /** Which fields agreed and how much each weighed; the exact key shared, if any. No values. */
  evidence: Record<string, unknown>;
}

/** The pairs a matching run found at or above its threshold, most probable first, ordered a < b. */
export function matchedPairs(result: MatchResult): MatchedPair[] {
  const out: MatchedPair[] = [];
  for (const p of result.matches) {
    const x = result.explain(p);
    const [a, b] = x.a < x.b ? [x.a, x.b] : [x.b, x.a];
    out.push({
      a: a as ProfileId,
      b: b as ProfileId,
      probability: x.probability,
      evidence: {
        probability: x.probability,
        weight: x.weight,
        exactKey: x.exactKey,
        fields: x.fields.map((f) => ({ field: f.field, level: f.level, weight: f.weight })),
      },
    });
  }
  return out;
}

/** Fields that tell people apart; places (town, postcode, state) are shared by thousands. */
const IDENTIFYING = new Set(['given_name', 'surname', 'date_of_birth', 'email', 'phone', 'soc_sec_id']);

/**
 * Whether a pair carries enough evidence to merge without a person looking: an exact key shared, or at least two
 * identifying fields agreeing. A model fitted on profiles with few duplicates left can learn "same town" as its
 * match class and score such pairs near 1; this rule keeps them for review instead.
 */
export function enoughEvidence(p: MatchedPair): boolean {
  if (p.evidence.exactKey !== null && p.evidence.exactKey !== undefined) return true;
  const fields = Array.isArray(p.evidence.fields) ? (p.evidence.fields as { field: string; level: string }[]) : [];
  return fields.filter((f) => IDENTIFYING.has(f.field) && f.level !== 'disagree' && f.level !== 'missing').length >= 2;
}
