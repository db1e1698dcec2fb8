import { z } from 'zod';
import {
  applyFeatures,
  averagePrecision,
  brierScore,
  calibrationCurve,
  confusionAt,
  fitFeatures,
  fitForest,
  fitGbdt,
  fitLogReg,
  fitMlp,
  forestFromJSON,
  gbdtFromJSON,
  logLoss,
  logRegFromJSON,
  mlpFromJSON,
  permutationImportance,
  prCurve,
  precisionRecallF1,
  rocAuc,
  rocCurve,
  smote,
  stratifiedKFold,
  stratifiedSplit,
  takeRows,
  thinCurve,
  tuneThreshold,
  type BinaryClassifier,
  type Dataset,
  type FeatureColumn,
  type FeatureTransform,
} from '../analytics/index.js';

/**
 * Training a propensity model on a table, whatever it came from (a file, or profiles as of a date): stratified
 * split, the feature pipeline fitted on the training rows only (so the test rows never shape a median or a scale),
 * imbalance handling on the training rows only, the model, and its report on the test rows: ROC and PR curves, AUC,
 * average precision, calibration, permutation importance, and a decision threshold (tuned on rows that are neither
 * trained on nor reported on). Optional stratified k-fold cross-validation and grid search
 * over the algorithm's main parameters, on the training rows.
 */

export const Algo = z.enum(['logreg', 'forest', 'gbdt', 'mlp']);
export type Algo = z.infer<typeof Algo>;

export const ModelParams = z
  .object({
    /** logreg: inverse L2 penalty. */
    C: z.number().positive().max(1e9).optional(),
    /** forest: trees; gbdt: boosting rounds. */
    nEstimators: z.number().int().min(1).max(2000).optional(),
    maxDepth: z.number().int().min(1).max(64).optional(),
    minSamplesLeaf: z.number().int().min(1).max(10_000).optional(),
    /** gbdt: shrinkage (default 0.1); mlp: Adam's initial step (default 0.001). */
    learningRate: z.number().positive().max(1).optional(),
    /** gbdt */
    maxLeafNodes: z.number().int().min(2).max(1024).optional(),
    l2: z.number().min(0).max(1e6).optional(),
    /** mlp: units per hidden layer (default 32) and hidden layers (default 1). */
    hiddenUnits: z.number().int().min(1).max(1024).optional(),
    hiddenLayers: z.number().int().min(1).max(5).optional(),
    /** mlp: hidden activation (default relu). */
    activation: z.enum(['relu', 'tanh', 'logistic']).optional(),
    /** mlp: L2 penalty on the weights (default 1e-4). */
    alpha: z.number().min(0).max(1e3).optional(),
    /** mlp: epochs at most (default 200) and rows per minibatch (default min(200, rows)). */
    epochs: z.number().int().min(1).max(5000).optional(),
    batchSize: z.number().int().min(1).max(100_000).optional(),
    /** mlp: stop on the accuracy of a held-out tenth of the training rows and keep the best epoch (default false). */
    earlyStopping: z.boolean().optional(),
  })
  .strict();
export type ModelParams = z.infer<typeof ModelParams>;

/** The parameters each algorithm reads (the others would be ignored, so they are refused). */
export const PARAMS_OF: Record<Algo, readonly (keyof ModelParams)[]> = {
  logreg: ['C'],
  forest: ['nEstimators', 'maxDepth', 'minSamplesLeaf'],
  gbdt: ['nEstimators', 'maxDepth', 'minSamplesLeaf', 'learningRate', 'maxLeafNodes', 'l2'],
  mlp: ['hiddenUnits', 'hiddenLayers', 'activation', 'alpha', 'learningRate', 'epochs', 'batchSize', 'earlyStopping'],
};

