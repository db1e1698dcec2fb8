import * as Plot from '@observablehq/plot';
import { useCallback, useMemo } from 'preact/hooks';
import type { QualityReport, QualityTrend } from '../../api/client.js';
import { Chart } from '../../components/chart.js';
import { Card } from '../../components/ui.js';
import { useFormat, useT, type Format } from '../../i18n/i18n.js';
import { messages, type MessageKey } from './messages.js';

/**
 * The quality report's charts: the trend of the stored reports, missing values by field, the completeness histogram
 * and the freshness of profiles. Each has its numbers in a hidden table, and draws nothing while its box is too
 * narrow for the margins (as a page is laid out).
 */

const MIN_WIDTH = 200;

/** Fixed colours per series, each with its own line dash and symbol: the series are told apart without colour too. */
const SERIES = [
  { key: 'exactRate', colour: '#b42318', dash: 'none', symbol: 'circle' },
  { key: 'probableRate', colour: '#8a5a00', dash: '6 3', symbol: 'triangle' },
  { key: 'completeness', colour: '#1d4ed8', dash: '2 3', symbol: 'square' },
] as const;

type SeriesKey = (typeof SERIES)[number]['key'];

const BUCKET_KEYS: Record<string, MessageKey> = {
  '<1d': 'bucket_lt1d',
  '1-7d': 'bucket_1_7d',
  '7-30d': 'bucket_7_30d',
  '30-90d': 'bucket_30_90d',
  '90-365d': 'bucket_90_365d',
  '>365d': 'bucket_gt365d',
};

const pctTick = (fmt: Format) => (n: number) => fmt.percent(n);

const HOUR = 3_600_000;

/** Axis labels as fine as the reports are close: seconds within an hour, minutes within two days, else days. */
function useTickFormat(locale: string, spanMs: number): (d: Date) => string {
  return useMemo(() => {
    const tag = locale === 'fr' ? 'fr-FR' : 'en-GB';
    const opts: Intl.DateTimeFormatOptions =
      spanMs < HOUR
        ? { hour: '2-digit', minute: '2-digit', second: '2-digit' }
        : spanMs < 48 * HOUR
          ? { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }
          : { day: 'numeric', month: 'short', year: 'numeric' };
    const f = new Intl.DateTimeFormat(tag, opts);
    return (d: Date) => f.format(d);
  }, [locale, spanMs]);
}

export function TrendChart({ trend }: { trend: QualityTrend }) {
  const t = useT(messages);
  const fmt = useFormat();
  const times = useMemo(() => trend.items.map((p) => Date.parse(p.at)), [trend.items]);
  const short = useTickFormat(fmt.locale, times.length > 1 ? Math.max(...times) - Math.min(...times) : 0);
  const label = (k: SeriesKey): string => t(`series_${k}`);
  const data = useMemo(
    () =>
      trend.items.flatMap((p) =>
        SERIES.flatMap((s) => {
          const v = p[s.key];
          return v === null ? [] : [{ at: new Date(p.at), key: s.key, series: t(`series_${s.key}`), value: v }];
        }),
      ),
    [trend.items, t],
  );
  const single = trend.items.length === 1;
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      const names = SERIES.map((s) => t(`series_${s.key}`));
      return {
        marginLeft: 52,
        marginRight: 24,
        x: {
          type: 'time',
          label: null,
          tickFormat: (d: Date) => short(d),
          // A few reports: a tick at each one; more: as many as fit.
          ticks: times.length <= Math.floor(width / 150) ? times.map((ms) => new Date(ms)) : Math.max(2, Math.floor(width / 150)),
          ...(single ? { inset: 40 } : {}),
        },
        y: { domain: [0, 1], grid: true, label: null, tickFormat: pctTick(fmt) },
        color: { domain: names, range: SERIES.map((s) => s.colour) },
        symbol: { domain: names, range: SERIES.map((s) => s.symbol), legend: true },
        marks: [
          ...(single
            ? []
            : SERIES.map((s) => Plot.lineY(data.filter((d) => d.key === s.key), { x: 'at', y: 'value', stroke: s.colour, strokeWidth: 2, strokeDasharray: s.dash }))),
          Plot.dot(data, {
            x: 'at',
            y: 'value',
            stroke: 'series',
            fill: 'series',
            symbol: 'series',
            r: single ? 5 : 3.5,
            title: (d: { at: Date; series: string; value: number }) => `${d.series}, ${fmt.dateTime(d.at.toISOString())}: ${fmt.percent(d.value)}`,
          }),
          Plot.ruleY([0]),
        ],
      };
    },
    [data, fmt, short, single, t, times],
  );
  return (
    <Card title={t('trendTitle')}>
      <p class="muted card-intro">{t('trendIntro')}</p>
      {single ? <p class="muted">{t('trendOne')}</p> : null}
      <Chart
        testId="quality-trend"
        plot={plot}
        label={t('trendLabel')}
        height={240}
        table={{
          caption: t('trendCaption'),
          columns: [t('colAt'), ...SERIES.map((s) => label(s.key))],
          rows: trend.items.map((p) => [fmt.dateTime(p.at), ...SERIES.map((s) => (p[s.key] === null ? t('noValue') : fmt.percent(p[s.key] as number)))]),
        }}
      />
    </Card>
  );
}

