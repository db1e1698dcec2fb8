import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  analyse,
  DATE_FORMATS,
  DAYS_PER_MONTH,
  DAYS_PER_UNIT,
  formatDay,
  parseCdnowLog,
  parseDay,
  parseTiers,
  summarise,
  transactionsFromRows,
  type ClvAnalysis,
  type ClvProblem,
  type DateFormat,
  type RfmSummary,
  type TimeUnit,
  type TransactionLog,
} from '../analytics/index.js';
import { CsvParser, CsvSyntaxError, detectDelimiter, type CsvRecord } from '../imports/index.js';
import { AppError, type Result } from '../kernel/index.js';
import { registerClvProfiles } from './clv-profiles.js';
import { columns, table, type Io } from './output.js';

/**
 * `segmentum clv fit FILE --format cdnow|csv --calibration-end DATE --unit day|week`: fits the BG/NBD and Gamma-Gamma
 * models on a transaction log and prints the parameters, the fits' log-likelihood and convergence, the purchase
 * forecast, CLV and its tiers; --json prints them as one document, --out writes one row per customer.
 * docs/clv.md describes the models and how to read the figures.
 */

export interface ClvFitOptions {
  format: string;
  calibrationEnd: string;
  unit: string;
  customerColumn?: string;
  dateColumn?: string;
  amountColumn?: string;
  dateFormat?: string;
  horizon?: string;
  discountRate?: string;
  forecast?: string;
  tiers?: string;
  holdoutEnd?: string;
  out?: string;
  json?: boolean;
}

export function registerClvCommand(program: Command, readOptions: (c: Command) => Command, io: Io): void {
  const clv = program.command('clv').description('Customer lifetime value: purchase (BG/NBD) and spend (Gamma-Gamma) models');
  registerClvProfiles(clv, readOptions, io);
  clv
    .command('fit')
    .description('Fit the CLV models on a transaction log and print parameters, forecast, CLV and tiers')
    .argument('<file>', 'transaction log: one purchase per line')
    .requiredOption('--format <format>', 'cdnow (whitespace-separated customer, sample, date YYYYMMDD, quantity, amount) or csv (a header row)')
    .requiredOption('--calibration-end <date>', 'last day used to fit the models, YYYY-MM-DD (later purchases are not used)')
    .requiredOption('--unit <unit>', 'time unit of the models: day or week')
    .option('--customer-column <column>', 'csv: the column of the customer id (default customer)')
    .option('--date-column <column>', 'csv: the column of the purchase date (default date)')
    .option('--amount-column <column>', 'csv: the column of the amount spent (default amount)')
    .option('--date-format <format>', `csv: ${DATE_FORMATS.join(', ')} (default auto: YYYY-MM-DD, with or without a time, or YYYYMMDD)`)
    .option('--horizon <months>', 'CLV horizon in months (default 12)')
    .option('--discount-rate <rate>', 'discount rate per month (default 0.01)')
    .option('--forecast <n>', 'window of the purchase forecast, in --unit (default 52 weeks, or 365 days)')
    .option('--tiers <spec>', 'CLV tiers from the top, name:share,... (default top:0.1,high:0.2,medium:0.3,low:0.4)')
    .option('--holdout-end <date>', 'also compare the forecast with the purchases made after --calibration-end up to this day')
    .option('--out <file>', 'write one CSV row per customer: x, t_x, T, monetary, P(alive), expected purchases and spend, CLV, tier')
    .option('--json', 'print the results as one JSON document')
    .action((file: string, o: ClvFitOptions) => clvFitCommand(file, o, io));
}

function invalid(message: string): never {
  throw new AppError('config.invalid', message);
}

function numberOption(name: string, v: string | undefined, fallback: number, min: number, max: number, integer: boolean): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    invalid(`--${name} must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${v}"`);
  }
  return n;
}

function dayOption(name: string, v: string): number {
  const day = parseDay(v, 'auto');
  if (day === undefined) invalid(`--${name} must be a date written YYYY-MM-DD, got "${v}"`);
  return day;
}

