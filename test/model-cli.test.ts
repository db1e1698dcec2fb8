import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY } from './helpers.js';
import { runCli } from './support/cli-process.js';
import { admin, startServer, tempDb } from './support/server-process.js';

/**
 * `segmentum model train --input FILE` as analysts run it (the built command), on the scikit-learn fixture
 * test/fixtures/sklearn/classification.csv and the values scikit-learn 1.2.1 computed on it (model-refs.json, made
 * by make_model_refs.py beside it).
 */

const FIXTURES = fileURLToPath(new URL('./fixtures/sklearn/', import.meta.url));
const DATA = join(FIXTURES, 'classification.csv');
const refs = JSON.parse(readFileSync(join(FIXTURES, 'model-refs.json'), 'utf8')) as {
  n: number;
  positives: number;
  metrics: { rocAuc: number; averagePrecision: number; brier: number; logLoss: number };
};
const dir = mkdtempSync(join(tmpdir(), 'segmentum-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Report {
  algorithm: string;
  rows: { train: number; test: number };
  positives: { train: number; test: number };
  evaluatedOn: string;
  metrics: { auc: number; averagePrecision: number; brier: number; logLoss: number; baseRate: number };
  roc: { fpr: number; tpr: number }[];
  importance: { feature: string; mean: number }[];
  importanceRows: number;
  converged: boolean | null;
  cv: { folds: number; auc: { mean: number } } | null;
  grid: { params: Record<string, number> }[] | null;
  threshold: { value: number; precision: number; recall: number; confusion: { tp: number; fp: number; tn: number; fn: number } };
}

describe('segmentum model train on a file', () => {
  it("reports scikit-learn's in-sample metrics for logistic regression (C = 1, standardised) within 1e-6", async () => {
    const run = await runCli('model', 'train', '--input', DATA, '--test', DATA, '--target', 'y', '--algo', 'logreg', '--c', '1', '--json');
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as Report;
    expect(r.evaluatedOn).toBe('test-file');
    expect(r.rows).toEqual({ train: refs.n, test: refs.n });
    expect(r.positives.test).toBe(refs.positives);
    expect(r.converged).toBe(true);
    // The coefficients agree with scikit-learn's to 1e-6 (src/analytics/model/logreg.test.ts), so the metrics do.
    expect(Math.abs(r.metrics.auc - refs.metrics.rocAuc)).toBeLessThan(1e-6);
    expect(Math.abs(r.metrics.averagePrecision - refs.metrics.averagePrecision)).toBeLessThan(1e-6);
    expect(Math.abs(r.metrics.brier - refs.metrics.brier)).toBeLessThan(1e-6);
    expect(Math.abs(r.metrics.logLoss - refs.metrics.logLoss)).toBeLessThan(1e-6);
    const c = r.threshold.confusion;
    expect(c.tp + c.fp + c.tn + c.fn).toBe(refs.n);
    expect(r.roc[0]).toEqual({ fpr: 0, tpr: 0 });
    expect(r.roc.at(-1)).toEqual({ fpr: 1, tpr: 1 });
  });

  it('holds out a stratified quarter without --test, cross-validates, and trains the tree models', async () => {
    for (const algo of ['gbdt', 'forest']) {
      const run = await runCli('model', 'train', '--input', DATA, '--target', 'y', '--algo', algo, '--trees', '50', '--cv', '3', '--seed', '1', '--json');
      expect(run.code, run.stderr).toBe(0);
      const r = JSON.parse(run.stdout) as Report;
      expect(r.evaluatedOn).toBe('holdout');
      expect(r.rows.train + r.rows.test).toBe(refs.n);
      expect(r.rows.test).toBe(refs.n / 4);
      // Stratified: the held-out share has the file's positive rate, to one row.
      expect(Math.abs(r.positives.test - refs.positives / 4)).toBeLessThanOrEqual(1);
      expect(r.metrics.auc, algo).toBeGreaterThan(0.85);
      expect(r.cv?.folds).toBe(3);
      expect(r.importance).toHaveLength(8);
    }
  });

  it('searches a grid by cross-validated AUC and writes the model as JSON', async () => {
    const out = join(dir, 'model.json');
    const run = await runCli('model', 'train', '--input', DATA, '--target', 'y', '--algo', 'logreg', '--grid', 'C=0.001,1', '--out', out, '--json');
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as Report & { params: { C: number } };
    expect(r.grid?.map((g) => g.params.C)).toEqual([0.001, 1]);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as { model: { algorithm: string; coef: number[] }; transform: { names: string[] } };
    expect(saved.model.algorithm).toBe('logreg');
    expect(saved.model.coef).toHaveLength(8);
    expect(saved.transform.names).toEqual(['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8']);
  });

  it('trains a neural net (mlp) on z-scored features, refuses parameters of other algorithms, and writes it as JSON', async () => {
    const out = join(dir, 'mlp.json');
    const run = await runCli('model', 'train', '--input', DATA, '--target', 'y', '--algo', 'mlp', '--hidden', '16', '--layers', '2', '--epochs', '60', '--seed', '2', '--out', out, '--json');
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout) as Report & { params: Record<string, unknown> };
    expect(r.algorithm).toBe('mlp');
    expect(r.params).toEqual({ hiddenUnits: 16, hiddenLayers: 2, epochs: 60 });
    // The same data as the logistic-regression reference: a net is at least as good out of sample, within noise.
    expect(r.metrics.auc).toBeGreaterThan(refs.metrics.rocAuc - 0.03);
    expect(typeof r.converged).toBe('boolean');
    expect(r.importance).toHaveLength(8);
    // Fewer test rows than the importance's cap (10,000): measured on all of them.
    expect(r.importanceRows).toBe(r.rows.test);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as { model: { algorithm: string; coefs: number[][]; options: { hiddenLayerSizes: number[] } }; transform: { steps: { scale: number }[] } };
    expect(saved.model.algorithm).toBe('mlp');
    // The net sees z-scored features (as logistic regression does; trees do not).
    expect(saved.transform.steps.every((st) => st.scale !== 1)).toBe(true);
    expect(saved.model.options.hiddenLayerSizes).toEqual([16, 16]);
    // 8 inputs -> 16 -> 16 -> 1, scikit-learn's coefs_ layout (fan_in x fan_out per layer).
    expect(saved.model.coefs.map((c) => c.length)).toEqual([8 * 16, 16 * 16, 16]);

    // A parameter the algorithm does not read is refused, not ignored.
    const wrong = await runCli('model', 'train', '--input', DATA, '--target', 'y', '--algo', 'mlp', '--trees', '50', '--json');
    expect(wrong.code).toBe(1);
    const err = JSON.parse(wrong.stdout || wrong.stderr) as { error: { code: string; message: string } };
    expect(err.error.code).toBe('model.invalid_spec');
    expect(err.error.message).toContain('nEstimators is not a parameter of mlp');
  });

  it('refuses a target that is not binary, an unknown column and too few rows, with their codes', async () => {
    const three = join(dir, 'three.csv');
    writeFileSync(three, `x,y\n${Array.from({ length: 30 }, (_, i) => `${i},${i % 3}`).join('\n')}\n`);
    const bad = await runCli('model', 'train', '--input', three, '--target', 'y', '--json');
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout || bad.stderr).error.code).toBe('model.bad_target');
    const unknown = await runCli('model', 'train', '--input', DATA, '--target', 'nope', '--json');
    expect(JSON.parse(unknown.stdout || unknown.stderr).error.code).toBe('model.unknown_column');
    const small = join(dir, 'small.csv');
    writeFileSync(small, `x,y\n${Array.from({ length: 10 }, (_, i) => `${i},${i % 2}`).join('\n')}\n`);
    const few = await runCli('model', 'train', '--input', small, '--target', 'y', '--json');
    expect(JSON.parse(few.stdout || few.stderr).error.code).toBe('model.too_few_rows');
  });
});