export const ThresholdGoal = z.discriminatedUnion('goal', [
  z.object({ goal: z.literal('f1') }).strict(),
  z.object({ goal: z.literal('precision'), target: z.number().gt(0).max(1) }).strict(),
  z.object({ goal: z.literal('recall'), target: z.number().gt(0).max(1) }).strict(),
]);
export type ThresholdGoal = z.infer<typeof ThresholdGoal>;

/** The training options as a plain object schema (extended by the stored model's spec); `TrainOptions` adds the checks. */
export const TrainOptionsObject = z
  .object({
    algo: Algo.default('gbdt'),
    params: ModelParams.default({}),
    /** Share of the rows held out for the report when no test table is given. */
    testShare: z.number().gt(0).max(0.5).default(0.25),
    seed: z.number().int().min(0).max(2 ** 31).default(0),
    imbalance: z.enum(['none', 'balanced', 'smote']).default('none'),
    threshold: ThresholdGoal.default({ goal: 'f1' }),
    /** Stratified folds of cross-validation on the training rows (0: none). */
    cv: z.number().int().min(0).max(20).default(0),
    /** Values to try per parameter, scored by cross-validated AUC (cv folds, 3 when cv is 0); the best is kept. */
    grid: z.record(z.string(), z.array(z.number()).min(1).max(10)).optional(),
    impute: z.enum(['median', 'mean', 'knn', 'iterative']).default('median'),
    transform: z.enum(['none', 'log', 'boxcox', 'yeojohnson']).default('none'),
    maxLevels: z.number().int().min(1).max(100).default(10),
    importanceRepeats: z.number().int().min(0).max(50).default(5),
    /** Test rows permutation importance is measured on at most (a seeded sample beyond): it costs a prediction of each per shuffle. */
    importanceRows: z.number().int().min(100).max(10_000_000).default(10_000),
  })
  .strict();

/** A parameter of another algorithm would be ignored without a word: it is refused instead. */
export function checkParams(o: { algo: Algo; params: ModelParams; grid?: Record<string, number[]> | undefined }, ctx: z.RefinementCtx): void {
  const allowed: readonly string[] = PARAMS_OF[o.algo];
  for (const [where, names] of [
    ['params', Object.keys(o.params)],
    ['grid', Object.keys(o.grid ?? {})],
  ] as const) {
    for (const name of names.filter((n) => !allowed.includes(n))) {
      ctx.addIssue({ code: 'custom', path: [where, name], message: `${name} is not a parameter of ${o.algo} (its parameters: ${allowed.join(', ')})` });
    }
  }
}

export const TrainOptions = TrainOptionsObject.superRefine(checkParams);
export type TrainOptions = z.infer<typeof TrainOptions>;
export type TrainOptionsInput = z.input<typeof TrainOptions>;

export type ModelReport = {
  algorithm: Algo;
  params: ModelParams;
  imbalance: TrainOptions['imbalance'];
  rows: { train: number; test: number };
  positives: { train: number; test: number };
  /** The matrix columns after one-hot encoding. */
  columns: string[];
  /** Evaluated on the test file, or on the held-out share. */
  evaluatedOn: 'test-file' | 'holdout';
  metrics: {
    auc: number;
    averagePrecision: number;
    brier: number;
    logLoss: number;
    /** Positive rate of the test rows: the average precision of a random ranking. */
    baseRate: number;
  };
  /**
   * The decision threshold tuned for the goal on rows neither trained on nor reported on (out-of-fold, or a held-out
   * fifth of the training rows), and what it gives on the test rows; `reached` is false when no threshold met the
   * target (0.5 is used then).
   */
  threshold: { goal: ThresholdGoal; reached: boolean; value: number; precision: number; recall: number; f1: number; confusion: { tp: number; fp: number; tn: number; fn: number } };
  roc: { fpr: number; tpr: number }[];
  pr: { recall: number; precision: number }[];
  /** Quantile bins of the predicted probability (10): mean prediction, observed positive rate, rows. */
  calibration: { predicted: number; observed: number; count: number }[];
  importance: { feature: string; mean: number; std: number }[];
  /** The test rows the importance was measured on (all of them, or a seeded sample of importanceRows). */
  importanceRows: number;
  cv: { folds: number; auc: { mean: number; std: number } } | null;
  grid: { params: Record<string, number>; auc: { mean: number; std: number } }[] | null;
  /** logreg: whether Newton's method met the gradient tolerance; mlp: whether the loss stopped improving (or the validation accuracy, with earlyStopping) before the last epoch. */
  converged: boolean | null;
  seconds: number;
};