/** The one place a CLV problem (a value) becomes the CLI's error (thrown to its one handler). */
function fail(problem: ClvProblem, file: string): never {
  const line = problem.code === 'clv.bad_line' ? problem.line : undefined;
  throw new AppError(problem.code, `${file}: ${problem.message}`, {
    ...(line === undefined ? {} : { path: `${file}:${line}` }),
    details: { ...problem },
  });
}

function readText(path: string): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new AppError('clv.unreadable_file', `cannot read the transaction file ${path}: ${reason}`, { path, cause: e });
  }
}

function readCsv(text: string, o: ClvFitOptions, format: DateFormat): Result<TransactionLog, ClvProblem> {
  const parser = new CsvParser(detectDelimiter(text.slice(0, text.search(/\r?\n|\r|$/))));
  let records: CsvRecord[];
  try {
    records = [...parser.push(text), ...parser.end()];
  } catch (e) {
    if (e instanceof CsvSyntaxError) return { ok: false, error: { code: 'clv.bad_line', message: `line ${e.line}: ${e.message}`, line: e.line } };
    throw e;
  }
  const [header, ...rows] = records;
  if (header === undefined) return { ok: false, error: { code: 'clv.bad_line', message: 'line 1: the file is empty (a header row is needed)', line: 1 } };
  const cols = { customer: o.customerColumn ?? 'customer', date: o.dateColumn ?? 'date', amount: o.amountColumn ?? 'amount' };
  return transactionsFromRows(header.fields, rows, cols, format);
}

export async function clvFitCommand(file: string, o: ClvFitOptions, io: Io): Promise<void> {
  const started = performance.now();
  if (o.format !== 'cdnow' && o.format !== 'csv') invalid(`--format must be cdnow or csv, got "${o.format}"`);
  if (o.unit !== 'day' && o.unit !== 'week') invalid(`--unit must be day or week, got "${o.unit}"`);
  const unit: TimeUnit = o.unit === 'day' ? 'day' : 'week';
  if (o.format === 'cdnow') {
    const csvOnly = (['customerColumn', 'dateColumn', 'amountColumn', 'dateFormat'] as const).find((k) => o[k] !== undefined);
    if (csvOnly) invalid(`--${csvOnly.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to --format csv only`);
  }
  const dateFormat = DATE_FORMATS.find((f) => f === (o.dateFormat ?? 'auto'));
  if (dateFormat === undefined) invalid(`--date-format must be one of ${DATE_FORMATS.join(', ')}, got "${o.dateFormat}"`);
  const calibrationEnd = dayOption('calibration-end', o.calibrationEnd);
  const holdoutEnd = o.holdoutEnd === undefined ? undefined : dayOption('holdout-end', o.holdoutEnd);
  if (holdoutEnd !== undefined && holdoutEnd <= calibrationEnd) invalid('--holdout-end must come after --calibration-end');
  const months = numberOption('horizon', o.horizon, 12, 1, 1200, true);
  const discountRate = numberOption('discount-rate', o.discountRate, 0.01, 0, 1, false);
  const forecast = numberOption('forecast', o.forecast, unit === 'week' ? 52 : 365, 0.001, 100_000, false);
  const tiers = o.tiers === undefined ? undefined : parseTiers(o.tiers);
  if (tiers && !tiers.ok) invalid(`--tiers: ${tiers.error}`);

  const text = readText(file);
  const log = o.format === 'cdnow' ? parseCdnowLog(text) : readCsv(text, o, dateFormat);
  if (!log.ok) fail(log.error, file);
  if (log.value.length === 0) fail({ code: 'clv.no_customers', message: 'the file holds no transaction' }, file);
  const summary = summarise(log.value, { calibrationEnd, unit, ...(holdoutEnd === undefined ? {} : { holdoutEnd }) });
  const periodLength = DAYS_PER_MONTH / DAYS_PER_UNIT[unit];
  const analysis = analyse(summary, {
    lifetime: { periods: months, periodLength, discountRate },
    forecast,
    ...(tiers?.ok ? { tiers: tiers.value } : {}),
  });
  if (!analysis.ok) fail(analysis.error, file);
  const a = analysis.value;
  for (const [name, fit] of [
    ['BG/NBD', a.bgNbd],
    ['Gamma-Gamma', a.gammaGamma],
  ] as const) {
    if (fit.converged) continue;
    let why = fit.diverged ? 'its parameters grew without bound' : `it had not settled after ${fit.evaluations} evaluations`;
    if (name === 'BG/NBD') {
      const dropout = a.bgNbd.params.a / (a.bgNbd.params.a + a.bgNbd.params.b);
      if (dropout < 1e-4) why += `, towards no dropout at all (mean dropout probability a / (a + b) = ${dropout.toPrecision(2)})`;
    } else if (a.gammaGamma.params.q > 1e4) {
      why += ', towards the same mean spend for every customer (q grows without limit)';
    }
    const params = Object.entries(fit.params)
      .map(([k, v]) => `${k} ${Number(v).toPrecision(4)}`)
      .join(', ');
    throw new AppError('clv.not_converged', `the ${name} fit did not converge: ${why} (${params}; log-likelihood ${fit.logLikelihood.toFixed(3)})`, {
      details: { model: name, ...fit },
    });
  }

  if (o.out) writeOut(o.out, customerCsv(summary, a));
  const doc = document(file, o.format, summary, a, { months, discountRate, periodLength, forecast, out: o.out ?? null, seconds: (performance.now() - started) / 1000 });
  if (o.json) io.out(JSON.stringify(doc));
  else io.out(human(doc));
}

