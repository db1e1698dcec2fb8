import { z } from 'zod';
import { applyFeatures, type FeatureTransform } from '../analytics/index.js';
import { AppError, ProfileId } from '../kernel/index.js';
import { ModelName } from './cluster-service.js';
import { buildProfileTable, type AnalyticsDeps, FeatureName, Target, type ProfileTable } from './profile-table.js';
import { checkParams, classifierFromJSON, trainModel, TrainOptionsObject, type ModelReport } from './train.js';

/**
 * Propensity models on profiles. Training takes the table as of `now - target.days` (features from before that date,
 * the label from the `days` after it: observed, and never seen by the features), trains and evaluates
 * (train.ts), and stores a new version in the registry. Scoring applies the latest version to every profile as of now
 * and writes two scores: `score.<name>`, the probability, and `score.<name>_pct`, its percentile among the profiles
 * scored (0-100), which "top 10%" segments read (`score.<name>_pct >= 90`) so that they keep their meaning as scores
 * move. Both are refreshed on schedule (scoring.models.everyHours).
 */

export const DEFAULT_MODEL_FEATURES: readonly string[] = [
  'orders',
  'revenue',
  'avg_order_value',
  'orders_90d',
  'days_since_last_order',
  'days_since_first_seen',
  'days_since_last_seen',
  'events_30d',
  'events_90d',
  'active_days_90d',
];

/** The spec as stored: read back without the parameter check, so a version stored before it still opens. */
const ModelSpecObject = TrainOptionsObject.extend({
  name: ModelName,
  target: Target,
  features: z.array(FeatureName).min(1).max(100).default([...DEFAULT_MODEL_FEATURES]),
  population: z.enum(['seen', 'customers']).default('seen'),
  /** Score every profile with the new version at once (default true). */
  score: z.boolean().default(true),
}).strict();
export const ModelSpec = ModelSpecObject.superRefine(checkParams);
export type ModelSpec = z.infer<typeof ModelSpec>;
export type ModelSpecInput = z.input<typeof ModelSpec>;

export type ModelSummary = {
  name: string;
  version: number;
  at: string;
  /** The date the features were read as of; the label covers the target's days after it. */
  asOf: string;
  target: Target;
  population: 'seen' | 'customers';
  features: string[];
  report: ModelReport;
  /** The latest scoring of every profile with this version (null before the first). */
  scored: ScoringRun | null;
};

export type ScoringRun = {
  name: string;
  version: number;
  at: string;
  profiles: number;
  changed: number;
  /** Score distribution: deciles of the probabilities. */
  deciles: number[];
};

interface StoredModel {
  classifier: unknown;
  transform: FeatureTransform;
}

export type Explanation = {
  name: string;
  version: number;
  profileId: string;
  probability: number;
  /** What the contributions add up from, and in what (log-odds for logreg and gbdt, probability for forest). */
  base: number;
  scale: 'log-odds' | 'probability';
  contributions: { feature: string; value: number | null; contribution: number }[];
};

const DAY = 86_400_000;

export class ModelService {
  constructor(
    private readonly o: AnalyticsDeps,
  ) {}

  private table(spec: ModelSpec, asOf: Date, withTarget: boolean, profileIds?: ProfileId[]): Promise<ProfileTable> {
    return buildProfileTable(this.o.store, {
      asOf,
      features: spec.features,
      orderEvent: this.o.orderEvent,
      revenueProperty: this.o.revenueProperty,
      population: spec.population,
      // Scoring keeps the population of the target (a churn model scores those who bought) but reads no label.
      target: spec.target,
      profileIds,
    }).then((t) => (withTarget ? t : { ...t, labels: null }));
  }