export interface Trained {
  model: BinaryClassifier;
  transform: FeatureTransform;
  report: ModelReport;
}

/** A stored model back as a classifier. */
export function classifierFromJSON(json: unknown): BinaryClassifier {
  const algo = (json as { algorithm?: unknown }).algorithm;
  if (algo === 'logreg') return logRegFromJSON(json);
  if (algo === 'forest') return forestFromJSON(json);
  if (algo === 'gbdt') return gbdtFromJSON(json);
  if (algo === 'mlp') return mlpFromJSON(json);
  throw new RangeError(`a stored model has an unknown algorithm ${JSON.stringify(algo)}`);
}

function subset(columns: readonly FeatureColumn[], rows: ArrayLike<number>): FeatureColumn[] {
  return columns.map((c) =>
    c.kind === 'numeric'
      ? { name: c.name, kind: 'numeric', values: Float64Array.from(rows, (i) => c.values[i] as number) }
      : { name: c.name, kind: 'categorical', values: Array.from(rows, (i) => c.values[i] ?? null) },
  );
}

function fit(data: Dataset, algo: Algo, p: ModelParams, seed: number, imbalance: TrainOptions['imbalance']): BinaryClassifier {
  let d = data;
  if (imbalance === 'smote') d = smote(data, { k: 5, seed });
  const balanced = imbalance === 'balanced';
  if (algo === 'logreg') return fitLogReg(d, { C: p.C ?? 1, classWeight: balanced ? 'balanced' : null });
  if (algo === 'forest') {
    return fitForest(d, {
      nEstimators: p.nEstimators ?? 100,
      seed,
      classWeight: balanced ? 'balanced' : null,
      ...(p.maxDepth === undefined ? {} : { maxDepth: p.maxDepth }),
      ...(p.minSamplesLeaf === undefined ? {} : { minSamplesLeaf: p.minSamplesLeaf }),
    });
  }
  if (algo === 'mlp') {
    return fitMlp(d, {
      seed,
      classWeight: balanced ? 'balanced' : null,
      hiddenLayerSizes: Array.from({ length: p.hiddenLayers ?? 1 }, () => p.hiddenUnits ?? 32),
      ...(p.activation === undefined ? {} : { activation: p.activation }),
      ...(p.alpha === undefined ? {} : { alpha: p.alpha }),
      ...(p.learningRate === undefined ? {} : { learningRateInit: p.learningRate }),
      ...(p.epochs === undefined ? {} : { maxIter: p.epochs }),
      ...(p.batchSize === undefined ? {} : { batchSize: p.batchSize }),
      ...(p.earlyStopping === undefined ? {} : { earlyStopping: p.earlyStopping }),
    });
  }
  return fitGbdt(d, {
    maxIter: p.nEstimators ?? 100,
    seed,
    classWeight: balanced ? 'balanced' : null,
    ...(p.learningRate === undefined ? {} : { learningRate: p.learningRate }),
    ...(p.maxLeafNodes === undefined ? {} : { maxLeafNodes: p.maxLeafNodes }),
    ...(p.minSamplesLeaf === undefined ? {} : { minSamplesLeaf: p.minSamplesLeaf }),
    ...(p.maxDepth === undefined ? {} : { maxDepth: p.maxDepth }),
    ...(p.l2 === undefined ? {} : { l2Regularization: p.l2 }),
  });
}

