import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AppError } from '../kernel/index.js';
import { trainModel, TrainOptions, type ModelReport, type ModelSpecInput, type ModelSummary, type TrainOptionsInput } from '../scoring/index.js';
import type { AnalyticsApi } from './analytics-backend.js';
import { openBackend, type BackendOptions } from './backend.js';
import { columns, table, type Io } from './output.js';
import { readTableFile, type FileColumn } from './table-file.js';

/**
 * `segmentum model`: propensity models. `train --input FILE --target COL` trains on a file and prints the report (on
 * --test FILE when given, else on a stratified held-out share); `train --name NAME --event EVENT --within DAYS` trains
 * on profiles and stores a version in the registry. `list`, `show`, `score`, `explain` and `segment` work on the
 * stored models, on the database file or through a running server (--url). See docs/models.md.
 */

interface TrainCli extends BackendOptions {
  input?: string;
  target?: string;
  positive?: string;
  test?: string;
  features?: string;
  idColumn?: string;
  algo: string;
  testShare: string;
  seed: string;
  imbalance: string;
  cv: string;
  grid?: string;
  threshold: string;
  c?: string;
  trees?: string;
  maxDepth?: string;
  learningRate?: string;
  minSamplesLeaf?: string;
  hidden?: string;
  layers?: string;
  activation?: string;
  alpha?: string;
  epochs?: string;
  batchSize?: string;
  earlyStopping?: boolean;
  impute: string;
  transform: string;
  out?: string;
  name?: string;
  event?: string;
  within?: string;
  churn?: string;
  population: string;
  noScore?: boolean;
  json?: boolean;
}

type ReadOptions = (c: Command) => Command;