  async train(input: ModelSpecInput): Promise<ModelSummary> {
    const parsed = ModelSpec.safeParse(input);
    if (!parsed.success) throw new AppError('model.invalid_spec', parsed.error.issues.map((i) => `${i.path.join('.') || '(spec)'}: ${i.message}`).join(' '));
    const spec = parsed.data;
    const now = this.o.clock.now();
    const asOf = new Date(now.getTime() - spec.target.days * DAY);
    const table = await this.table(spec, asOf, true);
    const labels = table.labels as Uint8Array;
    const positives = labels.reduce((s, v) => s + v, 0);
    if (table.profileIds.length === 0) {
      throw new AppError('model.no_profiles', `No profile of the population "${spec.population}" has an event before ${asOf.toISOString().slice(0, 10)} (now less the target's ${spec.target.days} days).`);
    }
    if (table.profileIds.length < 20 || positives < 5 || table.profileIds.length - positives < 5) {
      throw new AppError('model.too_few_rows', `${table.profileIds.length} profiles as of ${asOf.toISOString().slice(0, 10)}, ${positives} of them positive: a model needs at least 20, with 5 of each class.`);
    }
    let trained;
    try {
      trained = trainModel({ columns: table.columns, labels }, null, spec);
    } catch (e) {
      if (e instanceof RangeError) throw new AppError('model.invalid_spec', `${e.message}.`);
      throw e;
    }
    const version = (await this.o.store.latestModelVersion(spec.name)) + 1;
    const summary: ModelSummary = {
      name: spec.name,
      version,
      at: now.toISOString(),
      asOf: asOf.toISOString(),
      target: spec.target,
      population: spec.population,
      features: spec.features,
      report: trained.report,
      scored: null,
    };
    const model: StoredModel = { classifier: trained.model.toJSON(), transform: trained.transform };
    await this.o.store.saveModel({ name: spec.name, version, kind: 'propensity', createdAt: now, spec, summary, model });
    this.o.logger.info({ name: spec.name, version, auc: trained.report.metrics.auc }, 'propensity model trained');
    if (spec.score) summary.scored = await this.score(spec.name);
    return summary;
  }

  private async load(name: string, version?: number): Promise<{ spec: ModelSpec; summary: ModelSummary; model: StoredModel }> {
    const row = await this.o.store.getModel(name, version);
    if (!row || row.kind !== 'propensity') throw new AppError('model.not_found', `No model is named "${name}"${version === undefined ? '' : ` with version ${version}`}.`);
    return { spec: ModelSpecObject.parse(row.spec), summary: row.summary as ModelSummary, model: row.model as StoredModel };
  }

  /** Scores every profile of the model's population with its latest version, as of now. */
  async score(name: string): Promise<ScoringRun> {
    const { spec, summary, model } = await this.load(name);
    const now = this.o.clock.now();
    const table = await this.table(spec, now, false);
    const applied = applyFeatures(model.transform, table.columns);
    const clf = classifierFromJSON(model.classifier);
    const p = clf.predictProba(applied.matrix.data, applied.matrix.n);
    const n = p.length;
    const order = Array.from(p.keys()).sort((a, b) => (p[a] as number) - (p[b] as number));
    const probs = new Map<string, number>();
    const pct = new Map<string, number>();
    // Percentile: the share of scored profiles with a strictly lower probability, so ties share a percentile.
    let below = 0;
    for (let r = 0; r < n; r++) {
      const i = order[r] as number;
      if (r > 0 && (p[i] as number) > (p[order[r - 1] as number] as number)) below = r;
      const id = table.profileIds[applied.rows[i] as number] as string;
      probs.set(id, Math.round((p[i] as number) * 1e4) / 1e4);
      pct.set(id, Math.floor((100 * below) / n));
    }
    const changed = await this.o.writer.runTask(async (t) => Math.max(this.o.engine.setScoreKey(name, probs, t), this.o.engine.setScoreKey(`${name}_pct`, pct, t)));
    const sorted = Float64Array.from(p).sort();
    const run: ScoringRun = {
      name,
      version: summary.version,
      at: now.toISOString(),
      profiles: n,
      changed,
      deciles: n === 0 ? [] : Array.from({ length: 11 }, (_, q) => Math.round((sorted[Math.min(n - 1, Math.floor((q / 10) * (n - 1)))] as number) * 1e4) / 1e4),
    };
    await this.o.store.updateModelSummary(name, summary.version, { ...summary, scored: run });
    this.o.logger.info({ name, version: summary.version, profiles: n, changed }, 'profiles scored');
    return run;
  }

