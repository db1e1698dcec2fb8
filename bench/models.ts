/**
 * Propensity-model benchmark: logistic regression, random forest, histogram gradient boosting and the neural net in Segmentum and,
 * when Debian's python3-sklearn is installed, in scikit-learn on the same data in the same run. The data: n rows x d
 * columns of standard normal features, 8 of them informative through a nonlinear function with interactions plus
 * noise, the top 20 % of that score labelled positive; the first 80 % of the rows train, the last 20 % test.
 *
 * Each fit runs in its own process (Segmentum's in a child Node process, scikit-learn's in Python), so that each peak
 * memory figure is that fit's, data loading included. Reports fit seconds, the test AUC of both, their ratios, and
 * peak resident memory; for Segmentum's models also the size of the stored model (JSON) and the time of the per-row
 * explanations (`contributions`: TreeSHAP for the trees) on SHAP_ROWS test rows. Segmentum's fits run on one thread. scikit-learn's forest is timed with n_jobs=1 and
 * n_jobs=-1 (all cores), its histogram boosting with its default OpenMP threads (all cores) and with
 * OMP_NUM_THREADS=1. On a machine shared with other work, OpenMP's spinning threads can make the multi-threaded
 * figure far slower than the single-threaded one: compare both.
 *
 *   npm run bench:models                                   100,000 x 20, all algorithms
 *   node dist/bench/models.js --rows 20000 --algo gbdt     another size, one algorithm
 *   node dist/bench/models.js --algo logreg,gbdt --repeat 3   the fastest of 3 fits of each
 *   node dist/bench/models.js --algo mlp --epochs 30       the neural nets (one hidden layer of 32), 30 epochs each
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { fitLogReg } from '../src/analytics/model/logreg.js';
import { fitMlp } from '../src/analytics/model/mlp.js';
import { rocAuc } from '../src/analytics/model/metrics.js';
import { fitForest, fitGbdt } from '../src/analytics/model/tree/index.js';
import type { BinaryClassifier, Dataset } from '../src/analytics/model/types.js';
import { Rng } from '../src/kernel/index.js';

const ALGOS = ['logreg', 'forest', 'gbdt', 'mlp'] as const;
type Algo = (typeof ALGOS)[number];

const { values: opts } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    cols: { type: 'string', default: '20' },
    algo: { type: 'string', default: 'all' },
    seed: { type: 'string', default: '42' },
    // Fits per algorithm and library; the fastest counts (the machine may be busy with other work).
    repeat: { type: 'string', default: '1' },
    python: { type: 'string', default: '/usr/bin/python3' },
    // mlp: epochs of both nets (neither stops early, so both do the same work).
    epochs: { type: 'string', default: '30' },
    // Internal: run one fit on the data in this directory and print its figures as JSON.
    child: { type: 'string' },
    dir: { type: 'string' },
  },
});
const n = Number(opts.rows);
const d = Number(opts.cols);
if (!(Number.isInteger(n) && n >= 100 && Number.isInteger(d) && d >= 8)) throw new RangeError('--rows must be >= 100 and --cols >= 8');
const nTrain = Math.floor(n * 0.8);
const repeat = Number(opts.repeat);
const epochs = Number(opts.epochs);
if (!(Number.isInteger(epochs) && epochs >= 1)) throw new RangeError('--epochs must be a positive whole number');
if (!(Number.isInteger(repeat) && repeat >= 1)) throw new RangeError('--repeat must be a positive whole number');

interface Figures {
  /** Wall-clock seconds of the fit (the fastest of --repeat fits). */
  seconds: number;
  /** CPU seconds of that fit, all threads: on a machine shared with other work, the steadier figure. */
  cpuSeconds: number;
  auc: number;
  peakMb: number;
  /** Segmentum only: the model's JSON (toJSON) in kilobytes, and contributions() milliseconds per row. */
  jsonKb?: number;
  shapMsPerRow?: number;
}

/** Test rows explained for the contributions timing (a fully grown forest takes milliseconds per row). */
const SHAP_ROWS = 200;