describe('segmentum model, clusters and clv on profiles through a running server (--url)', () => {
  it('fits CLV, clusters, trains models (boosting, neural net), lists them, explains scores and makes a top-10% segment over HTTP', async () => {
    const db = tempDb();
    const demo = await runCli('demo', '--profiles', '500', '--days', '120', '--db', db, '--json');
    expect(demo.code, demo.stderr).toBe(0);
    const s = await startServer(db);
    try {
      const url = ['--url', s.url, '--admin-key', ADMIN_KEY, '--json'];
      const clv = await runCli('clv', 'profiles', ...url);
      expect(clv.code, clv.stderr).toBe(0);
      expect((JSON.parse(clv.stdout) as { customers: number }).customers).toBeGreaterThan(20);
      const cl = await runCli('cluster', '--k', '3', '--transform', 'log', ...url);
      expect(cl.code, cl.stderr).toBe(0);
      const run = JSON.parse(cl.stdout) as { k: number; personas: { cluster: number; size: number; name: { en: string } }[] };
      expect(run.personas.map((p) => p.cluster).sort()).toEqual([0, 1, 2]);
      const listed = JSON.parse((await runCli('clusters', 'list', ...url)).stdout) as { items: { name: string; k: number }[] };
      expect(listed.items).toEqual([expect.objectContaining({ name: 'clusters', k: 3 })]);
      const seg = await runCli('clusters', 'segment', 'clusters', String(run.personas[0]?.cluster), ...url);
      expect((JSON.parse(seg.stdout) as { members: number }).members).toBe(run.personas[0]?.size);

      const trained = await runCli('model', 'train', '--name', 'buy_30d', '--event', 'Order Completed', '--within', '30', '--algo', 'gbdt', ...url);
      expect(trained.code, trained.stderr).toBe(0);
      const m = JSON.parse(trained.stdout) as { version: number; report: { metrics: { auc: number } }; scored: { profiles: number } | null };
      expect(m.report.metrics.auc).toBeGreaterThan(0.5);
      expect(m.scored?.profiles).toBeGreaterThan(0);
      const list = JSON.parse((await runCli('model', 'list', ...url)).stdout) as { items: { name: string; version: number }[] };
      expect(list.items.map((x) => [x.name, x.version])).toEqual([['buy_30d', 1]]);
      const top = JSON.parse((await runCli('model', 'segment', 'buy_30d', '--top', '10', ...url)).stdout) as { definition: string; members: number };
      expect(top.definition).toBe('score.buy_30d_pct >= 90');
      const members = await admin<{ items: { profileId: string }[] }>(s.url, `/api/segments/${encodeURIComponent('buy_30d: top 10%')}/members`);
      const id = members.body.items[0]?.profileId as string;
      const e = JSON.parse((await runCli('model', 'explain', 'buy_30d', id, ...url)).stdout) as { base: number; probability: number; contributions: { contribution: number }[] };
      // Gradient boosting explains on the log-odds scale: base + contributions = logit(p).
      const logit = e.base + e.contributions.reduce((a, c) => a + c.contribution, 0);
      expect(1 / (1 + Math.exp(-logit))).toBeCloseTo(e.probability, 9);

      // A neural net on the same profiles explains by integrated gradients from the training means, also on the
      // log-odds scale; with ReLU units the path integral is exact piece by piece, so the sum is the logit.
      const nn = await runCli('model', 'train', '--name', 'buy_nn', '--event', 'Order Completed', '--within', '30', '--algo', 'mlp', '--epochs', '30', ...url);
      expect(nn.code, nn.stderr).toBe(0);
      expect((JSON.parse(nn.stdout) as { report: { algorithm: string } }).report.algorithm).toBe('mlp');
      const en = JSON.parse((await runCli('model', 'explain', 'buy_nn', id, ...url)).stdout) as { base: number; probability: number; scale: string; contributions: { contribution: number }[] };
      expect(en.scale).toBe('log-odds');
      const nnLogit = en.base + en.contributions.reduce((a, c) => a + c.contribution, 0);
      expect(1 / (1 + Math.exp(-nnLogit))).toBeCloseTo(en.probability, 9);
      const missing = await runCli('model', 'show', 'nope', ...url);
      expect(missing.code).toBe(1);
      expect(JSON.parse(missing.stdout || missing.stderr).error.code).toBe('model.not_found');
    } finally {
      s.proc.kill('SIGTERM');
      await s.exited;
    }
  }, 180_000);
});
