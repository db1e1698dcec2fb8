import * as Plot from '@observablehq/plot';
import { useCallback, useMemo } from 'preact/hooks';
import type { Explanation, ModelReport } from '../../api/client.js';
import { Chart } from '../../components/chart.js';
import { Card } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';

/**
 * A model's evaluation charts (ROC, precision-recall, calibration, importance) and one profile's contributions. Each
 * has its numbers in a hidden table, and draws nothing while its box is too narrow for the margins.
 */

const MIN_WIDTH = 200;
const DIAGONAL = [
  { x: 0, y: 0 },
  { x: 1, y: 1 },
];
const unit = { domain: [0, 1], grid: true, label: null, ticks: 5 } as const;

export function RocChart({ report }: { report: ModelReport }) {
  const t = useT(messages);
  const fmt = useFormat();
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      return {
        marginLeft: 44,
        x: { ...unit, label: t('colFpr') },
        y: { ...unit, label: t('colTpr') },
        marks: [
          Plot.line(DIAGONAL, { x: 'x', y: 'y', stroke: 'var(--muted)', strokeDasharray: '4 4' }),
          Plot.text([{ x: 0.75, y: 0.75 }], { x: 'x', y: 'y', text: () => t('chance'), dx: 8, dy: 10, textAnchor: 'start', fill: 'var(--muted)' }),
          Plot.line(report.roc, { x: 'fpr', y: 'tpr', stroke: 'var(--accent)', strokeWidth: 2 }),
        ],
      };
    },
    [report.roc, t],
  );
  return (
    <Card title={t('rocTitle')}>
      <Chart
        testId="roc"
        plot={plot}
        label={t('rocLabel')}
        height={300}
        table={{ caption: t('rocCaption'), columns: [t('colFpr'), t('colTpr')], rows: report.roc.map((p) => [fmt.number(p.fpr, 3), fmt.number(p.tpr, 3)]) }}
      />
    </Card>
  );
}

export function PrChart({ report }: { report: ModelReport }) {
  const t = useT(messages);
  const fmt = useFormat();
  const base = report.metrics.baseRate;
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      return {
        marginLeft: 44,
        x: { ...unit, label: t('colRecall') },
        y: { ...unit, label: t('colPrecision') },
        marks: [
          Plot.ruleY([base], { stroke: 'var(--muted)', strokeDasharray: '4 4' }),
          // At the left, where a useful model's precision is high: the label stays clear of the curve.
          Plot.text([base], { y: (b: number) => b, x: 0, text: () => `${t('baseRate')} ${fmt.percent(base)}`, dy: -8, dx: 4, textAnchor: 'start', fill: 'var(--muted)' }),
          Plot.line(report.pr, { x: 'recall', y: 'precision', stroke: 'var(--accent)', strokeWidth: 2 }),
        ],
      };
    },
    [report.pr, base, fmt, t],
  );
  return (
    <Card title={t('prTitle')}>
      <Chart
        testId="pr"
        plot={plot}
        label={t('prLabel')}
        height={300}
        table={{ caption: t('prCaption'), columns: [t('colRecall'), t('colPrecision')], rows: report.pr.map((p) => [fmt.number(p.recall, 3), fmt.number(p.precision, 3)]) }}
      />
    </Card>
  );
}

export function CalibrationChart({ report }: { report: ModelReport }) {
  const t = useT(messages);
  const fmt = useFormat();
  const data = report.calibration;
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      const top = Math.min(1, Math.max(0.1, ...data.map((d) => Math.max(d.predicted, d.observed))) * 1.1);
      const axis = { domain: [0, top], grid: true, ticks: 5, tickFormat: (v: number) => fmt.percent(v) };
      return {
        marginLeft: 48,
        x: { ...axis, label: t('colPredicted') },
        y: { ...axis, label: t('colObserved') },
        marks: [
          Plot.line(
            [
              { x: 0, y: 0 },
              { x: top, y: top },
            ],
            { x: 'x', y: 'y', stroke: 'var(--muted)', strokeDasharray: '4 4' },
          ),
          Plot.line(data, { x: 'predicted', y: 'observed', stroke: 'var(--accent)', strokeWidth: 1.5 }),
          Plot.dot(data, { x: 'predicted', y: 'observed', fill: 'var(--accent)', r: 3.5, title: (d: { predicted: number; observed: number; count: number }) => `${fmt.percent(d.predicted)} → ${fmt.percent(d.observed)} (${d.count})` }),
        ],
      };
    },
    [data, fmt, t],
  );
  return (
    <Card title={t('calibrationTitle')}>
      <p class="muted card-intro">{t('calibrationIntro')}</p>
      <Chart
        testId="calibration"
        plot={plot}
        label={t('calibrationLabel')}
        height={280}
        table={{
          caption: t('calibrationCaption'),
          columns: [t('colPredicted'), t('colObserved'), t('colCount')],
          rows: data.map((d) => [fmt.number(d.predicted, 3), fmt.number(d.observed, 3), fmt.number(d.count)]),
        }}
      />
    </Card>
  );
}

