import * as Plot from '@observablehq/plot';
import { useCallback, useMemo } from 'preact/hooks';
import type { Overview } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { Chart, Sparkline } from '../../components/chart.js';
import { DataTable } from '../../components/data-table.js';
import { Loaded } from '../../components/feedback.js';
import { Badge, Card, PageHeader, Stat } from '../../components/ui.js';
import { useFormat, useT, type Format, type Translate } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import './overview.css';

/**
 * The home page: key figures, the events of the last hour (live, the page polls), the most frequent events and the
 * segments with their week's trend. A fresh install shows how to send a first event instead of empty charts.
 */

const POLL_MS = 10_000;

type T = Translate<keyof typeof messages.en>;

export default function OverviewPage() {
  const t = useT(messages);
  const fmt = useFormat();
  const q = useQuery((api) => api.overview(), [], { pollMs: POLL_MS });
  return (
    <div class="overview">
      <PageHeader title={t('title')} subtitle={q.data ? t('subtitle', { time: fmt.time(q.data.at) }) : undefined} />
      <Loaded q={q}>{(o) => <OverviewBody o={o} t={t} fmt={fmt} />}</Loaded>
    </div>
  );
}

function OverviewBody({ o, t, fmt }: { o: Overview; t: T; fmt: Format }) {
  const fresh = o.profiles === 0 && o.events === 0 && o.quarantined === 0;
  return (
    <>
      {fresh ? <EmptyState t={t} /> : null}
      <KeyFigures o={o} t={t} fmt={fmt} />
      <div class="grid grid-2">
        <EventsPerMinute o={o} t={t} fmt={fmt} />
        <TopEvents o={o} t={t} fmt={fmt} />
      </div>
      <SegmentsTable o={o} t={t} fmt={fmt} />
    </>
  );
}

function EmptyState({ t }: { t: T }) {
  return (
    <section class="card overview-empty" aria-labelledby="overview-empty-title">
      <h2 id="overview-empty-title">{t('emptyTitle')}</h2>
      <p>{t('emptyBody')}</p>
      <p>
        <a class="button primary" href="/settings#snippet">
          {t('emptyLink')}
        </a>
      </p>
      <p class="muted">{t('emptyAfter')}</p>
    </section>
  );
}

function KeyFigures({ o, t, fmt }: { o: Overview; t: T; fmt: Format }) {
  const share = (n: number): string | undefined => (o.profiles > 0 ? t('shareOfProfiles', { share: fmt.percent(n / o.profiles) }) : undefined);
  return (
    <section aria-labelledby="overview-figures">
      <h2 id="overview-figures" class="visually-hidden">
        {t('keyFigures')}
      </h2>
      <div class="stats overview-stats">
        <Stat testId="stat-profiles" label={t('profiles')} value={fmt.number(o.profiles)} />
        <Stat testId="stat-identified" label={t('identified')} value={fmt.number(o.identified)} detail={share(o.identified)} />
        <Stat testId="stat-anonymous" label={t('anonymous')} value={fmt.number(o.anonymous)} detail={share(o.anonymous)} />
        <Stat testId="stat-events" label={t('events')} value={fmt.number(o.events)} detail={t('eventsDetail')} />
        <Stat testId="stat-duplicates" label={t('duplicates')} value={fmt.number(o.duplicates)} detail={t('duplicatesDetail')} />
        {/* Stat with a link under it: the figure leads to where the quarantined events can be fixed. */}
        <div class={`stat${o.quarantined > 0 ? ' stat-alert' : ''}`} data-testid="stat-quarantined">
          <div class="stat-label">{t('quarantined')}</div>
          <div class="stat-value">{fmt.number(o.quarantined)}</div>
          <div class="stat-detail muted">{t('quarantinedDetail')}</div>
          <a class="stat-link" href="/live#quarantine">
            {t('reviewQuarantine')}
          </a>
        </div>
        <Stat testId="stat-accounts" label={t('accounts')} value={fmt.number(o.accounts)} detail={t('accountsDetail')} />
      </div>
    </section>
  );
}

/** Hours and minutes in the user's time zone, for the axis of the last hour (useFormat's time has seconds). */
function useShortTime(locale: string): (d: Date) => string {
  return useMemo(() => {
    const f = new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { hour: '2-digit', minute: '2-digit' });
    return (d: Date) => f.format(d);
  }, [locale]);
}