export function registerModelCommands(program: Command, readOptions: ReadOptions, io: Io): void {
  const model = program.command('model').description('Propensity models: train on a file or on profiles, score profiles, explain a score (docs/models.md)');
  readOptions(model.command('train').description('Train a model on a file (--input) or on profiles (--name with --event or --churn)'))
    .option('--input <file>', 'a table to train on (CSV with a header, NDJSON, JSON or Parquet); without it, profiles')
    .option('--target <col>', 'file: the column to predict (two values)')
    .option('--positive <value>', 'file: the target value that is the positive class (default: 1, true or yes)')
    .option('--test <file>', 'file: report on this table instead of a held-out share')
    .option('--features <list>', 'comma-separated: file columns (default: all but the target and --id-column), or profile features (docs/models.md)')
    .option('--id-column <col>', 'file: a column naming the rows, never a feature')
    .option('--algo <algo>', 'logreg, forest, gbdt or mlp (a neural net)', 'gbdt')
    .option('--test-share <share>', 'share of the rows held out for the report', '0.25')
    .option('--seed <n>', 'random seed: same seed, same split and model', '0')
    .option('--imbalance <how>', 'none, balanced (class weights) or smote', 'none')
    .option('--cv <folds>', 'stratified k-fold cross-validation on the training rows (0: none)', '0')
    .option('--grid <grid>', 'parameter values to try by cross-validated AUC, e.g. "C=0.01,0.1,1" or "nEstimators=50,100;maxDepth=4,8"')
    .option('--threshold <goal>', 'decision threshold: f1 (max F1), precision:0.8 or recall:0.6', 'f1')
    .option('--c <C>', 'logreg: inverse L2 penalty (default 1)')
    .option('--trees <n>', 'forest: trees; gbdt: boosting rounds (default 100)')
    .option('--max-depth <n>', 'forest, gbdt: tree depth limit')
    .option('--learning-rate <r>', 'gbdt: shrinkage (default 0.1); mlp: Adam step (default 0.001)')
    .option('--min-samples-leaf <n>', 'forest, gbdt: rows per leaf at least')
    .option('--hidden <units>', 'mlp: units per hidden layer (default 32)')
    .option('--layers <n>', 'mlp: hidden layers (default 1)')
    .option('--activation <f>', 'mlp: relu, tanh or logistic (default relu)')
    .option('--alpha <a>', 'mlp: L2 penalty (default 0.0001)')
    .option('--epochs <n>', 'mlp: epochs at most (default 200)')
    .option('--batch-size <n>', 'mlp: rows per minibatch (default min(200, rows))')
    .option('--early-stopping', 'mlp: stop on the accuracy of a held-out tenth of the training rows')
    .option('--impute <how>', 'missing numbers: median, mean, knn or iterative', 'median')
    .option('--transform <how>', 'numeric features: none, log, boxcox or yeojohnson', 'none')
    .option('--out <file>', 'file: write the fitted model and its feature transform as JSON')
    .option('--name <name>', 'profiles: the model name, also its score (score.NAME)')
    .option('--event <event>', 'profiles: predict this event within --within days')
    .option('--within <days>', 'profiles: days after the date the event is looked for', '30')
    .option('--churn <event>', 'profiles: predict no such event within --within days, among those who had one')
    .option('--population <who>', 'profiles: seen (any event) or customers (an order)', 'seen')
    .option('--no-score', 'profiles: do not score every profile with the new version')
    .action((o: TrainCli) => train(o, io));
  readOptions(model.command('list').description('The trained models, latest version of each')).action((o: BackendOptions & { json?: boolean }) => withApi(o, async (a) => {
    const items = await a.modelList();
    if (o.json) return io.out(JSON.stringify({ items }));
    if (items.length === 0) return io.out('No model yet: `segmentum model train --name purchase_30d --event "Order Completed" --within 30`.');
    io.out(columns(['name', 'version', 'algorithm', 'target', 'AUC', 'AP', 'trained'], items.map((m) => [m.name, m.version, m.report.algorithm, targetText(m), m.report.metrics.auc.toFixed(3), m.report.metrics.averagePrecision.toFixed(3), m.at])));
  }));
  readOptions(model.command('show <name>').description('A model: metrics, threshold, importance').option('--version <n>', 'a version (default: the latest)')).action(
    (name: string, o: BackendOptions & { json?: boolean; version?: string }) =>
      withApi(o, async (a) => {
        const m = await a.modelGet(name, o.version === undefined ? undefined : Number(o.version));
        if (o.json) return io.out(JSON.stringify(m));
        printSummary(io, m);
      }),
  );
  readOptions(model.command('score <name>').description('Score every profile now with the latest version (score.NAME, score.NAME_pct)')).action((name: string, o: BackendOptions & { json?: boolean }) =>
    withApi(o, async (a) => {
      const r = await a.modelScore(name);
      if (o.json) return io.out(JSON.stringify(r));
      io.out(table([['model', `${r.name} v${r.version}`], ['profiles scored', r.profiles], ['scores changed', r.changed], ['deciles', r.deciles.map((d) => d.toFixed(3)).join(' ')]]));
    }),
  );
  readOptions(model.command('explain <name> <profile>').description("Why a profile has its score: each feature's contribution")).action((name: string, profile: string, o: BackendOptions & { json?: boolean }) =>
    withApi(o, async (a) => {
      const e = await a.modelExplain(name, profile);
      if (o.json) return io.out(JSON.stringify(e));
      io.out(`${e.profileId}: P = ${e.probability.toFixed(4)} (model ${e.name} v${e.version}); base ${e.base.toFixed(4)} on the ${e.scale} scale`);
      io.out(columns(['feature', 'value', 'contribution'], e.contributions.slice(0, 15).map((c) => [c.feature, c.value === null ? '-' : Number(c.value.toPrecision(6)), c.contribution.toFixed(4)])));
    }),
  );
  readOptions(
    model
      .command('segment <name>')
      .description('A rule segment of the top N% of profiles by the model')
      .option('--top <percent>', 'the share of profiles, 1-99', '10')
      .option('--segment-name <name>', 'the segment name (default "NAME: top N%")'),
  ).action((name: string, o: BackendOptions & { json?: boolean; top: string; segmentName?: string }) =>
    withApi(o, async (a) => {
      const r = await a.modelSegment(name, Number(o.top), o.segmentName);
      if (o.json) return io.out(JSON.stringify(r));
      io.out(`Segment "${r.segmentName}" (${r.segmentId}): ${r.definition ?? ''}, ${r.members} members now.`);
    }),
  );
}

