import { createHash } from 'node:crypto';
import { buildNormaliser, plainValue, type NormaliserSpec } from '../normalise/index.js';
import { checkProfiles, type CompiledRules } from '../rules/evaluate.js';
import { iqrOutliers, zScoreOutliers, type NumericSample } from '../rules/outliers.js';
import { fieldValue, isPresent, numberOf, type RuleProfile } from '../rules/profile-values.js';

/**
 * The data-quality report: one pass over the live profiles computes duplicate rates, missing and invalid values per
 * field, rule violations, outliers, freshness and completeness. Pure: the caller brings the profiles, the compiled
 * rules and the clock; storing runs and the trend are the service's business.
 */

export interface QualityProfile {
  id: string;
  updatedAt: Date;
  /** Non-personal traits. */
  traits: Record<string, unknown>;
  /** The vault part. */
  personal: Record<string, unknown>;
}

export interface QualityInput {
  profiles: readonly QualityProfile[];
  rules: CompiledRules;
  /** Path -> normaliser: a present value it refuses is invalid. */
  fieldSpecs: Readonly<Record<string, NormaliserSpec>>;
  completenessFields: readonly string[];
  /** Pending review pairs (probable duplicates). */
  probablePairs: readonly { a: string; b: string }[];
  now: Date;
}

export type FreshnessLabel = '<1d' | '1-7d' | '7-30d' | '30-90d' | '90-365d' | '>365d';

export interface QualityReport {
  at: string;
  profiles: number;
  duplicates: { exactPairs: number; exactProfiles: number; exactRate: number; probablePairs: number; probableRate: number };
  fields: {
    field: string;
    personal: boolean;
    present: number;
    missing: number;
    missingRate: number;
    invalid: number;
    invalidByCode: Record<string, number>;
  }[];
  violations: { rule: string; code: string; severity: 'reject' | 'flag'; count: number }[];
  outliers: { field: string; method: 'iqr' | 'zscore'; count: number; low: number | null; high: number | null }[];
  freshness: { buckets: { label: FreshnessLabel; count: number }[]; medianDays: number | null };
  completeness: { fields: string[]; mean: number | null; histogram: { from: number; to: number; count: number }[] };
}

const MAX_FIELDS = 50;
const DAY = 86_400_000;
const FRESHNESS: readonly [FreshnessLabel, number][] = [
  ['<1d', 1],
  ['1-7d', 7],
  ['7-30d', 30],
  ['30-90d', 90],
  ['90-365d', 365],
  ['>365d', Number.POSITIVE_INFINITY],
];

/** Keys of the exact duplicate test: the normalised email, and the phone in E.164. */
const EXACT_KEYS: readonly [string, NormaliserSpec][] = [
  ['email', { kind: 'email' } as NormaliserSpec],
  ['phone', { kind: 'phone', defaultRegion: 'FR' } as NormaliserSpec],
];

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Top-level keys, and one level into objects (`address.city`), of a profile's values. */
function paths(values: Record<string, unknown>, out: Set<string>): void {
  for (const [k, v] of Object.entries(values)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'object' && !Array.isArray(v)) {
      for (const [c, cv] of Object.entries(v as Record<string, unknown>)) if (isPresent(cv)) out.add(`${k}.${c}`);
      continue;
    }
    if (isPresent(v)) out.add(k);
  }
}

