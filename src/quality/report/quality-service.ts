import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import type { QualityConfig } from '../../config/index.js';
import { AppError, type Clock } from '../../kernel/index.js';
import type { IdentityStore, QualityStore, SegmentStore } from '../../store/index.js';
import { parseNormaliserSpec, type NormaliserSpec } from '../normalise/index.js';
import { compileRules, type CompiledRules } from '../rules/evaluate.js';
import { SEGMENT_TRAIT_RULES } from '../rules/french-rules.js';
import { parseRules, type Rule } from '../rules/schema.js';
import { computeQualityReport, DEFAULT_FIELD_SPECS, type QualityProfile, type QualityReport } from './report.js';

export interface StoredQualityReport extends QualityReport {
  id: string;
  seconds: number;
}

export interface QualityTrendPoint {
  id: string;
  at: string;
  profiles: number;
  exactRate: number;
  probableRate: number;
  completeness: number | null;
  violations: number;
  invalid: number;
}

export interface QualityServiceOptions {
  store: QualityStore & Pick<SegmentStore, 'scanProfiles'> & Pick<IdentityStore, 'listReviewPairs'>;
  config: QualityConfig;
  clock: Clock;
}

/** What a stored run must hold to be read back (older or foreign rows are skipped, not trusted). */
const StoredReport = z
  .object({
    id: z.string(),
    at: z.string(),
    profiles: z.number(),
    duplicates: z.object({ exactRate: z.number(), probableRate: z.number() }).passthrough(),
    fields: z.array(z.object({ invalid: z.number() }).passthrough()),
    violations: z.array(z.object({ count: z.number() }).passthrough()),
    completeness: z.object({ mean: z.number().nullable() }).passthrough(),
  })
  .passthrough();

/**
 * The data-quality report over the live profiles, each run stored for the trend. Rules and field checks come from
 * the configuration (quality.rules, quality.fields), checked when Segmentum starts.
 */
export class QualityService {
  readonly rules: readonly Rule[];
  private readonly compiled: CompiledRules;
  private readonly specs: Record<string, NormaliserSpec>;

  constructor(private readonly o: QualityServiceOptions) {
    const rules = parseRules(o.config.rules ?? SEGMENT_TRAIT_RULES);
    if (!rules.ok) throw new AppError('config.invalid', `Option quality.rules: ${rules.error.message}`);
    this.rules = rules.value;
    this.compiled = compileRules(rules.value);
    this.specs = {};
    for (const [field, raw] of Object.entries(o.config.fields ?? DEFAULT_FIELD_SPECS)) {
      const spec = parseNormaliserSpec(raw);
      if (!spec.ok) throw new AppError('config.invalid', `Option quality.fields.${field}: ${spec.error.message}`);
      this.specs[field] = spec.value;
    }
  }

  /** Computes a report now and stores it. */
  async run(): Promise<StoredQualityReport> {
    const started = performance.now();
    const profiles: QualityProfile[] = [];
    await this.o.store.scanProfiles((p) =>
      profiles.push({ id: p.profileId, updatedAt: lastDataUpdate(p.traits.times, p.pii.times) ?? p.updatedAt, traits: p.traits.values, personal: p.pii.values }),
    );
    const pending = await this.o.store.listReviewPairs({ status: 'pending', limit: 10_000_000 });
    const report = computeQualityReport({
      profiles,
      rules: this.compiled,
      fieldSpecs: this.specs,
      completenessFields: this.o.config.completenessFields,
      probablePairs: pending.items,
      now: this.o.clock.now(),
    });
    const stored: StoredQualityReport = { id: `qr_${randomUUID().replaceAll('-', '')}`, ...report, seconds: (performance.now() - started) / 1000 };
    await this.o.store.saveQualityRun({ id: stored.id, at: new Date(stored.at), report: stored });
    return stored;
  }

  /** The latest stored report when younger than quality.maxAgeMinutes, else a new one. */
  async latest(): Promise<StoredQualityReport> {
    const [last] = await this.o.store.qualityRuns(1);
    const maxAge = this.o.config.maxAgeMinutes * 60_000;
    if (last && this.o.clock.now().getTime() - last.at.getTime() <= maxAge && StoredReport.safeParse(last.report).success) {
      return last.report as StoredQualityReport;
    }
    return this.run();
  }

  /** One point per stored run, oldest first (the newest `limit`). */
  async trend(limit = 200): Promise<QualityTrendPoint[]> {
    const runs = await this.o.store.qualityRuns(limit);
    const points: QualityTrendPoint[] = [];
    for (const r of runs.reverse()) {
      const parsed = StoredReport.safeParse(r.report);
      if (!parsed.success) continue;
      const x = parsed.data;
      points.push({
        id: x.id,
        at: x.at,
        profiles: x.profiles,
        exactRate: x.duplicates.exactRate,
        probableRate: x.duplicates.probableRate,
        completeness: x.completeness.mean,
        violations: x.violations.reduce((s, v) => s + v.count, 0),
        invalid: x.fields.reduce((s, f) => s + f.invalid, 0),
      });
    }
    return points;
  }
}

/**
 * When the profile's data last changed: the latest time a trait took its value (the timestamp of the call or row that
 * set it), rather than when the row was last written (a reload or a merge rewrites rows without new data).
 */
function lastDataUpdate(...times: Record<string, string>[]): Date | null {
  let last: string | null = null;
  for (const t of times) for (const v of Object.values(t)) if (last === null || v > last) last = v;
  return last === null ? null : new Date(last);
}
