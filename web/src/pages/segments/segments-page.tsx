import { useMemo, useState } from 'preact/hooks';
import type { Api, Segment } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { Sparkline } from '../../components/chart.js';
import { DataTable } from '../../components/data-table.js';
import { Loaded } from '../../components/feedback.js';
import { PageHeader } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import { KindBadge, signed, type TrendItem } from './shared.js';
import './segments.css';

type Sort = 'name' | 'size-desc' | 'size-asc';

/**
 * The week's trend of every segment: GET /api/segments/trends, else the overview's segments (same shape). A missing
 * trend is not worth failing the list for, so this answers null and the rows say the trend is unavailable.
 */
async function loadTrends(api: Api): Promise<Map<string, TrendItem['trend']> | null> {
  const toMap = (items: TrendItem[]) => new Map(items.map((x) => [x.id, x.trend]));
  try {
    const r: { items: TrendItem[] } = await api.segmentTrends(7);
    return toMap(r.items);
  } catch {
    try {
      const o: { segments: TrendItem[] } = await api.overview();
      return toMap(o.segments);
    } catch {
      return null;
    }
  }
}

/** /segments: every segment with its size and the week's trend; filter, sort, and the way to a new one. */
export default function SegmentsPage() {
  const t = useT(messages);
  const f = useFormat();
  const q = useQuery((api) => api.segments(), []);
  const trends = useQuery(loadTrends, []);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<Sort>('name');

  return (
    <>
      <PageHeader
        title={t('listTitle')}
        subtitle={t('listSubtitle')}
        actions={
          <a class="button primary" href="/segments/new">
            <span aria-hidden="true">+</span> {t('newSegment')}
          </a>
        }
      />
      <Loaded q={q}>
        {(data) => (
          <SegmentTable
            items={data.items}
            trends={trends.data === undefined ? undefined : trends.data}
            filter={filter}
            sort={sort}
            toolbar={
              <div class="toolbar">
                <label class="field inline">
                  <span>{t('filter')}</span>
                  <input type="search" value={filter} placeholder={t('filterPlaceholder')} onInput={(e) => setFilter(e.currentTarget.value)} />
                </label>
                <label class="field inline">
                  <span>{t('sortBy')}</span>
                  <select value={sort} onChange={(e) => setSort(e.currentTarget.value as Sort)}>
                    <option value="name">{t('sortName')}</option>
                    <option value="size-desc">{t('sortSizeDesc')}</option>
                    <option value="size-asc">{t('sortSizeAsc')}</option>
                  </select>
                </label>
                <span class="muted" role="status" aria-live="polite">
                  {filter.trim() ? t('shown', { shown: matching(data.items, filter).length, total: data.items.length }) : t.plural('count', data.items.length)}
                </span>
              </div>
            }
            format={f}
          />
        )}
      </Loaded>
    </>
  );
}

function matching(items: Segment[], filter: string): Segment[] {
  const needle = filter.trim().toLocaleLowerCase();
  if (!needle) return items;
  return items.filter((s) => s.name.toLocaleLowerCase().includes(needle) || s.description.toLocaleLowerCase().includes(needle));
}

function SegmentTable({
  items,
  trends,
  filter,
  sort,
  toolbar,
  format: f,
}: {
  items: Segment[];
  /** undefined while loading, null when no trend could be read. */
  trends: Map<string, TrendItem['trend']> | null | undefined;
  filter: string;
  sort: Sort;
  toolbar: preact.ComponentChildren;
  format: ReturnType<typeof useFormat>;
}) {
  const t = useT(messages);
  const rows = useMemo(() => {
    const list = [...matching(items, filter)];
    const byName = (a: Segment, b: Segment) => a.name.localeCompare(b.name, f.locale);
    if (sort === 'name') list.sort(byName);
    else if (sort === 'size-desc') list.sort((a, b) => (b.size ?? 0) - (a.size ?? 0) || byName(a, b));
    else list.sort((a, b) => (a.size ?? 0) - (b.size ?? 0) || byName(a, b));
    return list;
  }, [items, filter, sort, f.locale]);

  return (
    <section class="card" aria-labelledby="segments-table-caption">
      {toolbar}
      <DataTable
        caption={t('listCaption')}
        empty={
          items.length === 0 ? (
            <>
              {t('noSegments')} <a href="/segments/new">{t('newSegment')}</a>
            </>
          ) : (
            t('noMatch', { filter: filter.trim() })
          )
        }
        captionId="segments-table-caption"
        class="segments-table"
        columns={[
          { key: 'name', label: t('name') },
          { key: 'kind', label: t('kindLabel') },
          { key: 'size', label: t('size'), numeric: true },
          { key: 'trend', label: t('trend') },
          { key: 'updated', label: t('updated') },
        ]}
      >
        {rows.map((s) => (
          <tr key={s.id} data-segment={s.id}>
            <th scope="row" class="segment-name">
              <a href={`/segments/${encodeURIComponent(s.id)}`}>{s.name}</a>
              <div class={`segment-description ${s.description ? '' : 'muted'}`}>{s.description || t('noDescription')}</div>
            </th>
            <td>
              <KindBadge kind={s.kind} />
            </td>
            <td class="num" data-testid="segment-size">
              {s.size === undefined ? '—' : f.number(s.size)}
            </td>
            <td>
              <Trend name={s.name} trend={trends === undefined ? undefined : trends === null ? null : (trends.get(s.id) ?? null)} />
            </td>
            <td class="nowrap">{f.dateTime(s.updatedAt)}</td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function Trend({ name, trend }: { name: string; trend: TrendItem['trend'] | null | undefined }) {
  const t = useT(messages);
  const f = useFormat();
  const values = useMemo(() => (trend ? trend.map((p) => p.size) : []), [trend]);
  if (trend === undefined) return <span class="muted">…</span>;
  if (trend === null || values.length === 0) return <span class="muted">{t('trendUnavailable')}</span>;
  const first = values[0] ?? 0;
  const last = values[values.length - 1] ?? 0;
  const change = last - first;
  const label = t('trendLabel', { name, first, last });
  return (
    <span class="trend">
      <Sparkline values={values} label={label} />
      <span
        class={`trend-change ${change > 0 ? 'up' : change < 0 ? 'down' : ''}`}
        title={change > 0 ? t.plural('changeUp', change) : change < 0 ? t.plural('changeDown', -change) : t('changeNone')}
        data-testid="segment-change"
      >
        <span aria-hidden="true">{signed(f, change)}</span>
        <span class="visually-hidden">{change > 0 ? t.plural('changeUp', change) : change < 0 ? t.plural('changeDown', -change) : t('changeNone')}</span>
      </span>
    </span>
  );
}
