import * as Plot from '@observablehq/plot';
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Plot names each mark's group (`<g aria-label="bar">`), which ARIA does not allow on an element without a role, and
 * which a screen reader would only read as noise: the chart is named as a whole and its numbers are in a table.
 */
function quietMarks<T extends Element>(node: T): T {
  for (const g of node.querySelectorAll('g[aria-label]')) g.removeAttribute('aria-label');
  return node;
}

/**
 * An Observable Plot chart that fits its container's width and redraws when it changes. `plot` receives the width
 * and returns Plot options; `label` names the chart for screen readers (Plot's ariaLabel), and `table` (optional)
 * puts the same numbers in a visually hidden table, so the data is readable without the picture.
 */
export function Chart({
  plot,
  label,
  height = 220,
  table,
  testId,
}: {
  plot: (width: number) => Plot.PlotOptions;
  label: string;
  height?: number;
  table?: { caption: string; columns: string[]; rows: (string | number)[][] };
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.floor(entry.contentRect.width));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  useEffect(() => {
    const el = ref.current;
    if (!el || width === 0) return;
    const node = quietMarks(Plot.plot({ width, height, ariaLabel: label, style: { fontSize: '12px', background: 'transparent' }, ...plot(width) }));
    el.replaceChildren(node);
    return () => node.remove();
  }, [plot, width, height, label]);

  return (
    <figure class="chart" data-testid={testId}>
      <div ref={ref} class="chart-canvas" style={{ minHeight: `${height}px` }} />
      {table ? (
        // A table ignores a 1px width: the wrapper hides it without widening the page.
        <div class="visually-hidden">
          <table>
            <caption>{table.caption}</caption>
            <thead>
              <tr>
                {table.columns.map((c) => (
                  <th key={c} scope="col">
                    {c}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {table.rows.map((r, i) => (
                <tr key={i}>
                  {r.map((v, j) => (
                    <td key={j}>{v}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </figure>
  );
}

/** A small line of a week's sizes for tables (no axes), drawn by Plot like the big charts. */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  const ref = useRef<HTMLSpanElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const data = values.map((v, i) => ({ i, v }));
    const node = quietMarks(Plot.plot({
      width: 96,
      height: 28,
      margin: 3,
      axis: null,
      // The span carries the label (role img); the svg inside is presentational, so it is not announced twice.
      y: { domain: [Math.min(...values, 0), Math.max(...values, 1)] },
      marks: [Plot.lineY(data, { x: 'i', y: 'v', stroke: 'var(--accent)', strokeWidth: 1.5 }), Plot.dot(data.slice(-1), { x: 'i', y: 'v', r: 2, fill: 'var(--accent)' })],
    }));
    el.replaceChildren(node);
    return () => node.remove();
  }, [values, label]);
  return <span ref={ref} class="sparkline" role="img" aria-label={label} />;
}
