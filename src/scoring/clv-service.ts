import { z } from 'zod';
import type { AnalyticsDeps } from './profile-table.js';
import {
  analyse,
  DAYS_PER_MONTH,
  DAYS_PER_UNIT,
  DEFAULT_TIERS,
  summarise,
  TransactionLogBuilder,
  type ClvAnalysis,
  type TierSummary,
  type ClvProblem,
  type TimeUnit,
} from '../analytics/index.js';
import { AppError, err, ok, type Result } from '../kernel/index.js';

/**
 * CLV on profiles: the order events of every profile form the transaction log (one purchase per UTC day, as the
 * models count them), calibrated up to today; BG/NBD and Gamma-Gamma are fitted on it and each customer gets the
 * scores `clv`, `p_alive`, `expected_orders` (over the forecast window) and `clv_tier` (1 = the top tier), which
 * segment rules read (`score.clv_tier = 1`). Each fit is stored in the model registry under the name `clv`.
 */

const DAY = 86_400_000;

export const ClvFitSpec = z
  .object({
    unit: z.enum(['day', 'week']).default('week'),
    /** CLV horizon in months, and the discount rate per month. */
    horizonMonths: z.number().int().min(1).max(1200).default(12),
    discountRate: z.number().min(0).max(1).default(0.01),
    /** Forecast window of `expected_orders`, in days. */
    forecastDays: z.number().int().min(1).max(3650).default(90),
    tiers: z
      .array(z.object({ name: z.string().min(1).max(40), share: z.number().gt(0).max(1) }))
      .min(1)
      .max(10)
      .refine((t) => Math.abs(t.reduce((s, x) => s + x.share, 0) - 1) < 1e-9, { message: 'Tier shares must add up to 1.' })
      .optional(),
    /** Also make one rule segment per tier (`score.clv_tier = N`, named "CLV: <tier>") where none has that name yet. */
    segments: z.boolean().default(false),
  })
  .strict();
export type ClvFitSpec = z.infer<typeof ClvFitSpec>;

export type ClvRunSummary = {
  name: 'clv';
  version: number;
  at: string;
  calibrationEnd: string;
  unit: TimeUnit;
  horizonMonths: number;
  discountRate: number;
  forecastDays: number;
  customers: number;
  repeatCustomers: number;
  transactions: number;
  bgNbd: { r: number; alpha: number; a: number; b: number; logLikelihood: number; converged: boolean };
  gammaGamma: { p: number; q: number; gamma: number; logLikelihood: number; converged: boolean; frequencySpendCorrelation: number };
  figures: ClvAnalysis['figures'];
  tiers: TierSummary[];
  /** CLV histogram (20 bins from 0 to the 99th percentile, the last bin open), for the dashboard. */
  histogram: { from: number; to: number | null; customers: number }[];
  /** Profiles whose scores changed. */
  changed: number;
  /** The value segments made by this fit (`segments: true`), one per tier not made before. */
  segments: { id: string; name: string; definition: string }[];
};

export class ClvService {
  constructor(
    private readonly o: AnalyticsDeps,
  ) {}

  /** The latest fit on profiles. */
  async latest(): Promise<ClvRunSummary> {
    const row = await this.o.store.getModel('clv');
    if (!row || row.kind !== 'clv') throw new AppError('model.not_found', 'CLV has not been fitted on profiles yet: run `segmentum clv profiles` or POST /api/clv/fit.');
    return row.summary as ClvRunSummary;
  }

  private async valueSegments(tiers: readonly { name: string; share: number }[]): Promise<ClvRunSummary['segments']> {
    const made: ClvRunSummary['segments'] = [];
    for (const [i, t] of tiers.entries()) {
      const name = `${CLV_SEGMENT_PREFIX}${t.name}`;
      if (this.o.segments.get(name).ok) continue;
      const definition = `score.clv_tier = ${i + 1}`;
      const created = await this.o.segments.create({ name, description: `Customers of the ${t.name} CLV tier (${Math.round(t.share * 100)}% of customers by predicted value).`, definition });
      if (!created.ok) throw new AppError(created.error.code, created.error.message);
      made.push({ id: created.value.id, name, definition });
    }
    return made;
  }

  /**
   * The scheduled refit (every scoring.models.everyHours, with the models): once CLV has been fitted on profiles, it
   * is fitted again with the settings of the latest fit, calibrated up to now, so that `clv`, `p_alive`,
   * `expected_orders` and `clv_tier` follow the new orders and the time that passed. A new version each time (the
   * registry keeps the history of the fits); value segments are not made again. Null when CLV was never fitted.
   */
  async refresh(): Promise<Result<ClvRunSummary, ClvProblem> | null> {
    const row = await this.o.store.getModel('clv');
    if (!row || row.kind !== 'clv') return null;
    const spec = ClvFitSpec.safeParse(row.spec);
    if (!spec.success) throw new AppError('model.invalid_spec', `The stored CLV settings no longer parse: ${spec.error.issues.map((i) => i.message).join(' ')}`);
    return this.fit({ ...spec.data, segments: false });
  }