export function ImportanceChart({ report }: { report: ModelReport }) {
  const t = useT(messages);
  const fmt = useFormat();
  const data = report.importance;
  const longest = data.reduce((m, d) => Math.max(m, d.feature.length), 0);
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      return {
        marginLeft: Math.min(Math.round(width / 2), Math.max(80, Math.round(longest * 6.6) + 12)),
        marginRight: 24,
        x: { grid: true, label: null, axis: 'top' },
        y: { label: null, domain: data.map((d) => d.feature) },
        marks: [
          Plot.barX(data, { x: 'mean', y: 'feature', fill: 'var(--accent)' }),
          Plot.link(data, { x1: (d: { mean: number; std: number }) => d.mean - d.std, x2: (d: { mean: number; std: number }) => d.mean + d.std, y1: 'feature', y2: 'feature', stroke: 'var(--text)' }),
          Plot.ruleX([0]),
        ],
      };
    },
    [data, longest],
  );
  return (
    <Card title={t('importanceTitle')}>
      {data.length === 0 ? (
        <p class="muted">{t('importanceNone')}</p>
      ) : (
        <>
          <p class="muted card-intro">
            {t('importanceIntro')}
            {report.importanceRows !== undefined && report.importanceRows > 0 && report.importanceRows < report.rows.test
              ? ` ${t('importanceSample', { rows: fmt.number(report.importanceRows), test: fmt.number(report.rows.test) })}`
              : ''}
          </p>
          <Chart
            testId="importance"
            plot={plot}
            label={t('importanceLabel')}
            height={Math.max(120, 22 * data.length + 40)}
            table={{
              caption: t('importanceCaption'),
              columns: [t('colFeature'), t('colImportance'), t('colStd')],
              rows: data.map((d) => [d.feature, fmt.number(d.mean, 4), fmt.number(d.std, 4)]),
            }}
          />
        </>
      )}
    </Card>
  );
}

/** One profile's contributions, largest first: towards a positive in green, away from it in red. */
export function ContributionChart({ explanation }: { explanation: Explanation }) {
  const t = useT(messages);
  const fmt = useFormat();
  const data = useMemo(() => explanation.contributions.map((c) => ({ ...c, sign: c.contribution >= 0 ? 'up' : 'down' })), [explanation]);
  const longest = data.reduce((m, d) => Math.max(m, d.feature.length), 0);
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      return {
        marginLeft: Math.min(Math.round(width / 2), Math.max(80, Math.round(longest * 6.6) + 12)),
        marginRight: 24,
        x: { grid: true, label: null, axis: 'top' },
        y: { label: null, domain: data.map((d) => d.feature) },
        color: { domain: ['up', 'down'], range: ['var(--good)', 'var(--bad)'] },
        marks: [Plot.barX(data, { x: 'contribution', y: 'feature', fill: 'sign' }), Plot.ruleX([0])],
      };
    },
    [data, longest],
  );
  return (
    <Chart
      testId="contributions"
      plot={plot}
      label={t('explainLabel')}
      height={Math.max(120, 22 * data.length + 40)}
      table={{
        caption: t('explainCaption'),
        columns: [t('colFeature'), t('colValue'), t('colContribution')],
        rows: data.map((d) => [d.feature, d.value === null ? t('noValue') : fmt.number(d.value, 2), fmt.number(d.contribution, 4)]),
      }}
    />
  );
}