/**
 * Whether the algorithm sees z-scored features: logistic regression (its penalty treats every feature alike only
 * then) and the neural net (its initial weights and step sizes assume unit-scale inputs, as scikit-learn's guide asks
 * of MLPClassifier). Trees split on ranks and need no scaling.
 */
const scaled = (algo: Algo): boolean => algo === 'logreg' || algo === 'mlp';


function meanStd(v: number[]): { mean: number; std: number } {
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / v.length) };
}

/** Stratified k-fold AUC on the training rows, and each row's out-of-fold prediction (for tuning the threshold). */
function crossValidate(data: Dataset, algo: Algo, p: ModelParams, folds: number, seed: number, imbalance: TrainOptions['imbalance']): { auc: { mean: number; std: number }; oof: Float64Array } {
  const scores: number[] = [];
  const oof = new Float64Array(data.n);
  for (const fold of stratifiedKFold(data.y, folds, seed)) {
    const model = fit(takeRows(data, fold.train), algo, p, seed, imbalance);
    const test = takeRows(data, fold.test);
    const pred = model.predictProba(test.x, test.n);
    fold.test.forEach((i, r) => (oof[i] = pred[r] as number));
    scores.push(rocAuc(test.y, pred));
  }
  return { auc: meanStd(scores), oof };
}

function combinations(grid: Record<string, number[]>): Record<string, number>[] {
  let out: Record<string, number>[] = [{}];
  for (const [k, values] of Object.entries(grid)) out = out.flatMap((c) => values.map((v) => ({ ...c, [k]: v })));
  return out;
}

/**
 * Trains on `train` (columns + 0/1 labels) and reports on `test` when given, else on a stratified held-out share.
 * Throws RangeError for a problem of the input (a class missing, a transform the values do not allow).
 */
