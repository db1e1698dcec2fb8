import * as Plot from '@observablehq/plot';
import { useCallback, useMemo } from 'preact/hooks';
import type { ClusterSummary } from '../../api/client.js';
import { Chart } from '../../components/chart.js';
import { Card } from '../../components/ui.js';
import { useFormat, useLocale, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';

/**
 * The diagnostics of a clustering: the elbow curve with its knee, the silhouette of each cluster, and the profiles on
 * the first two principal components. Each chart has its numbers in a hidden table, and draws nothing while its box
 * is too narrow for the margins.
 */

export const MIN_WIDTH = 200;

/**
 * One colour a cluster, the same in every chart and on the persona cards. Past ten clusters the colours repeat;
 * the tables and the cluster numbers still tell them apart.
 */
const PALETTE = ['#1d4ed8', '#b42318', '#0f6b3a', '#8a5a00', '#6b2fa6', '#0e7490', '#be185d', '#4d7c0f', '#57534e', '#c2410c'];
const NOISE_COLOUR = '#9aa3b2';

export const clusterColour = (cluster: number): string => (cluster < 0 ? NOISE_COLOUR : (PALETTE[cluster % PALETTE.length] as string));

/** The persona name of each cluster in the UI language ('' for a cluster without a persona). */
export function usePersonaNames(run: ClusterSummary): (cluster: number) => string {
  const { locale } = useLocale();
  return useMemo(() => {
    const names = new Map(run.personas.map((p) => [p.cluster, p.name[locale]]));
    return (c: number) => names.get(c) ?? '';
  }, [run.personas, locale]);
}

export function ElbowChart({ run }: { run: ClusterSummary }) {
  const t = useT(messages);
  const fmt = useFormat();
  const elbow = useMemo(() => run.elbow ?? [], [run.elbow]);
  const kneePoint = useMemo(() => elbow.filter((e) => e.k === run.knee), [elbow, run.knee]);
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      return {
        marginLeft: 56,
        marginRight: 24,
        x: { label: t('kValue'), ticks: elbow.map((e) => e.k), tickFormat: (k: number) => fmt.number(k) },
        y: { grid: true, label: t('colInertia'), zero: true, tickFormat: (v: number) => fmt.compact(v) },
        marks: [
          Plot.ruleX(kneePoint, { x: 'k', stroke: 'var(--bad)', strokeDasharray: '4 3' }),
          Plot.line(elbow, { x: 'k', y: 'inertia', stroke: 'var(--accent)', strokeWidth: 2 }),
          Plot.dot(elbow, { x: 'k', y: 'inertia', fill: 'var(--accent)', r: 3, title: (e: { k: number; inertia: number }) => `k = ${e.k}: ${fmt.number(e.inertia, 2)}` }),
          Plot.dot(kneePoint, { x: 'k', y: 'inertia', r: 7, stroke: 'var(--bad)', strokeWidth: 2 }),
          Plot.text(kneePoint, { x: 'k', y: 'inertia', text: () => t('knee'), dy: -14, fill: 'var(--bad)', fontWeight: 600 }),
        ],
      };
    },
    [elbow, kneePoint, fmt, t],
  );
  return (
    <Card title={t('elbowTitle')}>
      {elbow.length === 0 ? (
        <p class="muted">{t('elbowNone')}</p>
      ) : (
        <>
          <p class="muted card-intro">{t('elbowIntro')}</p>
          <Chart
            testId="elbow"
            plot={plot}
            label={t('elbowLabel')}
            height={240}
            table={{
              caption: t('elbowCaption'),
              columns: [t('kValue'), t('colInertia'), t('colKnee')],
              rows: elbow.map((e) => [e.k, fmt.number(e.inertia, 2), e.k === run.knee ? t('knee') : '']),
            }}
          />
        </>
      )}
    </Card>
  );
}

