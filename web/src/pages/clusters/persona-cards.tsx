import { useState } from 'preact/hooks';
import type { ClusterSummary, Persona, PersonaValue, SegmentMade } from '../../api/client.js';
import { useApi } from '../../api/session.js';
import { ErrorBox } from '../../components/feedback.js';
import { Badge } from '../../components/ui.js';
import { useFormat, useLocale, useT } from '../../i18n/i18n.js';
import { clusterColour } from './cluster-charts.js';
import { messages } from './messages.js';

/**
 * The personas of a clustering, ranked by priority: name and description in the UI language, size, the traits that
 * set each apart, its quadrant and score, its value; and "Save as segment", as a snapshot of its members at the run
 * or live on the clustering's score.
 */

const QUADRANT_TONE = { priority: 'good', grow: 'warn', niche: 'neutral', monitor: 'neutral' } as const;
const SHOWN_TRAITS = 5;

export function PersonaCards({ run }: { run: ClusterSummary }) {
  const t = useT(messages);
  const fmt = useFormat();
  return (
    <section class="personas" aria-labelledby="personas-title">
      <h2 id="personas-title">{t('personasTitle')}</h2>
      <p class="muted">{t('personasIntro')}</p>
      {run.noise ? (
        <p class="notice" data-testid="noise-note">
          {t('noiseNote', { size: fmt.number(run.noise.size), share: fmt.percent(run.noise.share) })}
        </p>
      ) : null}
      <div class="persona-grid">
        {run.personas.map((p) => (
          <PersonaCard key={`${run.name}:${run.version}:${p.cluster}`} run={run} persona={p} />
        ))}
      </div>
    </section>
  );
}

function PersonaCard({ run, persona: p }: { run: ClusterSummary; persona: Persona }) {
  const t = useT(messages);
  const fmt = useFormat();
  const { locale } = useLocale();
  const titleId = `persona-${p.cluster}-title`;
  const value = (v: PersonaValue) =>
    v.share === null
      ? t('valueDetailNoShare', { total: fmt.number(v.total, 0), mean: v.mean === null ? t('noValue') : fmt.number(v.mean, 0) })
      : t('valueDetail', { total: fmt.number(v.total, 0), mean: v.mean === null ? t('noValue') : fmt.number(v.mean, 0), share: fmt.percent(v.share) });
  return (
    <article class="card persona-card" aria-labelledby={titleId} data-cluster={p.cluster} data-testid="persona">
      <div class="persona-head">
        <span class="persona-swatch" style={{ background: clusterColour(p.cluster) }} aria-hidden="true" />
        <h3 id={titleId} class="persona-name">
          {p.name[locale]}
        </h3>
        <Badge tone={QUADRANT_TONE[p.grid.quadrant]}>{p.grid.label[locale]}</Badge>
      </div>
      <p class="muted persona-size">{t('clusterSize', { cluster: p.cluster, size: fmt.number(p.size), share: fmt.percent(p.share) })}</p>
      <p class="persona-description">{p.description[locale]}</p>
      {p.traits.length > 0 ? (
        <>
          <h4>{t('traits')}</h4>
          <ul class="persona-traits">
            {p.traits.slice(0, SHOWN_TRAITS).map((tr) => (
              <li key={`${tr.feature}:${tr.level ?? ''}`} data-strength={tr.strength}>
                <span aria-hidden="true" class={`trait-arrow trait-${tr.direction}`}>
                  {tr.direction === 'higher' ? '▲' : '▼'}
                </span>{' '}
                {tr.phrase[locale]}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <dl class="persona-figures">
        <div>
          <dt>{t('priority')}</dt>
          <dd data-testid="persona-score">
            {t('priorityDetail', { score: fmt.number(p.grid.score, 2), relevance: fmt.number(p.grid.relevance, 2), impact: fmt.number(p.grid.impact, 2) })}
          </dd>
        </div>
        {p.value.revenue ? (
          <div>
            <dt>{t('revenue')}</dt>
            <dd>{value(p.value.revenue)}</dd>
          </div>
        ) : null}
        {p.value.clv ? (
          <div>
            <dt>{t('clv')}</dt>
            <dd>{value(p.value.clv)}</dd>
          </div>
        ) : null}
      </dl>
      <SaveAsSegment run={run} persona={p} />
    </article>
  );
}

function SaveAsSegment({ run, persona: p }: { run: ClusterSummary; persona: Persona }) {
  const t = useT(messages);
  const fmt = useFormat();
  const api = useApi();
  const { locale } = useLocale();
  const [mode, setMode] = useState<'snapshot' | 'live'>('snapshot');
  const [state, setState] = useState<{ busy: boolean; made: SegmentMade | null; error: unknown }>({ busy: false, made: null, error: null });
  const selectId = `persona-${p.cluster}-mode`;

  const save = async (): Promise<void> => {
    setState({ busy: true, made: null, error: null });
    try {
      // A snapshot keeps the members of this very version; a live segment always follows the latest one.
      const body = mode === 'snapshot' ? { cluster: p.cluster, mode, version: run.version } : { cluster: p.cluster, mode };
      setState({ busy: false, made: await api.clusterSegment(run.name, body), error: null });
    } catch (e) {
      setState({ busy: false, made: null, error: e });
    }
  };

  return (
    <div class="persona-save">
      <div class="persona-save-row">
        <label for={selectId}>{t('segmentMode')}</label>
        <select id={selectId} value={mode} onChange={(e) => setMode(e.currentTarget.value === 'live' ? 'live' : 'snapshot')}>
          <option value="snapshot">{t('mode_snapshot')}</option>
          <option value="live">{t('mode_live')}</option>
        </select>
        <button type="button" class="primary" disabled={state.busy} aria-label={t('saveLabel', { name: p.name[locale] })} onClick={() => void save()}>
          {state.busy ? t('saving') : t('save')}
        </button>
      </div>
      <div aria-live="polite">
        {state.made ? (
          <p class="notice ok-notice" role="status" data-testid="segment-made">
            {t('saved', { members: fmt.number(state.made.members) })} <a href={`/segments/${encodeURIComponent(state.made.segmentId)}`}>{state.made.segmentName}</a>
          </p>
        ) : null}
      </div>
      {state.error ? <ErrorBox error={state.error} onRetry={() => void save()} /> : null}
    </div>
  );
}