/** The synthetic table: x row-major, y 0/1 (20 % positives). */
function makeData(seed: number): { x: Float64Array; y: Uint8Array } {
  const rng = new Rng(seed);
  const x = new Float64Array(n * d);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = i * d;
    for (let j = 0; j < d; j++) x[r + j] = rng.normal();
    const v = (k: number): number => x[r + k] as number;
    z[i] = v(0) * v(1) + Math.sin(2 * v(2)) + 0.5 * v(3) * v(3) + Math.abs(v(4)) + 0.6 * v(5) - 0.6 * v(6) + Math.tanh(2 * v(7)) + rng.normal(0, 1);
  }
  const cut = Float64Array.from(z).sort()[Math.floor(n * 0.8)] as number;
  const y = Uint8Array.from(z, (v) => (v >= cut ? 1 : 0));
  return { x, y };
}

function rows(x: Float64Array, y: Uint8Array, from: number, to: number): Dataset {
  return { x: x.subarray(from * d, to * d), n: to - from, d, y: y.subarray(from, to), features: Array.from({ length: d }, (_, j) => `f${j}`) };
}

/** Child process: fit one of ours on the training rows, score the test rows. */
function runChild(algo: Algo, dir: string): void {
  const raw = readFileSync(join(dir, 'x.f64'));
  const x = new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8);
  const y = new Uint8Array(readFileSync(join(dir, 'y.u8')));
  const train = rows(x, y, 0, nTrain);
  const test = rows(x, y, nTrain, n);
  let best: { seconds: number; cpuSeconds: number; model: BinaryClassifier } | null = null;
  for (let r = 0; r < repeat; r++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let model: BinaryClassifier;
    if (algo === 'logreg') model = fitLogReg(train, { C: 1 });
    else if (algo === 'forest') model = fitForest(train, { seed: 1 });
    else if (algo === 'mlp') model = fitMlp(train, { hiddenLayerSizes: [32], maxIter: epochs, nIterNoChange: epochs, seed: 1 });
    else model = fitGbdt(train);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (!best || seconds < best.seconds) best = { seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, model };
  }
  const { seconds, cpuSeconds, model } = best as { seconds: number; cpuSeconds: number; model: BinaryClassifier };
  const auc = rocAuc(test.y, model.predictProba(test.x, test.n));
  const peakMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const jsonKb = Buffer.byteLength(JSON.stringify(model.toJSON())) / 1024;
  const k = Math.min(SHAP_ROWS, test.n);
  const t1 = performance.now();
  model.contributions(test.x.subarray(0, k * d), k);
  const shapMsPerRow = (performance.now() - t1) / k;
  const out: Figures = { seconds, cpuSeconds, auc, peakMb, jsonKb, shapMsPerRow };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** scikit-learn's counterpart of each of ours, and the environment variables of its process. */
const SKLEARN: Record<string, { estimator: string; env?: Record<string, string> }> = {
  logreg: { estimator: 'make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000))' },
  'forest n_jobs=1': { estimator: 'RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0)' },
  'forest n_jobs=-1': { estimator: 'RandomForestClassifier(n_estimators=100, n_jobs=-1, random_state=0)' },
  gbdt: { estimator: 'HistGradientBoostingClassifier(early_stopping=False, random_state=0)' },
  'gbdt 1 thread': { estimator: 'HistGradientBoostingClassifier(early_stopping=False, random_state=0)', env: { OMP_NUM_THREADS: '1' } },
  // n_iter_no_change = max_iter: no early stop, so both nets run the same epochs (scikit-learn warns it did not converge).
  mlp: { estimator: `MLPClassifier(hidden_layer_sizes=(32,), max_iter=${epochs}, n_iter_no_change=${epochs}, random_state=0)` },
  'mlp 1 thread': { estimator: `MLPClassifier(hidden_layer_sizes=(32,), max_iter=${epochs}, n_iter_no_change=${epochs}, random_state=0)`, env: { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } },
};
const VARIANTS: Record<Algo, string[]> = { logreg: ['logreg'], forest: ['forest n_jobs=1', 'forest n_jobs=-1'], gbdt: ['gbdt', 'gbdt 1 thread'], mlp: ['mlp', 'mlp 1 thread'] };

