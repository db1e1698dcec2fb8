import type { Command } from 'commander';
import { AppError } from '../kernel/index.js';
import { openBackend, type BackendOptions } from './backend.js';
import { columns, table, type Io } from './output.js';

/**
 * `segmentum clv profiles`: BG/NBD and Gamma-Gamma fitted on the order events of every profile, calibrated up to
 * today; writes the scores clv, p_alive, expected_orders and clv_tier (1 = top) that segments read.
 */

interface Options extends BackendOptions {
  unit: string;
  horizon: string;
  discountRate: string;
  forecastDays: string;
  segments?: boolean;
  json?: boolean;
}

export function registerClvProfiles(clv: Command, readOptions: (c: Command) => Command, io: Io): void {
  readOptions(clv.command('profiles').description('Fit CLV on the orders of every profile and write the scores clv, p_alive, expected_orders, clv_tier'))
    .option('--unit <unit>', 'time unit of the models: day or week', 'week')
    .option('--horizon <months>', 'CLV horizon in months', '12')
    .option('--discount-rate <rate>', 'discount rate per month', '0.01')
    .option('--forecast-days <days>', 'window of expected_orders, in days', '90')
    .option('--segments', 'also make one segment per CLV tier (score.clv_tier = N), where not made yet')
    .action((o: Options) => run(o, io));
}

async function run(o: Options, io: Io): Promise<void> {
  const num = (flag: string, v: string): number => {
    const x = Number(v);
    if (!Number.isFinite(x)) throw new AppError('config.invalid', `--${flag} must be a number, got "${v}".`);
    return x;
  };
  if (o.unit !== 'day' && o.unit !== 'week') throw new AppError('config.invalid', `--unit takes day or week, got "${o.unit}".`);
  const b = await openBackend(o);
  try {
    const r = await b.analytics().clvFit({ unit: o.unit, horizonMonths: num('horizon', o.horizon), discountRate: num('discount-rate', o.discountRate), forecastDays: num('forecast-days', o.forecastDays), segments: o.segments === true });
    if (o.json) return io.out(JSON.stringify(r));
    io.out(
      table([
        ['fit', `clv v${r.version}, calibrated up to ${r.calibrationEnd} (${r.unit}s)`],
        ['customers', `${r.customers} (${r.repeatCustomers} with repeat orders), ${r.transactions} orders`],
        ['BG/NBD', `r ${r.bgNbd.r.toFixed(4)}, alpha ${r.bgNbd.alpha.toFixed(4)}, a ${r.bgNbd.a.toFixed(4)}, b ${r.bgNbd.b.toFixed(4)}${r.bgNbd.converged ? '' : ' (NOT converged)'}`],
        ['Gamma-Gamma', `p ${r.gammaGamma.p.toFixed(4)}, q ${r.gammaGamma.q.toFixed(4)}, gamma ${r.gammaGamma.gamma.toFixed(4)}${r.gammaGamma.converged ? '' : ' (NOT converged)'}`],
        ['total CLV', `${r.figures.totalClv.toFixed(2)} over ${r.horizonMonths} months (mean ${r.figures.meanClv.toFixed(2)}, median ${r.figures.medianClv.toFixed(2)})`],
        ['scores changed', r.changed],
      ]),
    );
    io.out('');
    for (const sgm of r.segments) io.out(`Segment "${sgm.name}" (${sgm.id}): ${sgm.definition}`);
    if (r.segments.length > 0) io.out('');
    io.out(columns(['tier (score.clv_tier)', 'customers', 'CLV from', 'to', 'share of CLV'], r.tiers.map((t, i) => [`${i + 1} ${t.name}`, t.customers, t.minClv?.toFixed(2) ?? '-', t.maxClv?.toFixed(2) ?? '-', `${(t.clvShare * 100).toFixed(1)}%`])));
  } finally {
    await b.close();
  }
}