async function withApi(o: BackendOptions, f: (a: AnalyticsApi) => Promise<void>): Promise<void> {
  const b = await openBackend(o);
  try {
    await f(b.analytics());
  } finally {
    await b.close();
  }
}

const invalid = (message: string): never => {
  throw new AppError('config.invalid', message);
};

function options(o: TrainCli): TrainOptionsInput {
  const num = (flag: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x)) invalid(`--${flag} must be a number, got "${v}".`);
    return x;
  };
  let threshold: TrainOptionsInput['threshold'] = { goal: 'f1' };
  if (o.threshold !== 'f1') {
    const m = /^(precision|recall):([0-9.]+)$/.exec(o.threshold);
    if (!m) invalid(`--threshold takes f1, precision:P or recall:R (P, R between 0 and 1), got "${o.threshold}".`);
    threshold = { goal: m?.[1] as 'precision' | 'recall', target: Number(m?.[2]) };
  }
  let grid: Record<string, number[]> | undefined;
  if (o.grid) {
    grid = {};
    for (const part of o.grid.split(';').filter((p) => p.trim() !== '')) {
      const [k, vs] = part.split('=');
      if (!k || !vs) invalid(`--grid takes name=v1,v2;name2=v3, got "${o.grid}".`);
      grid[(k as string).trim()] = (vs as string).split(',').map((v) => num('grid', v.trim()) as number);
    }
  }
  const params = {
    ...(o.c === undefined ? {} : { C: num('c', o.c) }),
    ...(o.trees === undefined ? {} : { nEstimators: num('trees', o.trees) }),
    ...(o.maxDepth === undefined ? {} : { maxDepth: num('max-depth', o.maxDepth) }),
    ...(o.learningRate === undefined ? {} : { learningRate: num('learning-rate', o.learningRate) }),
    ...(o.minSamplesLeaf === undefined ? {} : { minSamplesLeaf: num('min-samples-leaf', o.minSamplesLeaf) }),
    ...(o.hidden === undefined ? {} : { hiddenUnits: num('hidden', o.hidden) }),
    ...(o.layers === undefined ? {} : { hiddenLayers: num('layers', o.layers) }),
    ...(o.activation === undefined ? {} : { activation: o.activation }),
    ...(o.alpha === undefined ? {} : { alpha: num('alpha', o.alpha) }),
    ...(o.epochs === undefined ? {} : { epochs: num('epochs', o.epochs) }),
    ...(o.batchSize === undefined ? {} : { batchSize: num('batch-size', o.batchSize) }),
    ...(o.earlyStopping ? { earlyStopping: true } : {}),
  };
  return {
    algo: o.algo as TrainOptionsInput['algo'],
    params: params as TrainOptionsInput['params'],
    testShare: num('test-share', o.testShare),
    seed: num('seed', o.seed),
    imbalance: o.imbalance as TrainOptionsInput['imbalance'],
    threshold,
    cv: num('cv', o.cv),
    ...(grid ? { grid } : {}),
    impute: o.impute as TrainOptionsInput['impute'],
    transform: o.transform as TrainOptionsInput['transform'],
  };
}

function specError(issues: { path: PropertyKey[]; message: string }[]): never {
  throw new AppError('model.invalid_spec', issues.map((i) => `${i.path.map(String).join('.') || '(options)'}: ${i.message}`).join(' '));
}

