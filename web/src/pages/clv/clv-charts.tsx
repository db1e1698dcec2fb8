import * as Plot from '@observablehq/plot';
import { useCallback, useMemo } from 'preact/hooks';
import type { ClvRun, ClvTier } from '../../api/client.js';
import { Chart } from '../../components/chart.js';
import { DataTable } from '../../components/data-table.js';
import { Card } from '../../components/ui.js';
import { useFormat, useT, type Format, type Translate } from '../../i18n/i18n.js';
import { messages, type MessageKey } from './messages.js';

/** The CLV distribution with the tiers' thresholds, the tier table and the fitted parameters. */

const MIN_WIDTH = 200;
const KNOWN_TIERS = ['top', 'high', 'medium', 'low'] as const;

/** The default tiers' names in the UI language; a tier named by the caller stays as named. */
export function tierName(t: Translate<MessageKey>, name: string): string {
  const known = KNOWN_TIERS.find((k) => k === name);
  return known ? t(`tier_${known}`) : name;
}

export const money = (fmt: Format, v: number): string => fmt.number(v, 2);

/** A bin's range as the table shows it: "from–to", or "from or more" for the last, open one. */
export function binRange(t: Translate<MessageKey>, fmt: Format, b: ClvRun['histogram'][number]): string {
  return b.to === null ? t('orMore', { from: money(fmt, b.from) }) : `${money(fmt, b.from)}–${money(fmt, b.to)}`;
}

export function ClvHistogram({ run }: { run: ClvRun }) {
  const t = useT(messages);
  const fmt = useFormat();
  const bins = useMemo(() => {
    const width = run.histogram.length > 1 ? (run.histogram[1]?.from ?? 1) - (run.histogram[0]?.from ?? 0) : 1;
    // The open last bin is drawn as wide as the others.
    return run.histogram.map((b) => ({ ...b, x2: b.to ?? b.from + width }));
  }, [run.histogram]);
  // Where each tier but the lowest starts, inside the drawn range.
  const thresholds = useMemo(() => {
    const end = bins.at(-1)?.x2 ?? 0;
    return run.tiers
      .slice(0, -1)
      .filter((tier): tier is ClvTier & { minClv: number } => tier.minClv !== null && tier.minClv <= end)
      // Thresholds can be close: their labels take turns on three lines so that they do not overlap.
      .map((tier, i) => ({ x: tier.minClv, label: tierName(t, tier.name), dy: -40 + 13 * (i % 3) }));
  }, [run.tiers, bins, t]);
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      return {
        marginLeft: 48,
        marginTop: 48,
        x: { label: null, tickFormat: (v: number) => fmt.compact(v) },
        y: { grid: true, label: null, tickFormat: (n: number) => (Number.isInteger(n) ? fmt.compact(n) : '') },
        marks: [
          Plot.rectY(bins, { x1: 'from', x2: 'x2', y: 'customers', fill: 'var(--accent)', insetLeft: 1, insetRight: 1, title: (b: ClvRun['histogram'][number]) => `${binRange(t, fmt, b)}: ${fmt.number(b.customers)}` }),
          Plot.ruleX(thresholds, { x: 'x', stroke: 'var(--bad)', strokeDasharray: '5 4' }),
          ...thresholds.map((th) => Plot.text([th], { x: 'x', frameAnchor: 'top', text: 'label', dy: th.dy, dx: 3, textAnchor: 'start', fill: 'var(--bad)', fontWeight: 600 })),
          Plot.ruleY([0]),
        ],
      };
    },
    [bins, thresholds, fmt, t],
  );
  return (
    <Card title={t('histogramTitle')}>
      <p class="muted card-intro">{t('histogramIntro')}</p>
      <Chart
        testId="clv-histogram"
        plot={plot}
        label={t('histogramLabel')}
        height={260}
        table={{ caption: t('histogramCaption'), columns: [t('colRange'), t('colCustomers')], rows: run.histogram.map((b) => [binRange(t, fmt, b), fmt.number(b.customers)]) }}
      />
    </Card>
  );
}

export function TierTable({ run }: { run: ClvRun }) {
  const t = useT(messages);
  const fmt = useFormat();
  const bound = (v: number | null) => (v === null ? t('noValue') : money(fmt, v));
  return (
    <Card title={t('tiersTitle')}>
      <DataTable
        caption={t('tiersCaption')}
        testId="clv-tiers"
        columns={[
          { key: 'tier', label: t('colTier') },
          { key: 'share', label: t('colShare'), numeric: true },
          { key: 'customers', label: t('colCustomers'), numeric: true },
          { key: 'from', label: t('colFrom'), numeric: true },
          { key: 'to', label: t('colTo'), numeric: true },
          { key: 'clvShare', label: t('colClvShare'), numeric: true },
        ]}
      >
        {run.tiers.map((tier) => (
          <tr key={tier.name} data-tier={tier.name}>
            <th scope="row">{tierName(t, tier.name)}</th>
            <td class="num">{fmt.percent(tier.share)}</td>
            <td class="num">{fmt.number(tier.customers)}</td>
            <td class="num">{bound(tier.minClv)}</td>
            <td class="num">{bound(tier.maxClv)}</td>
            <td class="num">{fmt.percent(tier.clvShare)}</td>
          </tr>
        ))}
      </DataTable>
    </Card>
  );
}

function ParamTable({ caption, testId, rows }: { caption: string; testId: string; rows: [string, string][] }) {
  const t = useT(messages);
  return (
    <>
      <h3 aria-hidden="true">{caption}</h3>
      <DataTable
        caption={caption}
        testId={testId}
        columns={[
          { key: 'param', label: t('colParam') },
          { key: 'value', label: t('colValue'), numeric: true },
        ]}
      >
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td class="num">{v}</td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}

export function Parameters({ run }: { run: ClvRun }) {
  const t = useT(messages);
  const fmt = useFormat();
  const n = (v: number) => fmt.number(v, 4);
  const yes = (b: boolean) => (b ? t('yes') : t('no'));
  const g = run.bgNbd;
  const gg = run.gammaGamma;
  return (
    <Card title={t('paramsTitle')}>
      <div class="grid grid-2">
        <div>
          <ParamTable
            caption={t('bgNbdCaption')}
            testId="clv-bgnbd"
            rows={[
              ['r', n(g.r)],
              ['α', n(g.alpha)],
              ['a', n(g.a)],
              ['b', n(g.b)],
              [t('logLikelihood'), fmt.number(g.logLikelihood, 2)],
              [t('converged'), yes(g.converged)],
            ]}
          />
        </div>
        <div>
          <ParamTable
            caption={t('gammaCaption')}
            testId="clv-gamma"
            rows={[
              ['p', n(gg.p)],
              ['q', n(gg.q)],
              ['γ', n(gg.gamma)],
              [t('logLikelihood'), fmt.number(gg.logLikelihood, 2)],
              [t('converged'), yes(gg.converged)],
              [t('correlation'), fmt.number(gg.frequencySpendCorrelation, 3)],
            ]}
          />
        </div>
      </div>
    </Card>
  );
}