function runSklearn(variant: string, dir: string): (Figures & { version: string }) | null {
  const { estimator, env } = SKLEARN[variant] as { estimator: string; env?: Record<string, string> };
  const script = [
    'import sys, time, json, resource, numpy as np, sklearn',
    'from sklearn.pipeline import make_pipeline',
    'from sklearn.preprocessing import StandardScaler',
    'from sklearn.linear_model import LogisticRegression',
    'from sklearn.ensemble import RandomForestClassifier, HistGradientBoostingClassifier',
    'from sklearn.neural_network import MLPClassifier',
    'from sklearn.metrics import roc_auc_score',
    'import warnings; warnings.simplefilter("ignore")',
    `X = np.fromfile(sys.argv[1] + '/x.f64', dtype=np.float64).reshape(-1, ${d})`,
    `y = np.fromfile(sys.argv[1] + '/y.u8', dtype=np.uint8)`,
    `tr, te = slice(0, ${nTrain}), slice(${nTrain}, ${n})`,
    'best = None',
    `for _ in range(${repeat}):`,
    '    t, c = time.perf_counter(), time.process_time()',
    `    m = ${estimator}.fit(X[tr], y[tr])`,
    '    s, cs = time.perf_counter() - t, time.process_time() - c',
    '    if best is None or s < best[0]: best = (s, cs, m)',
    's, cs, m = best',
    'auc = roc_auc_score(y[te], m.predict_proba(X[te])[:, 1])',
    "print(json.dumps({'seconds': s, 'cpuSeconds': cs, 'auc': auc, 'peakMb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024), 'version': sklearn.__version__}))",
  ].join('\n');
  const r = spawnSync(opts.python as string, ['-c', script, dir], { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, ...env } });
  if (r.status !== 0) {
    process.stderr.write(`scikit-learn not run (${opts.python}): ${r.stderr.split('\n').slice(-2).join(' ')}\n`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Figures & { version: string };
}

function runOurs(algo: Algo, dir: string): Figures {
  const self = fileURLToPath(import.meta.url);
  const args = [self, '--child', algo, '--dir', dir, '--rows', String(n), '--cols', String(d), '--repeat', String(repeat)];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`segmentum ${algo} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as Figures;
}

if (opts.child) {
  runChild(opts.child as Algo, opts.dir as string);
} else {
  const wanted = opts.algo === 'all' ? [...ALGOS] : (opts.algo as string).split(',');
  for (const a of wanted) if (!(ALGOS as readonly string[]).includes(a)) throw new RangeError(`--algo must be all or a list of ${ALGOS.join(', ')} (got ${a})`);
  const { x, y } = makeData(Number(opts.seed));
  const dir = mkdtempSync(join(tmpdir(), 'segmentum-models-'));
  const results: Record<string, unknown>[] = [];
  try {
    writeFileSync(join(dir, 'x.f64'), Buffer.from(x.buffer));
    writeFileSync(join(dir, 'y.u8'), Buffer.from(y.buffer));
    for (const algo of wanted as Algo[]) {
      const ours = runOurs(algo, dir);
      for (const v of VARIANTS[algo]) {
        const sk = runSklearn(v, dir);
        results.push({
          algorithm: v,
          segmentum: ours,
          sklearn: sk,
          timeRatio: sk ? ours.seconds / sk.seconds : null,
          aucDifference: sk ? ours.auc - sk.auc : null,
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const head = ['algorithm'.padEnd(18), 'ours s', 'skl s', 'ratio', 'our cpu', 'skl cpu', 'our AUC', 'skl AUC', 'our MB', 'skl MB', 'JSON KB', 'SHAP ms'];
  process.stdout.write(`${head.map((h, i) => (i === 0 ? h : h.padStart(8))).join(' ')}\n`);
  const cell = (v: number | undefined, digits: number): string => (v === undefined ? '-' : v.toFixed(digits)).padStart(8);
  for (const r of results) {
    const o = r.segmentum as Figures;
    const s = r.sklearn as Figures | null;
    const cells = [
      cell(o.seconds, 2),
      cell(s?.seconds, 2),
      cell(s ? o.seconds / s.seconds : undefined, 2),
      cell(o.cpuSeconds, 2),
      cell(s?.cpuSeconds, 2),
      cell(o.auc, 4),
      cell(s?.auc, 4),
      cell(o.peakMb, 0),
      cell(s?.peakMb, 0),
      cell(o.jsonKb, 0),
      cell(o.shapMsPerRow, 3),
    ];
    process.stdout.write(`${String(r.algorithm).padEnd(18)} ${cells.join(' ')}\n`);
  }
  const out = {
    rows: n,
    cols: d,
    trainRows: nTrain,
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    results,
  };
  process.stdout.write(`${JSON.stringify(out, null, 1)}\n`);
}