async function train(o: TrainCli, io: Io): Promise<void> {
  if (!o.input) return trainOnProfiles(o, io);
  const parsed = TrainOptions.safeParse(options(o));
  if (!parsed.success) specError(parsed.error.issues);
  const opts = parsed.data;
  if (!o.target) invalid('--target names the column to predict when training on a file (--input).');
  const codes = { unreadable: 'model.unreadable_file', invalid: 'model.invalid_value' } as const;
  const started = performance.now();
  const trainTable = await readTableFile(o.input, codes);
  const testTable = o.test ? await readTableFile(o.test, codes) : null;
  const pick = (t: typeof trainTable) => {
    const names = t.columns.map((c) => c.name);
    const target = t.columns.find((c) => c.name === o.target);
    if (!target) throw new AppError('model.unknown_column', `${t.path} has no column "${o.target}" (columns: ${names.join(', ')}).`);
    const wanted = o.features ? o.features.split(',').map((f) => f.trim()).filter((f) => f !== '') : names.filter((n) => n !== o.target && n !== o.idColumn);
    const unknown = wanted.filter((f) => !names.includes(f));
    if (unknown.length > 0) throw new AppError('model.unknown_column', `${t.path} has no column ${unknown.map((u) => `"${u}"`).join(', ')} (columns: ${names.join(', ')}).`);
    return { features: wanted.map((f) => t.columns.find((c) => c.name === f) as FileColumn), target };
  };
  const tr = pick(trainTable);
  const positive = positiveOf(tr.target, o.positive);
  const labelsOf = (t: FileColumn, path: string, lines: number[]): Uint8Array =>
    Uint8Array.from(t.kind === 'numeric' ? Array.from(t.values, String) : t.values, (v, i) => {
      const s = v === 'NaN' ? null : v;
      if (s === null) throw new AppError('model.bad_target', `${path}, line ${lines[i]}: the target ${o.target} is blank.`, { path: `line ${lines[i]}.${o.target}` });
      return s === positive ? 1 : 0;
    });
  const y = labelsOf(tr.target, trainTable.path, trainTable.lines);
  const distinct = new Set(tr.target.kind === 'numeric' ? Array.from(tr.target.values, String) : tr.target.values);
  if (distinct.size !== 2) throw new AppError('model.bad_target', `${o.target} has ${distinct.size} distinct value(s) in ${trainTable.path} (${[...distinct].slice(0, 5).join(', ')}); a propensity model needs exactly two.`);
  const pos = y.reduce((s, v) => s + v, 0);
  if (y.length < 20 || pos < 5 || y.length - pos < 5) throw new AppError('model.too_few_rows', `${y.length} rows, ${pos} positive (${o.target} = ${positive}): a model needs at least 20, with 5 of each class.`);
  let test = null;
  if (testTable) {
    const te = pick(testTable);
    test = { columns: te.features, labels: labelsOf(te.target, testTable.path, testTable.lines) };
  }
  let trained;
  try {
    trained = trainModel({ columns: tr.features, labels: y }, test, opts);
  } catch (e) {
    if (e instanceof RangeError) throw new AppError('model.invalid_spec', `${e.message}.`);
    throw e;
  }
  if (o.out) writeFileSync(o.out, JSON.stringify({ model: trained.model.toJSON(), transform: trained.transform, report: trained.report }));
  const doc = { input: o.input, test: o.test ?? null, target: o.target, positive, ...trained.report, seconds: (performance.now() - started) / 1000 };
  if (o.json) return io.out(JSON.stringify(doc));
  printReport(io, trained.report, `${o.input} (${o.target} = ${positive})`);
}