  /**
   * On schedule: every propensity model rescores every profile, every clustering assigns them again, and CLV (once
   * fitted on profiles) is fitted again. One failure is logged and does not stop the others.
   */
  async refreshAll(others: { assignCluster: (name: string) => Promise<unknown>; refitClv: () => Promise<unknown> }): Promise<void> {
    let clv = false;
    for (const m of await this.o.store.listModels({})) {
      try {
        if (m.kind === 'propensity') await this.score(m.name);
        else if (m.kind === 'cluster') await others.assignCluster(m.name);
        else if (m.kind === 'clv') clv = true;
      } catch (e) {
        this.o.logger.error({ err: e, name: m.name }, 'scheduled rescoring failed');
      }
    }
    if (clv) {
      try {
        await others.refitClv();
      } catch (e) {
        this.o.logger.error({ err: e }, 'scheduled CLV refit failed');
      }
    }
  }

  async list(): Promise<ModelSummary[]> {
    return (await this.o.store.listModels({ kind: 'propensity' })).map((r) => r.summary as ModelSummary);
  }

  async versions(name: string): Promise<ModelSummary[]> {
    const rows = await this.o.store.listModels({ name, kind: 'propensity' });
    if (rows.length === 0) throw new AppError('model.not_found', `No model is named "${name}".`);
    return rows.map((r) => r.summary as ModelSummary);
  }

  async get(name: string, version?: number): Promise<ModelSummary> {
    return (await this.load(name, version)).summary;
  }

  /** Why a profile has its score: the latest version's per-feature contributions for it, as of now. */
  async explain(name: string, profileId: ProfileId): Promise<Explanation> {
    const { spec, summary, model } = await this.load(name);
    const table = await this.table(spec, this.o.clock.now(), false, [profileId]);
    const at = table.profileIds.indexOf(profileId);
    if (at < 0) throw new AppError('profile.not_found', `Profile ${profileId} is not in the population of model "${name}" (it needs an event${spec.population === 'customers' ? ' and an order' : ''}).`);
    const applied = applyFeatures(model.transform, table.columns);
    const row = Array.from(applied.rows).indexOf(at);
    if (row < 0) throw new AppError('profile.not_found', `Profile ${profileId} has a missing feature the model drops.`);
    const clf = classifierFromJSON(model.classifier);
    const d = applied.matrix.d;
    const x = applied.matrix.data.slice(row * d, row * d + d);
    const c = clf.contributions(x, 1);
    return {
      name,
      version: summary.version,
      profileId,
      probability: clf.predictProba(x, 1)[0] as number,
      base: c.base,
      scale: c.scale,
      contributions: clf.features
        .map((feature, j) => {
          // The profile's own value where the column is a feature as read (one-hot columns show 0/1).
          const col = table.columns.find((t) => t.name === feature);
          const raw = col?.kind === 'numeric' ? (col.values[at] as number) : (x[j] as number);
          return { feature, value: Number.isFinite(raw) ? raw : null, contribution: c.values[j] as number };
        })
        .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution)),
    };
  }

  /** A rule segment of the top `percent`% of profiles by the model's score: `score.<name>_pct >= 100 - percent`. */
  async topSegment(name: string, percent: number, segmentName?: string): Promise<{ segmentId: string; segmentName: string; definition: string; members: number }> {
    await this.load(name);
    if (!Number.isInteger(percent) || percent < 1 || percent > 99) throw new AppError('model.invalid_spec', `percent must be a whole number from 1 to 99, got ${percent}.`);
    const definition = `score.${name}_pct >= ${100 - percent}`;
    const segName = segmentName ?? `${name}: top ${percent}%`;
    const created = await this.o.segments.create({ name: segName, description: `The ${percent}% of profiles most likely by model ${name} (rescored on schedule).`, definition });
    if (!created.ok) throw new AppError(created.error.code, created.error.message);
    return { segmentId: created.value.id, segmentName: segName, definition, members: await this.o.segments.size(created.value.id) };
  }
}
