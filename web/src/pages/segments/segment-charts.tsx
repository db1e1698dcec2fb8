import * as Plot from '@observablehq/plot';
import { useCallback, useMemo } from 'preact/hooks';
import type { History } from '../../api/client.js';
import { Chart } from '../../components/chart.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';

const DAY_MS = 86_400_000;
const utcDay = (iso: string): Date => new Date(`${iso.slice(0, 10)}T00:00:00Z`);
const addDays = (d: Date, n: number): Date => new Date(d.getTime() + n * DAY_MS);

interface Row {
  day: string;
  date: Date;
  entered: number;
  exited: number;
  size: number;
}

/** Size over time and entries/exits per day, from GET /api/segments/:id/history (days with changes only). */
export function SegmentCharts({ history }: { history: History }) {
  const t = useT(messages);
  const f = useFormat();
  const rows: Row[] = useMemo(() => history.days.map((d) => ({ ...d, date: utcDay(d.day) })), [history]);
  // The API lists only days with changes. To draw the size as a step line: 0 the day before the first change, and the
  // last size carried to today. The x axis spans at least two weeks, so a young segment's bars keep a day's width.
  const { steps, domain } = useMemo(() => {
    const today = utcDay(new Date().toISOString());
    const first = rows[0];
    const last = rows[rows.length - 1];
    if (!first || !last) return { steps: [], domain: [addDays(today, -13), addDays(today, 1)] };
    const end = last.date > today ? last.date : today;
    const start = addDays(first.date, -1);
    const points = [{ date: start, size: 0 }, ...rows.map((r) => ({ date: r.date, size: r.size })), { date: addDays(end, 1), size: last.size }];
    return { steps: points, domain: [start < addDays(end, -13) ? start : addDays(end, -13), addDays(end, 1)] };
  }, [rows]);

  const xAxis = useCallback(
    (width: number) => ({
      type: 'utc' as const,
      domain,
      label: null,
      ticks: Math.max(2, Math.floor(width / 120)),
      tickFormat: (d: Date) => f.day(d.toISOString()),
    }),
    [f, domain],
  );

  const sizePlot = useCallback(
    (width: number): Plot.PlotOptions => ({
      marginLeft: 50,
      x: xAxis(width),
      y: { label: t('size'), grid: true, nice: true, zero: true, tickFormat: (n: number) => f.number(n) },
      marks: [
        Plot.areaY(steps, { x: 'date', y: 'size', curve: 'step-after', fill: 'var(--accent)', fillOpacity: 0.12 }),
        Plot.lineY(steps, { x: 'date', y: 'size', curve: 'step-after', stroke: 'var(--accent)', strokeWidth: 2 }),
        Plot.dot(rows, { x: 'date', y: 'size', r: 2.5, fill: 'var(--accent)' }),
        Plot.ruleY([0]),
        Plot.tip(rows, Plot.pointerX({ x: 'date', y: 'size', title: (d: Row) => `${f.day(d.day)}\n${t('size')}: ${f.number(d.size)}` })),
      ],
    }),
    [rows, steps, xAxis, f, t],
  );

  const flowsPlot = useCallback(
    (width: number): Plot.PlotOptions => ({
      marginLeft: 50,
      x: xAxis(width),
      y: { label: null, grid: true, nice: true, tickFormat: (n: number) => f.number(Math.abs(n)) },
      marks: [
        Plot.rectY(rows, { x: 'date', interval: 'day', y: 'entered', fill: 'var(--good)', inset: 0.5 }),
        Plot.rectY(rows, { x: 'date', interval: 'day', y: (d: Row) => -d.exited, fill: 'var(--bad)', inset: 0.5 }),
        Plot.ruleY([0]),
        Plot.tip(
          rows,
          Plot.pointerX({
            x: 'date',
            y: (d: Row) => d.entered,
            title: (d: Row) => `${f.day(d.day)}\n${t('entered')}: ${f.number(d.entered)}\n${t('exited')}: ${f.number(d.exited)}`,
          }),
        ),
      ],
    }),
    [rows, xAxis, f, t],
  );

  if (rows.length === 0) return <p class="muted">{t('noHistory')}</p>;

  return (
    <div class="grid grid-2">
      <section class="card" aria-labelledby="size-chart-title">
        <div class="card-head">
          <h2 id="size-chart-title">{t('sizeChart')}</h2>
        </div>
        <Chart
          plot={sizePlot}
          label={t('sizeChartLabel')}
          testId="size-chart"
          table={{ caption: t('sizeChartLabel'), columns: [t('day'), t('size')], rows: rows.map((r) => [f.day(r.day), f.number(r.size)]) }}
        />
      </section>
      <section class="card" aria-labelledby="flows-chart-title">
        <div class="card-head">
          <h2 id="flows-chart-title">{t('flowsChart')}</h2>
        </div>
        <p class="legend" aria-hidden="true">
          <span>
            <span class="swatch" style={{ background: 'var(--good)' }} />
            {t('entered')}
          </span>
          <span>
            <span class="swatch" style={{ background: 'var(--bad)' }} />
            {t('exited')}
          </span>
        </p>
        <Chart
          plot={flowsPlot}
          label={t('flowsChartLabel')}
          testId="flows-chart"
          table={{
            caption: t('flowsChartLabel'),
            columns: [t('day'), t('entered'), t('exited')],
            rows: rows.map((r) => [f.day(r.day), f.number(r.entered), f.number(r.exited)]),
          }}
        />
      </section>
    </div>
  );
}