export function computeQualityReport(input: QualityInput): QualityReport {
  const { profiles, now } = input;
  const n = profiles.length;
  const ruleProfiles: RuleProfile[] = profiles.map((p) => ({ id: p.id, values: { ...p.traits, ...p.personal } }));

  // Fields: presence, and which side of the vault they live on.
  const presence = new Map<string, number>();
  const personal = new Set<string>();
  for (const p of profiles) {
    const seen = new Set<string>();
    paths(p.traits, seen);
    const pii = new Set<string>();
    paths(p.personal, pii);
    for (const f of pii) {
      seen.add(f);
      personal.add(f);
    }
    for (const f of seen) presence.set(f, (presence.get(f) ?? 0) + 1);
  }
  const listed = [...presence.entries()]
    .filter(([f, c]) => c >= Math.max(1, n * 0.01) || Object.hasOwn(input.fieldSpecs, f) || input.completenessFields.includes(f))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, MAX_FIELDS);
  for (const f of input.completenessFields) if (!presence.has(f)) listed.push([f, 0]);
  const fields = listed.map(([field, present]) => {
    const invalidByCode: Record<string, number> = {};
    let invalid = 0;
    const spec = Object.hasOwn(input.fieldSpecs, field) ? input.fieldSpecs[field] : undefined;
    if (spec !== undefined && present > 0) {
      const normalise = buildNormaliser(spec);
      for (const p of ruleProfiles) {
        const v = fieldValue(p, field);
        if (!isPresent(v)) continue;
        const r = normalise(v);
        if (r.ok) continue;
        invalid++;
        invalidByCode[r.error.code] = (invalidByCode[r.error.code] ?? 0) + 1;
      }
    }
    return { field, personal: personal.has(field), present, missing: n - present, missingRate: n === 0 ? 0 : round((n - present) / n), invalid, invalidByCode };
  });

  // Exact duplicates: profiles sharing a normalised email or phone (compared as SHA-256 digests). A profile holds one
  // value of each, so the pairs sharing either are those sharing the email, plus those sharing the phone, less those
  // sharing both: counted per group, never listed (a placeholder phone shared by thousands makes millions of pairs).
  const keyOf = new Map<string, (string | null)[]>();
  EXACT_KEYS.forEach(([field, spec], k) => {
    const normalise = buildNormaliser(spec);
    for (const p of ruleProfiles) {
      const v = fieldValue(p, field);
      if (!isPresent(v)) continue;
      const r = normalise(v);
      if (!r.ok) continue;
      const keys = keyOf.get(p.id) ?? EXACT_KEYS.map(() => null);
      keys[k] = createHash('sha256').update(String(plainValue(r.value))).digest('hex');
      keyOf.set(p.id, keys);
    }
  });
  const sizes = EXACT_KEYS.map(() => new Map<string, number>());
  const both = new Map<string, number>();
  for (const keys of keyOf.values()) {
    keys.forEach((key, k) => {
      if (key !== null) (sizes[k] as Map<string, number>).set(key, ((sizes[k] as Map<string, number>).get(key) ?? 0) + 1);
    });
    if (keys.every((key) => key !== null)) {
      const combined = keys.join('|');
      both.set(combined, (both.get(combined) ?? 0) + 1);
    }
  }
  const pairsIn = (m: Map<string, number>): number => {
    let n = 0;
    for (const c of m.values()) n += (c * (c - 1)) / 2;
    return n;
  };
  const exactPairs = sizes.reduce((sum, m) => sum + pairsIn(m), 0) - pairsIn(both);
  let exactProfiles = 0;
  for (const keys of keyOf.values()) {
    if (keys.some((key, k) => key !== null && ((sizes[k] as Map<string, number>).get(key) ?? 0) > 1)) exactProfiles++;
  }
  const inProbable = new Set<string>();
  for (const p of input.probablePairs) {
    inProbable.add(p.a);
    inProbable.add(p.b);
  }

  // Rule violations, without personal values (counts only leave this function).
  const byRule = new Map<string, { rule: string; code: string; severity: 'reject' | 'flag'; count: number }>();
  for (const v of checkProfiles(input.rules, ruleProfiles, { now, maskPersonal: true })) {
    const row = byRule.get(v.ruleId) ?? { rule: v.ruleId, code: v.code, severity: v.severity, count: 0 };
    row.count++;
    byRule.set(v.ruleId, row);
  }

  // Outliers on the numeric fields (those whose present values are nearly all numbers).
  const outliers: QualityReport['outliers'] = [];
  for (const f of fields) {
    if (f.present < 10) continue;
    const samples: NumericSample[] = [];
    for (const p of ruleProfiles) {
      const x = numberOf(fieldValue(p, f.field));
      if (x !== null) samples.push({ profileId: p.id, value: x });
    }
    if (samples.length < 0.9 * f.present) continue;
    const iqr = iqrOutliers(samples);
    const z = zScoreOutliers(samples);
    outliers.push({ field: f.field, method: 'iqr', count: iqr.flagged.length, low: iqr.lower, high: iqr.upper });
    outliers.push({ field: f.field, method: 'zscore', count: z.flagged.length, low: z.lower, high: z.upper });
  }

  // Freshness: time since each profile was last updated.
  const ages = profiles.map((p) => Math.max(0, now.getTime() - p.updatedAt.getTime()) / DAY).sort((a, b) => a - b);
  const buckets = FRESHNESS.map(([label]) => ({ label, count: 0 }));
  for (const d of ages) {
    const i = FRESHNESS.findIndex(([, upTo]) => d < upTo);
    (buckets[i] as { count: number }).count++;
  }
  const medianDays = ages.length === 0 ? null : round(ages.length % 2 === 1 ? (ages[(ages.length - 1) / 2] as number) : ((ages[ages.length / 2 - 1] as number) + (ages[ages.length / 2] as number)) / 2);

  // Completeness: the share of the chosen fields each profile fills.
  const histogram = Array.from({ length: 10 }, (_, i) => ({ from: i / 10, to: (i + 1) / 10, count: 0 }));
  let sum = 0;
  for (const p of ruleProfiles) {
    const filled = input.completenessFields.filter((f) => isPresent(fieldValue(p, f))).length;
    const score = filled / input.completenessFields.length;
    sum += score;
    (histogram[Math.min(9, Math.floor(score * 10))] as { count: number }).count++;
  }

  return {
    at: now.toISOString(),
    profiles: n,
    duplicates: {
      exactPairs,
      exactProfiles,
      exactRate: n === 0 ? 0 : round(exactProfiles / n),
      probablePairs: input.probablePairs.length,
      probableRate: n === 0 ? 0 : round(inProbable.size / n),
    },
    fields,
    violations: [...byRule.values()].sort((a, b) => b.count - a.count || a.rule.localeCompare(b.rule)),
    outliers,
    freshness: { buckets, medianDays },
    completeness: { fields: [...input.completenessFields], mean: n === 0 ? null : round(sum / n), histogram },
  };
}

/** The default checks of invalid values, by Segment's reserved trait names and the demo's snake_case ones. */
export const DEFAULT_FIELD_SPECS: Readonly<Record<string, unknown>> = {
  email: { kind: 'email' },
  phone: { kind: 'phone', defaultRegion: 'FR' },
  birthday: { kind: 'date', formats: ['ISO'] },
  'address.postalCode': { kind: 'postal_code' },
  postal_code: { kind: 'postal_code' },
  'address.country': { kind: 'country' },
};