function writeOut(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new AppError('config.invalid', `--out: cannot write ${path}: ${(e as Error).message}`, { path, cause: e });
  }
}

const csvCell = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
/** Ten significant digits, without trailing zeros (a P(alive) of 1e-12 stays readable as such). */
const num = (v: number): string => String(Number(v.toPrecision(10)));

function customerCsv(s: RfmSummary, a: ClvAnalysis): string {
  const c = a.perCustomer;
  const lines = ['customer,x,t_x,T,monetary,p_alive,expected_purchases,expected_spend,clv,tier'];
  for (let i = 0; i < s.ids.length; i++) {
    lines.push(
      [
        csvCell(s.ids[i]!),
        num(s.x[i]!),
        num(s.tx[i]!),
        num(s.T[i]!),
        num(s.monetary[i]!),
        num(c.probabilityAlive[i]!),
        num(c.horizonPurchases[i]!),
        num(c.expectedSpend[i]!),
        num(c.clv[i]!),
        a.tiers[c.tier[i]!]!.name,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

interface Settings {
  months: number;
  discountRate: number;
  periodLength: number;
  forecast: number;
  out: string | null;
  seconds: number;
}

type ClvDocument = ReturnType<typeof document>;

function document(file: string, format: string, s: RfmSummary, a: ClvAnalysis, o: Settings) {
  const fit = <P>(f: { params: P; logLikelihood: number; converged: boolean; iterations: number; evaluations: number; restarts: number; gradientMax: number; customers: number }) => ({
    params: f.params,
    logLikelihood: f.logLikelihood,
    converged: f.converged,
    iterations: f.iterations,
    evaluations: f.evaluations,
    restarts: f.restarts,
    gradientMax: f.gradientMax,
    customers: f.customers,
  });
  const f = a.figures;
  return {
    file,
    format,
    unit: s.unit,
    calibrationEnd: formatDay(s.calibrationEnd),
    transactions: { read: s.transactions.total, calibration: s.transactions.calibration },
    customers: { total: f.customers, repeat: f.repeatCustomers, firstPurchaseAfterCalibration: s.leftOut },
    bgNbd: fit(a.bgNbd),
    gammaGamma: {
      ...fit(a.gammaGamma),
      excluded: a.gammaGamma.excluded,
      frequencySpendCorrelation: a.gammaGamma.frequencySpendCorrelation,
      populationMeanSpend: a.gammaGamma.populationMeanSpend,
    },
    forecast: {
      length: o.forecast,
      expectedPurchases: f.forecastPurchases,
      perCustomer: f.forecastPurchases / f.customers,
      meanProbabilityAlive: f.meanProbabilityAlive,
      newCustomer: { expectedPurchases: f.newCustomerExpectedPurchases, probabilityOfNone: f.newCustomerNoPurchase },
    },
    clv: {
      horizonMonths: o.months,
      periodLength: o.periodLength,
      discountRate: o.discountRate,
      expectedPurchases: f.horizonPurchases,
      total: f.totalClv,
      mean: f.meanClv,
      median: f.medianClv,
      tiers: a.tiers,
    },
    holdout: a.holdout && s.holdout ? { end: formatDay(s.holdout.end), ...a.holdout } : null,
    out: o.out,
    seconds: o.seconds,
  };
}

const fixed = (v: number, d: number): string => v.toFixed(d);
const money = (v: number): string => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

function fitLine(f: { logLikelihood: number; converged: boolean; iterations: number; restarts: number; customers: number }): string {
  const status = f.converged ? 'converged' : 'NOT converged';
  const restarts = `${f.restarts} restart${f.restarts === 1 ? '' : 's'}`;
  return `log-likelihood ${fixed(f.logLikelihood, 3)}, ${status} (${f.iterations} iterations, ${restarts}), ${f.customers} customers`;
}

function human(d: ClvDocument): string {
  const u = d.unit === 'week' ? 'weeks' : 'days';
  const b = d.bgNbd.params;
  const g = d.gammaGamma.params;
  const out = [
    table([
      ['file', `${d.file} (${d.format})`],
      ['calibration', `up to ${d.calibrationEnd}, in ${u}`],
      ['transactions', `${d.transactions.read} read, ${d.transactions.calibration} in the calibration period`],
      ['customers', `${d.customers.total} (${d.customers.repeat} with repeat purchases; ${d.customers.firstPurchaseAfterCalibration} left out, first purchase later)`],
      ['BG/NBD', `r ${fixed(b.r, 4)}  alpha ${fixed(b.alpha, 4)}  a ${fixed(b.a, 4)}  b ${fixed(b.b, 4)}`],
      ['', fitLine(d.bgNbd)],
      ['Gamma-Gamma', `p ${fixed(g.p, 4)}  q ${fixed(g.q, 4)}  gamma ${fixed(g.gamma, 4)}`],
      ['', fitLine(d.gammaGamma)],
      ['', `mean spend per purchase ${money(d.gammaGamma.populationMeanSpend)}; correlation of frequency and spend ${fixed(d.gammaGamma.frequencySpendCorrelation, 3)}`],
      [`next ${d.forecast.length} ${u}`, `${fixed(d.forecast.expectedPurchases, 1)} purchases expected (${fixed(d.forecast.perCustomer, 3)} per customer)`],
      ['mean P(alive)', fixed(d.forecast.meanProbabilityAlive, 3)],
      ['a new customer', `${fixed(d.forecast.newCustomer.expectedPurchases, 3)} purchases expected, none with probability ${fixed(d.forecast.newCustomer.probabilityOfNone, 3)}`],
      [
        `CLV, ${d.clv.horizonMonths} months`,
        `total ${money(d.clv.total)}, mean ${money(d.clv.mean)}, median ${money(d.clv.median)} (${pct(d.clv.discountRate)} a month discount, ${fixed(d.clv.expectedPurchases, 1)} purchases)`,
      ],
      ...(d.holdout
        ? ([
            [
              `holdout to ${d.holdout.end}`,
              `${d.holdout.actual} repeat purchases made, ${fixed(d.holdout.expected, 1)} expected over ${fixed(d.holdout.length, 2)} ${u}`,
            ],
          ] as [string, string][])
        : []),
      ['seconds', fixed(d.seconds, 2)],
      ['customers written to', d.out ?? '-'],
    ]),
    '',
    columns(
      ['tier', 'share', 'customers', 'CLV from', 'CLV to', 'share of CLV'],
      d.clv.tiers.map((t) => [t.name, pct(t.share), t.customers, t.minClv === null ? null : money(t.minClv), t.maxClv === null ? null : money(t.maxClv), pct(t.clvShare)]),
    ),
  ];
  return out.join('\n');
}