function EventsPerMinute({ o, t, fmt }: { o: Overview; t: T; fmt: Format }) {
  const hm = useShortTime(fmt.locale);
  const data = useMemo(
    () => o.eventsPerMinute.map((m) => ({ start: new Date(m.minute), end: new Date(Date.parse(m.minute) + 60_000), count: m.count })),
    [o.eventsPerMinute],
  );
  const total = data.reduce((s, d) => s + d.count, 0);
  const max = data.reduce((s, d) => Math.max(s, d.count), 0);
  const yLabel = t('count');
  const plot = useCallback(
    (): Plot.PlotOptions => ({
      marginLeft: 48,
      x: { type: 'time', label: null, tickFormat: (d: Date) => hm(d), ticks: 6 },
      y: { grid: true, label: yLabel, tickFormat: (n: number) => fmt.compact(n) },
      marks: [
        Plot.rectY(data, {
          x1: 'start',
          x2: 'end',
          y: 'count',
          fill: 'var(--accent)',
          insetLeft: 0.5,
          insetRight: 0.5,
          title: (d: { start: Date; count: number }) => `${hm(d.start)}: ${fmt.number(d.count)}`,
        }),
        Plot.ruleY([0]),
      ],
    }),
    [data, hm, fmt, yLabel],
  );
  return (
    <Card title={t('perMinuteTitle')}>
      {total === 0 ? (
        <p class="muted overview-chart-empty" data-testid="per-minute-total">
          {t('perMinuteEmpty')}
        </p>
      ) : (
        <>
          <Chart
            testId="per-minute-chart"
            plot={plot}
            label={t('perMinuteLabel')}
            height={220}
            table={{ caption: t('perMinuteCaption'), columns: [t('minute'), t('count')], rows: data.map((d) => [hm(d.start), d.count]) }}
          />
          <p class="muted" data-testid="per-minute-total">
            {t('perMinuteTotal', { count: total, max })}
          </p>
        </>
      )}
    </Card>
  );
}

function TopEvents({ o, t, fmt }: { o: Overview; t: T; fmt: Format }) {
  const days = o.topEventsDays;
  const data = o.topEvents;
  // Room for the longest name on the left, within reason (longer names are cut by Plot with an ellipsis).
  const longest = data.reduce((m, d) => Math.max(m, d.event.length), 0);
  const marginLeft = Math.min(220, Math.max(60, Math.round(longest * 6.6) + 12));
  const height = Math.max(120, data.length * 26 + 40);
  const xLabel = t('count');
  const plot = useCallback(
    (width: number): Plot.PlotOptions => ({
      // Margins never wider than the chart (a browser can lay the page out very narrow for a moment, as when
      // printing or taking a full-page screenshot): bars of negative width are errors.
      marginLeft: Math.max(0, Math.min(marginLeft, width - 58)),
      marginRight: Math.min(48, Math.max(0, width - 10)),
      x: { grid: true, label: xLabel, tickFormat: (n: number) => fmt.compact(n) },
      y: { label: null, tickFormat: (s: string) => (s.length > 32 ? `${s.slice(0, 31)}…` : s) },
      marks: [
        Plot.barX(data, { x: 'count', y: 'event', sort: { y: '-x' }, fill: 'var(--accent)' }),
        Plot.text(data, { x: 'count', y: 'event', text: (d: { count: number }) => fmt.number(d.count), textAnchor: 'start', dx: 4, fill: 'currentColor' }),
        Plot.ruleX([0]),
      ],
    }),
    [data, marginLeft, fmt, xLabel],
  );
  return (
    <Card title={t('topTitle', { days })}>
      {data.length === 0 ? (
        <p class="muted overview-chart-empty">{t('topEmpty', { days })}</p>
      ) : (
        <Chart
          testId="top-events-chart"
          plot={plot}
          label={t('topLabel', { days })}
          height={height}
          table={{ caption: t('topCaption', { days }), columns: [t('event'), t('count')], rows: data.map((d) => [d.event, d.count]) }}
        />
      )}
    </Card>
  );
}

function signed(fmt: Format, n: number): string {
  return n > 0 ? `+${fmt.number(n)}` : fmt.number(n);
}

function SegmentsTable({ o, t, fmt }: { o: Overview; t: T; fmt: Format }) {
  const rows = useMemo(() => [...o.segments].sort((a, b) => b.size - a.size || a.name.localeCompare(b.name)), [o.segments]);
  return (
    <Card
      title={t('segmentsTitle')}
      actions={
        <>
          <a href="/segments">{t('allSegments')}</a>
          <a class="button" href="/segments/new">
            {t('createSegment')}
          </a>
        </>
      }
    >
      <DataTable
        caption={t('segmentsCaption')}
        class="overview-segments"
        empty={t('segmentsEmpty')}
        columns={[
          { key: 'name', label: t('segmentName') },
          { key: 'kind', label: t('segmentKind') },
          { key: 'size', label: t('size'), numeric: true },
          { key: 'trend', label: t('trend') },
          { key: 'change', label: t('change'), numeric: true },
        ]}
      >
        {rows.map((s) => {
          const sizes = s.trend.map((p) => p.size);
          const first = sizes[0] ?? s.size;
          const last = sizes[sizes.length - 1] ?? s.size;
          const change = last - first;
          const pct = first > 0 ? fmt.percent(change / first) : null;
          const tone = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
          return (
            <tr key={s.id}>
              <th scope="row">
                <a href={`/segments/${encodeURIComponent(s.id)}`}>{s.name}</a>
              </th>
              <td>
                <Badge>{t(s.kind === 'rule' ? 'kind_rule' : 'kind_manual')}</Badge>
              </td>
              <td class="num">{fmt.number(s.size)}</td>
              <td>
                {sizes.length > 1 ? <Sparkline values={sizes} label={t('trendLabel', { name: s.name, values: sizes.map((v) => fmt.number(v)).join(', ') })} /> : null}
              </td>
              <td class={`num change-${tone}`}>
                {signed(fmt, change)}
                {pct !== null && change !== 0 ? <span class="muted"> ({change > 0 ? `+${pct}` : pct})</span> : null}
              </td>
            </tr>
          );
        })}
      </DataTable>
    </Card>
  );
}