export function MissingChart({ report }: { report: QualityReport }) {
  const t = useT(messages);
  const fmt = useFormat();
  const data = useMemo(() => [...report.fields].sort((a, b) => b.missingRate - a.missingRate || a.field.localeCompare(b.field)), [report.fields]);
  const longest = data.reduce((m, d) => Math.max(m, d.field.length), 0);
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      return {
        marginLeft: Math.min(Math.round(width / 2), Math.max(80, Math.round(longest * 6.6) + 12)),
        marginRight: 52,
        x: { domain: [0, 1], grid: true, label: null, tickFormat: pctTick(fmt), axis: 'top' },
        y: { label: null, domain: data.map((d) => d.field) },
        marks: [
          Plot.barX(data, { x: 'missingRate', y: 'field', fill: 'var(--accent)' }),
          Plot.text(data, { x: 'missingRate', y: 'field', text: (d: { missingRate: number }) => fmt.percent(d.missingRate), dx: 4, textAnchor: 'start', fill: 'currentColor' }),
          Plot.ruleX([0]),
        ],
      };
    },
    [data, fmt, longest],
  );
  return (
    <Card title={t('missingTitle')}>
      {data.length === 0 ? (
        <p class="muted">{t('noFields')}</p>
      ) : (
        <Chart
          testId="missing-by-field"
          plot={plot}
          label={t('missingLabel')}
          height={Math.max(100, 22 * data.length + 40)}
          table={{ caption: t('missingCaption'), columns: [t('colField'), t('colMissing'), t('colMissingRate')], rows: data.map((d) => [d.field, d.missing, fmt.percent(d.missingRate)]) }}
        />
      )}
    </Card>
  );
}

export function CompletenessChart({ report }: { report: QualityReport }) {
  const t = useT(messages);
  const fmt = useFormat();
  const bins = report.completeness.histogram;
  const range = (b: { from: number; to: number }) => `${fmt.percent(b.from)}–${fmt.percent(b.to)}`;
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      return {
        marginLeft: 48,
        x: { domain: [0, 1], label: null, tickFormat: pctTick(fmt), ticks: 5 },
        y: { grid: true, label: null, tickFormat: (n: number) => (Number.isInteger(n) ? fmt.compact(n) : '') },
        marks: [
          Plot.rectY(bins, { x1: 'from', x2: 'to', y: 'count', fill: 'var(--accent)', insetLeft: 1, insetRight: 1, title: (b: { from: number; to: number; count: number }) => `${range(b)}: ${fmt.number(b.count)}` }),
          Plot.ruleY([0]),
        ],
      };
    },
    [bins, fmt],
  );
  return (
    <Card title={t('completenessTitle')}>
      <p class="muted card-intro">{t('completenessFields', { fields: report.completeness.fields.join(', ') })}</p>
      <Chart
        testId="completeness-histogram"
        plot={plot}
        label={t('completenessLabel')}
        height={220}
        table={{ caption: t('completenessCaption'), columns: [t('colScore'), t('colProfiles')], rows: bins.map((b) => [range(b), b.count]) }}
      />
    </Card>
  );
}

export function FreshnessChart({ report }: { report: QualityReport }) {
  const t = useT(messages);
  const fmt = useFormat();
  const data = useMemo(
    () => report.freshness.buckets.map((b) => ({ label: BUCKET_KEYS[b.label] ? t(BUCKET_KEYS[b.label] as MessageKey) : b.label, count: b.count })),
    [report.freshness.buckets, t],
  );
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      return {
        marginLeft: Math.min(Math.round(width / 2), 120),
        marginRight: 48,
        x: { grid: true, label: null, tickFormat: (n: number) => (Number.isInteger(n) ? fmt.compact(n) : '') },
        y: { label: null, domain: data.map((d) => d.label) },
        marks: [
          Plot.barX(data, { x: 'count', y: 'label', fill: 'var(--accent)' }),
          Plot.text(data, { x: 'count', y: 'label', text: (d: { count: number }) => fmt.number(d.count), dx: 4, textAnchor: 'start', fill: 'currentColor' }),
          Plot.ruleX([0]),
        ],
      };
    },
    [data, fmt],
  );
  return (
    <Card title={t('freshnessTitle')}>
      <Chart
        testId="freshness"
        plot={plot}
        label={t('freshnessLabel')}
        height={220}
        table={{ caption: t('freshnessCaption'), columns: [t('colAge'), t('colProfiles')], rows: data.map((d) => [d.label, d.count]) }}
      />
    </Card>
  );
}