export function SilhouetteChart({ run }: { run: ClusterSummary }) {
  const t = useT(messages);
  const fmt = useFormat();
  const personaName = usePersonaNames(run);
  const data = useMemo(
    () => (run.silhouette?.perCluster ?? []).map((value, cluster) => ({ cluster, label: t('clusterN', { n: cluster }), value, colour: clusterColour(cluster) })),
    [run.silhouette, t],
  );
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      const low = Math.min(0, ...data.map((d) => d.value));
      return {
        marginLeft: 90,
        marginRight: 48,
        x: { domain: [low, 1], grid: true, label: null, axis: 'top' },
        y: { label: null, domain: data.map((d) => d.label) },
        marks: [
          Plot.barX(data, { x: 'value', y: 'label', fill: 'colour' }),
          Plot.text(data, { x: 'value', y: 'label', text: (d: { value: number }) => fmt.number(d.value, 2), dx: 4, textAnchor: 'start', fill: 'currentColor' }),
          Plot.ruleX([0]),
        ],
      };
    },
    [data, fmt],
  );
  return (
    <Card title={t('silhouetteTitle')}>
      {data.length === 0 ? (
        <p class="muted">{t('silhouetteNone')}</p>
      ) : (
        <Chart
          testId="silhouette"
          plot={plot}
          label={t('silhouetteLabel')}
          height={Math.max(120, 26 * data.length + 40)}
          table={{
            caption: t('silhouetteCaption'),
            columns: [t('colCluster'), t('colPersona'), t('colSilhouette'), t('colSize')],
            rows: data.map((d) => [d.cluster, personaName(d.cluster), fmt.number(d.value, 3), fmt.number(run.sizes[d.cluster] ?? 0)]),
          }}
        />
      )}
    </Card>
  );
}

export function ProjectionChart({ run, wide = false }: { run: ClusterSummary; wide?: boolean }) {
  const t = useT(messages);
  const fmt = useFormat();
  const personaName = usePersonaNames(run);
  const points = run.projection.points;
  const label = useCallback((c: number) => (c < 0 ? t('noise') : t('clusterN', { n: c })), [t]);
  // Per cluster: the dots drawn and their centre, the table's summary of the picture.
  const groups = useMemo(() => {
    const by = new Map<number, { n: number; x: number; y: number }>();
    for (const p of points) {
      const g = by.get(p.cluster) ?? { n: 0, x: 0, y: 0 };
      g.n++;
      g.x += p.x;
      g.y += p.y;
      by.set(p.cluster, g);
    }
    return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([cluster, g]) => ({ cluster, n: g.n, x: g.x / g.n, y: g.y / g.n }));
  }, [points]);
  const [v1 = 0, v2 = 0] = run.projection.explainedVarianceRatio;
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      const domain = groups.map((g) => label(g.cluster));
      return {
        marginLeft: 44,
        x: { label: `1 (${fmt.percent(v1)})`, grid: true },
        y: { label: `2 (${fmt.percent(v2)})`, grid: true },
        color: { domain, range: groups.map((g) => clusterColour(g.cluster)), legend: true },
        marks: [Plot.dot(points, { x: 'x', y: 'y', fill: (p: { cluster: number }) => label(p.cluster), r: 2.5, fillOpacity: 0.8 })],
      };
    },
    [points, groups, label, fmt, v1, v2],
  );
  return (
    <Card title={t('projectionTitle')} class={wide ? 'grid-wide' : undefined}>
      <p class="muted card-intro">{t('projectionIntro', { share: fmt.percent(v1 + v2) })}</p>
      <Chart
        testId="projection"
        plot={plot}
        label={t('projectionLabel')}
        height={320}
        table={{
          caption: t('projectionCaption'),
          columns: [t('colCluster'), t('colPersona'), t('colPoints'), t('colCentreX'), t('colCentreY')],
          rows: groups.map((g) => [label(g.cluster), personaName(g.cluster), fmt.number(g.n), fmt.number(g.x, 2), fmt.number(g.y, 2)]),
        }}
      />
    </Card>
  );
}
