import * as Plot from '@observablehq/plot';
import { useCallback, useMemo } from 'preact/hooks';
import type { ClusterSummary } from '../../api/client.js';
import { Chart } from '../../components/chart.js';
import { Card } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { MIN_WIDTH } from './cluster-charts.js';
import { messages } from './messages.js';

type Merge = NonNullable<ClusterSummary['dendrogram']>[number];
interface Segment {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/**
 * The top of the tree from its last merges. Ids follow scipy: 0..n-1 are rows, n + i is the i-th merge of all n - 1,
 * so the stored last M merges have ids from 2n - 1 - M. A child id below that is a group merged earlier (or a row):
 * it is drawn as a leaf at height 0. Leaves are laid out left to right in the order a walk from the root meets them,
 * so that no link crosses another; a merge sits above the middle of its two children.
 */
export function dendrogramLayout(merges: readonly Merge[], rows: number): { segments: Segment[]; leaves: number } {
  const m = merges.length;
  const first = 2 * rows - 1 - m;
  const segments: Segment[] = [];
  let leaves = 0;
  const place = (id: number): { x: number; y: number } => {
    const merge = id >= first ? merges[id - first] : undefined;
    if (!merge) return { x: leaves++, y: 0 };
    const a = place(merge.a);
    const b = place(merge.b);
    const top = merge.height;
    segments.push({ x1: a.x, y1: a.y, x2: a.x, y2: top }, { x1: b.x, y1: b.y, x2: b.x, y2: top }, { x1: a.x, y1: top, x2: b.x, y2: top });
    return { x: (a.x + b.x) / 2, y: top };
  };
  if (m > 0) place(first + m - 1);
  return { segments, leaves };
}

export function DendrogramChart({ run }: { run: ClusterSummary }) {
  const t = useT(messages);
  const fmt = useFormat();
  const merges = useMemo(() => run.dendrogram ?? [], [run.dendrogram]);
  const first = 2 * run.rows - 1 - merges.length;
  const layout = useMemo(() => dendrogramLayout(merges, run.rows), [merges, run.rows]);
  const cut = run.cutHeight;
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_WIDTH) return { marks: [] };
      return {
        marginLeft: 48,
        marginRight: 36,
        x: { axis: null, domain: [-0.5, Math.max(0.5, layout.leaves - 0.5)] },
        y: { grid: true, label: t('colHeight'), zero: true },
        marks: [
          Plot.link(layout.segments, { x1: 'x1', y1: 'y1', x2: 'x2', y2: 'y2', stroke: 'var(--accent)', strokeWidth: 1.5 }),
          ...(cut === null ? [] : [Plot.ruleY([cut], { stroke: 'var(--bad)', strokeDasharray: '5 4' }), Plot.text([cut], { y: (c: number) => c, x: layout.leaves - 0.5, text: () => t('cut'), dy: -8, textAnchor: 'end', fill: 'var(--bad)' })]),
          Plot.ruleY([0]),
        ],
      };
    },
    [layout, cut, t],
  );
  return (
    <Card title={t('dendrogramTitle')} class="grid-wide">
      <p class="muted card-intro">{t('dendrogramIntro', { count: merges.length })}</p>
      <Chart
        testId="dendrogram"
        plot={plot}
        label={t('dendrogramLabel')}
        height={280}
        table={{
          caption: t('dendrogramCaption'),
          columns: [t('colMerge'), t('colA'), t('colB'), t('colHeight'), t('colSize')],
          rows: merges.map((mg, i) => [first + i, mg.a, mg.b, fmt.number(mg.height, 3), fmt.number(mg.size)]),
        }}
      />
    </Card>
  );
}
