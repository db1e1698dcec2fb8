import * as Plot from '@observablehq/plot';
import { useCallback, useMemo } from 'preact/hooks';
import type { Profile } from '../../api/client.js';
import { Chart } from '../../components/chart.js';
import { DataTable } from '../../components/data-table.js';
import { Badge, Card, Stat } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages, type MessageKey } from './messages.js';
import { KeyValues, When } from './values.js';

/**
 * The sections of a profile in full. Each takes the ProfileView as the API gives it and shows one part of it; an
 * empty part says so rather than disappearing, so a reader knows it was looked at.
 */

const segmentHref = (id: string): string => `/segments/${encodeURIComponent(id)}`;

export function TraitsSection({ profile }: { profile: Profile }) {
  const t = useT(messages);
  const empty = Object.keys(profile.traits).length === 0;
  return (
    <Card title={t('traitsTitle')}>
      <p class="muted card-intro">{t('traitsIntro')}</p>
      {empty ? <p class="muted">{t('noTraits')}</p> : <KeyValues record={profile.traits} label={t('traitsTitle')} />}
    </Card>
  );
}

export function PersonalSection({ profile }: { profile: Profile }) {
  const t = useT(messages);
  const empty = Object.keys(profile.personal).length === 0;
  return (
    <Card title={t('piiTitle')} class="pii-card" actions={<Badge tone="pii">{t('piiBadge')}</Badge>}>
      <p class="card-intro">{t('piiIntro')}</p>
      {empty ? <p class="muted">{t('noPersonal')}</p> : <KeyValues record={profile.personal} label={t('piiTitle')} />}
    </Card>
  );
}

export function IdentitiesSection({ profile }: { profile: Profile }) {
  const t = useT(messages);
  return (
    <Card title={t('identitiesTitle')}>
      <p class="muted card-intro">{t('identitiesIntro')}</p>
      <DataTable
        caption={t('identitiesCaption')}
        columns={[
          { key: 'kind', label: t('colKind') },
          { key: 'value', label: t('colValue') },
          { key: 'firstSeen', label: t('colFirstSeen') },
        ]}
      >
        {profile.identities.map((i) => (
          <tr key={`${i.kind}:${i.value}`}>
            <th scope="row">{t(`idKind_${i.kind}`)}</th>
            <td class="profile-id">{i.value}</td>
            <td>
              <When iso={i.firstSeen} />
            </td>
          </tr>
        ))}
      </DataTable>
    </Card>
  );
}

export function AccountsSection({ profile }: { profile: Profile }) {
  const t = useT(messages);
  const f = useFormat();
  return (
    <Card title={t('accountsTitle')}>
      <p class="muted card-intro">{t('accountsIntro')}</p>
      {profile.accounts.length === 0 ? (
        <p class="muted">{t('noAccounts')}</p>
      ) : (
        profile.accounts.map((a) => (
          <div key={a.id} class="account">
            <h3>
              <code>{a.id}</code> <span class="muted">· {t('accountUpdated', { date: f.dateTime(a.updatedAt) })}</span>
            </h3>
            <KeyValues record={a.traits} label={a.id} />
          </div>
        ))
      )}
    </Card>
  );
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Engagement and RFM scores: plain values as key figures, nested groups (rfm) under their own heading. */
export function ScoresSection({ profile }: { profile: Profile }) {
  const t = useT(messages);
  const f = useFormat();
  const label = (k: string): string => {
    const key = `score_${k}`;
    return key in messages.en ? t(key as MessageKey) : k;
  };
  const shown = (v: unknown): string => (typeof v === 'number' ? f.number(v, 2) : typeof v === 'boolean' ? t(v ? 'yes' : 'no') : v === null ? '—' : String(v));
  const figures = (r: Record<string, unknown>) => {
    const plain = Object.entries(r).filter(([, v]) => !isRecord(v));
    return plain.length ? (
      <div class="score-stats">
        {plain.map(([k, v]) => (
          <Stat key={k} label={label(k)} value={shown(v)} testId={`score-${k}`} />
        ))}
      </div>
    ) : null;
  };
  const scores = profile.scores ?? {};
  const groups = Object.entries(scores).filter((e): e is [string, Record<string, unknown>] => isRecord(e[1]));
  return (
    <Card title={t('scoresTitle')}>
      {Object.keys(scores).length === 0 ? (
        <p class="muted">{t('noScores')}</p>
      ) : (
        <>
          {figures(scores)}
          {groups.map(([k, g]) => (
            <section key={k} aria-label={label(k)}>
              <h3>{label(k)}</h3>
              {figures(g)}
            </section>
          ))}
        </>
      )}
    </Card>
  );
}

export function ComputedSection({ profile }: { profile: Profile }) {
  const t = useT(messages);
  const computed = profile.computed ?? {};
  return (
    <Card title={t('computedTitle')}>
      {Object.keys(computed).length === 0 ? <p class="muted">{t('noComputed')}</p> : <KeyValues record={computed} label={t('computedTitle')} />}
    </Card>
  );
}

export function SegmentsSection({ profile }: { profile: Profile }) {
  const t = useT(messages);
  const segments = profile.segments ?? [];
  return (
    <Card title={t('segmentsTitle')}>
      <DataTable
        caption={t('segmentsCaption')}
        empty={t('noSegments')}
        columns={[
          { key: 'segment', label: t('colSegment') },
          { key: 'since', label: t('colSince') },
          { key: 'explain', label: t('colExplain') },
        ]}
      >
        {segments.map((s) => (
          <tr key={s.id}>
            <th scope="row">
              <a href={segmentHref(s.id)}>{s.name}</a>
            </th>
            <td>
              <When iso={s.since} />
            </td>
            <td>
              <a href={`${segmentHref(s.id)}/explain/${encodeURIComponent(profile.id)}`} aria-label={t('whyLabel', { name: s.name })}>
                {t('why')}
              </a>
            </td>
          </tr>
        ))}
      </DataTable>
    </Card>
  );
}

const MIN_CHART_WIDTH = 160;

/** Events in total and by type, as a bar chart with the same numbers in a table for screen readers. */
export function ActivitySection({ profile }: { profile: Profile }) {
  const t = useT(messages);
  const f = useFormat();
  const data = useMemo(
    () => Object.entries(profile.events.byType).map(([type, count]) => ({ type, count })).sort((a, b) => b.count - a.count),
    [profile.events.byType],
  );
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      // While the layout settles the container can be narrower than the margins: draw nothing rather than bars of
      // negative width.
      if (width < MIN_CHART_WIDTH) return { marks: [] };
      return {
        marginLeft: 70,
        marginRight: 40,
        x: { label: null, grid: true },
        y: { label: null, domain: data.map((d) => d.type) },
        marks: [
          Plot.barX(data, { x: 'count', y: 'type', fill: 'var(--accent)' }),
          Plot.text(data, { x: 'count', y: 'type', text: (d: { count: number }) => f.number(d.count), dx: 4, textAnchor: 'start', fill: 'currentColor' }),
          Plot.ruleX([0]),
        ],
      };
    },
    [data, f],
  );
  return (
    <Card title={t('activityTitle')}>
      <div class="score-stats">
        <Stat label={t('eventsTotal')} value={f.number(profile.events.total)} testId="events-total" />
      </div>
      {data.length > 0 ? (
        <Chart
          plot={plot}
          label={t('chartLabel')}
          height={Math.max(90, 34 * data.length + 40)}
          table={{ caption: t('chartLabel'), columns: [t('colType'), t('colCount')], rows: data.map((d) => [d.type, d.count]) }}
          testId="events-by-type"
        />
      ) : null}
    </Card>
  );
}