/** The positive class: --positive, else 1, true or yes (any case), else the less frequent value. */
function positiveOf(target: FileColumn, given: string | undefined): string {
  const values = target.kind === 'numeric' ? Array.from(target.values, String).filter((v) => v !== 'NaN') : target.values.filter((v): v is string => v !== null);
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  if (given !== undefined) {
    if (!counts.has(given)) throw new AppError('model.bad_target', `--positive ${given}: the target has the values ${[...counts.keys()].slice(0, 5).join(', ')}.`);
    return given;
  }
  for (const v of counts.keys()) if (['1', 'true', 'yes'].includes(v.toLowerCase())) return v;
  return [...counts.entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '1';
}

async function trainOnProfiles(o: TrainCli, io: Io): Promise<void> {
  if (!o.name) invalid('Train on a file with --input FILE --target COL, or on profiles with --name NAME and --event EVENT (or --churn EVENT).');
  if (!o.event === !o.churn) invalid('On profiles, give one target: --event EVENT (it happens within --within days) or --churn EVENT (it does not).');
  const days = Number(o.within);
  const spec: ModelSpecInput = {
    ...options(o),
    name: o.name as string,
    target: o.event ? { kind: 'event', event: o.event, days } : { kind: 'churn', event: o.churn as string, days },
    population: o.population as 'seen' | 'customers',
    score: o.noScore !== true,
    ...(o.features ? { features: o.features.split(',').map((f) => f.trim()).filter((f) => f !== '') } : {}),
  };
  const b = await openBackend(o);
  try {
    const m = await b.analytics().modelTrain(spec);
    if (o.json) return io.out(JSON.stringify(m));
    printSummary(io, m);
  } finally {
    await b.close();
  }
}

function targetText(m: ModelSummary): string {
  return `${m.target.kind === 'churn' ? 'no ' : ''}${m.target.event} within ${m.target.days}d`;
}

function printSummary(io: Io, m: ModelSummary): void {
  io.out(`Model ${m.name} v${m.version}, trained ${m.at}: ${targetText(m)}, features as of ${m.asOf.slice(0, 10)} (population: ${m.population})`);
  printReport(io, m.report, 'profiles');
  if (m.scored) io.out(`\nScored ${m.scored.profiles} profiles: score.${m.name} and score.${m.name}_pct (${m.scored.changed} changed).`);
}

function printReport(io: Io, r: ModelReport, what: string): void {
  const t = r.threshold;
  io.out(
    table([
      ['trained on', `${what}: ${r.rows.train} rows, ${r.positives.train} positive`],
      ['evaluated on', `${r.evaluatedOn === 'test-file' ? 'the test file' : 'a held-out share'}: ${r.rows.test} rows, ${r.positives.test} positive`],
      ['algorithm', `${r.algorithm} ${JSON.stringify(r.params)}${r.imbalance === 'none' ? '' : `, imbalance: ${r.imbalance}`}${r.converged === false ? ' (NOT converged)' : ''}`],
      ['AUC', r.metrics.auc.toFixed(4)],
      ['average precision', `${r.metrics.averagePrecision.toFixed(4)} (base rate ${r.metrics.baseRate.toFixed(4)})`],
      ['Brier, log loss', `${r.metrics.brier.toFixed(4)}, ${r.metrics.logLoss.toFixed(4)}`],
      ['threshold', `${t.value.toFixed(4)} (${t.goal.goal}${'target' in t.goal ? ` ${t.goal.target}` : ''}): precision ${t.precision.toFixed(3)}, recall ${t.recall.toFixed(3)}, F1 ${t.f1.toFixed(3)}`],
      ['confusion', `TP ${t.confusion.tp}, FP ${t.confusion.fp}, TN ${t.confusion.tn}, FN ${t.confusion.fn}`],
      ...(r.cv ? [['cross-validated AUC', `${r.cv.auc.mean.toFixed(4)} ± ${r.cv.auc.std.toFixed(4)} (${r.cv.folds} folds)`] as [string, string]] : []),
      ['seconds', r.seconds.toFixed(2)],
    ]),
  );
  if (r.grid) {
    io.out('');
    io.out(columns(['grid', 'AUC (cv)', '±'], r.grid.map((g) => [JSON.stringify(g.params), g.auc.mean.toFixed(4), g.auc.std.toFixed(4)])));
  }
  if (r.importance.length > 0) {
    io.out('');
    io.out(columns(['feature', `importance (AUC drop${r.importanceRows > 0 && r.importanceRows < r.rows.test ? `, ${r.importanceRows} of the test rows` : ''})`, '±'], r.importance.slice(0, 10).map((i) => [i.feature, i.mean.toFixed(4), i.std.toFixed(4)])));
  }
}