export function trainModel(
  train: { columns: readonly FeatureColumn[]; labels: Uint8Array },
  test: { columns: readonly FeatureColumn[]; labels: Uint8Array } | null,
  opts: TrainOptions,
): Trained {
  const started = performance.now();
  let trainCols: readonly FeatureColumn[] = train.columns;
  let trainY = train.labels;
  let testCols: readonly FeatureColumn[];
  let testY: Uint8Array;
  if (test) {
    testCols = test.columns;
    testY = test.labels;
  } else {
    const s = stratifiedSplit(train.labels, opts.testShare, opts.seed);
    trainCols = subset(train.columns, s.train);
    trainY = Uint8Array.from(s.train, (i) => train.labels[i] as number);
    testCols = subset(train.columns, s.test);
    testY = Uint8Array.from(s.test, (i) => train.labels[i] as number);
  }
  for (const [name, y] of [
    ['training', trainY],
    ['test', testY],
  ] as const) {
    const pos = y.reduce((s, v) => s + v, 0);
    if (pos === 0 || pos === y.length) throw new RangeError(`the ${name} rows hold one class only (${pos} positive of ${y.length})`);
  }
  const spec = { impute: opts.impute, transform: opts.transform, maxLevels: opts.maxLevels, scale: scaled(opts.algo) ? ('zscore' as const) : ('none' as const) };
  const fitted = fitFeatures(trainCols, spec);
  const data: Dataset = { x: fitted.matrix.data, n: fitted.matrix.n, d: fitted.matrix.d, y: Uint8Array.from(fitted.rows, (i) => trainY[i] as number), features: fitted.names };
  const applied = applyFeatures(fitted.transform, testCols);
  const testData: Dataset = { x: applied.matrix.data, n: applied.matrix.n, d: applied.matrix.d, y: Uint8Array.from(applied.rows, (i) => testY[i] as number), features: fitted.names };

  let params = opts.params;
  let grid: ModelReport['grid'] = null;
  if (opts.grid && Object.keys(opts.grid).length > 0) {
    const folds = opts.cv >= 2 ? opts.cv : 3;
    grid = combinations(opts.grid).map((c) => ({ params: c, auc: crossValidate(data, opts.algo, ModelParams.parse({ ...opts.params, ...c }), folds, opts.seed, opts.imbalance).auc }));
    const best = grid.reduce((a, b) => (b.auc.mean > a.auc.mean ? b : a));
    params = ModelParams.parse({ ...opts.params, ...best.params });
  }
  // The threshold is tuned on predictions for rows the model did not learn from and that do not report the result:
  // out-of-fold predictions with cross-validation, else a stratified fifth of the training rows held out once.
  const crossValidated = opts.cv >= 2 ? crossValidate(data, opts.algo, params, opts.cv, opts.seed, opts.imbalance) : null;
  let tuneY: Uint8Array;
  let tuneP: Float64Array;
  if (crossValidated) {
    tuneY = data.y;
    tuneP = crossValidated.oof;
  } else {
    const v = stratifiedSplit(data.y, 0.2, opts.seed + 1);
    const valid = takeRows(data, v.test);
    tuneY = valid.y;
    tuneP = fit(takeRows(data, v.train), opts.algo, params, opts.seed, opts.imbalance).predictProba(valid.x, valid.n);
  }
  const tuned = tuneThreshold(tuneY, tuneP, opts.threshold);
  const model = fit(data, opts.algo, params, opts.seed, opts.imbalance);
  const p = model.predictProba(testData.x, testData.n);
  const y = testData.y;
  const threshold = tuned?.threshold ?? 0.5;
  const c = confusionAt(y, p, threshold);
  const at = precisionRecallF1(c);
  const roc = rocCurve(y, p);
  const pr = prCurve(y, p);
  const rocPoints = thinCurve(roc.fpr, roc.tpr, roc.thresholds);
  const prPoints = thinCurve(pr.recall, pr.precision, pr.thresholds);
  const cal = calibrationCurve(y, p, 10, 'quantile');
  const imp = opts.importanceRepeats > 0 ? permutationImportance(model, testData, { repeats: opts.importanceRepeats, seed: opts.seed, maxRows: opts.importanceRows }) : null;
  const positives = (v: Uint8Array): number => v.reduce((s, x) => s + x, 0);
  const report: ModelReport = {
    algorithm: opts.algo,
    params,
    imbalance: opts.imbalance,
    rows: { train: data.n, test: testData.n },
    positives: { train: positives(data.y), test: positives(y) },
    columns: fitted.names,
    evaluatedOn: test ? 'test-file' : 'holdout',
    metrics: { auc: rocAuc(y, p), averagePrecision: averagePrecision(y, p), brier: brierScore(y, p), logLoss: logLoss(y, p), baseRate: positives(y) / y.length },
    threshold: { goal: opts.threshold, reached: tuned !== null, value: threshold, precision: at.precision, recall: at.recall, f1: at.f1, confusion: { tp: c.tp, fp: c.fp, tn: c.tn, fn: c.fn } },
    roc: rocPoints.x.map((fpr, i) => ({ fpr, tpr: rocPoints.y[i] as number })),
    pr: prPoints.x.map((recall, i) => ({ recall, precision: prPoints.y[i] as number })),
    calibration: Array.from(cal.probPred, (v, i) => ({ predicted: v, observed: cal.probTrue[i] as number, count: cal.counts[i] as number })),
    importance: imp ? fitted.names.map((feature, j) => ({ feature, mean: imp.mean[j] as number, std: imp.std[j] as number })).sort((a, b) => b.mean - a.mean) : [],
    importanceRows: imp?.rows ?? 0,
    cv: crossValidated ? { folds: opts.cv, auc: crossValidated.auc } : null,
    grid,
    converged: opts.algo === 'logreg' || opts.algo === 'mlp' ? ((model.toJSON() as { converged?: boolean }).converged ?? null) : null,
    seconds: (performance.now() - started) / 1000,
  };
  return { model, transform: fitted.transform, report };
}