  async fit(spec: ClvFitSpec): Promise<Result<ClvRunSummary, ClvProblem>> {
    const now = this.o.clock.now();
    const b = new TransactionLogBuilder();
    let transactions = 0;
    await this.o.store.scanEvents({ kinds: { trackEvents: [this.o.orderEvent], callTypes: [] }, since: null }, (e) => {
      if (e.ts > now.getTime()) return;
      const v = e.properties[this.o.revenueProperty];
      const amount = typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && Number.isFinite(Number(v)) && v.trim() !== '' ? Number(v) : 0;
      b.add(e.profileId, Math.floor(e.ts / DAY), amount);
      transactions++;
    });
    const log = b.build();
    if (log.length === 0) return err({ code: 'clv.no_customers', message: `no profile has a "${this.o.orderEvent}" event yet` });
    const calibrationEnd = Math.floor(now.getTime() / DAY);
    const summary = summarise(log, { calibrationEnd, unit: spec.unit });
    const tiers = spec.tiers ?? DEFAULT_TIERS;
    const analysis = analyse(summary, {
      lifetime: { periods: spec.horizonMonths, periodLength: DAYS_PER_MONTH / DAYS_PER_UNIT[spec.unit], discountRate: spec.discountRate },
      forecast: spec.forecastDays / DAYS_PER_UNIT[spec.unit],
      tiers,
    });
    if (!analysis.ok) return analysis;
    const a = analysis.value;
    const c = a.perCustomer;
    const clv = new Map<string, number>();
    const alive = new Map<string, number>();
    const expected = new Map<string, number>();
    const tier = new Map<string, number>();
    summary.ids.forEach((id, i) => {
      clv.set(id, round(c.clv[i] as number, 2));
      alive.set(id, round(c.probabilityAlive[i] as number, 4));
      expected.set(id, round(c.forecastPurchases[i] as number, 4));
      tier.set(id, (c.tier[i] as number) + 1);
    });
    const changed = await this.o.writer.runTask(async (t) => {
      let n = this.o.engine.setScoreKey('clv', clv, t);
      n = Math.max(n, this.o.engine.setScoreKey('p_alive', alive, t));
      n = Math.max(n, this.o.engine.setScoreKey('expected_orders', expected, t));
      return Math.max(n, this.o.engine.setScoreKey('clv_tier', tier, t));
    });
    const version = (await this.o.store.latestModelVersion('clv')) + 1;
    const run: ClvRunSummary = {
      name: 'clv',
      version,
      at: now.toISOString(),
      calibrationEnd: new Date(calibrationEnd * DAY).toISOString().slice(0, 10),
      unit: spec.unit,
      horizonMonths: spec.horizonMonths,
      discountRate: spec.discountRate,
      forecastDays: spec.forecastDays,
      customers: summary.ids.length,
      repeatCustomers: a.figures.repeatCustomers,
      transactions,
      bgNbd: { ...a.bgNbd.params, logLikelihood: a.bgNbd.logLikelihood, converged: a.bgNbd.converged },
      gammaGamma: { ...a.gammaGamma.params, logLikelihood: a.gammaGamma.logLikelihood, converged: a.gammaGamma.converged, frequencySpendCorrelation: a.gammaGamma.frequencySpendCorrelation },
      figures: a.figures,
      tiers: [...a.tiers],
      histogram: histogram(c.clv),
      changed,
      segments: spec.segments ? await this.valueSegments(tiers) : [],
    };
    await this.o.store.saveModel({
      name: 'clv',
      version,
      kind: 'clv',
      createdAt: now,
      spec,
      summary: run,
      model: { bgNbd: a.bgNbd.params, gammaGamma: a.gammaGamma.params, tiers },
    });
    this.o.logger.info({ customers: run.customers, changed }, 'CLV fitted on profiles');
    return ok(run);
  }
}

export const CLV_SEGMENT_PREFIX = 'CLV: ';

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

function histogram(values: Float64Array): ClvRunSummary['histogram'] {
  if (values.length === 0) return [];
  const sorted = Float64Array.from(values).sort();
  const top = sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))] as number;
  const bins = 20;
  const width = top > 0 ? top / (bins - 1) : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    const i = Math.min(bins - 1, Math.max(0, Math.floor(v / width)));
    counts[i] = (counts[i] as number) + 1;
  }
  return counts.map((customers, i) => ({ from: round(i * width, 2), to: i === bins - 1 ? null : round((i + 1) * width, 2), customers }));
}
