import { useState } from 'preact/hooks';
import type { Explanation, ModelSummary, ScoringRun, SegmentMade } from '../../api/client.js';
import { useApi } from '../../api/session.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/feedback.js';
import { Card } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { ContributionChart } from './model-charts.js';
import { messages } from './messages.js';

/**
 * What to do with a model: score every profile now (the latest version), make a rule segment of the top N% by its
 * score, and explain one profile's score.
 */

type Action<T> = { busy: boolean; result: T | null; error: unknown };
const idle = { busy: false, result: null, error: null };

/** Runs `fn` as the one action of a form: busy while it runs, then its result or its error. */
function useAction<T>(): [Action<T>, (fn: () => Promise<T>) => Promise<void>] {
  const [state, setState] = useState<Action<T>>(idle);
  const run = async (fn: () => Promise<T>): Promise<void> => {
    setState({ busy: true, result: null, error: null });
    try {
      setState({ busy: false, result: await fn(), error: null });
    } catch (e) {
      setState({ busy: false, result: null, error: e });
    }
  };
  return [state, run];
}

export function ModelActions({ model }: { model: ModelSummary }) {
  const t = useT(messages);
  const fmt = useFormat();
  const api = useApi();
  const [score, runScore] = useAction<ScoringRun>();
  const [top, runTop] = useAction<SegmentMade>();
  const [percent, setPercent] = useState('10');
  const [segName, setSegName] = useState('');
  const p = Math.min(99, Math.max(1, Number.parseInt(percent, 10) || 10));
  const last = score.result ?? model.scored;

  return (
    <Card title={t('actionsTitle')}>
      <div class="actions">
        <button type="button" class="primary" disabled={score.busy} aria-describedby="score-help" onClick={() => void runScore(() => api.scoreModel(model.name))}>
          {score.busy ? t('scoring') : t('scoreNow')}
        </button>
      </div>
      <p id="score-help" class="muted small-help">
        {t('scoreHelp', { name: model.name })}
      </p>
      <div aria-live="polite">
        {score.result ? (
          <p class="notice ok-notice" role="status" data-testid="score-result">
            {t('scored', { profiles: fmt.number(score.result.profiles), changed: fmt.number(score.result.changed), time: fmt.time(score.result.at) })}
          </p>
        ) : null}
      </div>
      {score.error ? <ErrorBox error={score.error} /> : null}
      {last ? (
        <>
          {score.result ? null : <p class="muted">{t('lastScored', { at: fmt.dateTime(last.at), profiles: fmt.number(last.profiles) })}</p>}
          <DataTable caption={t('decilesCaption')} testId="deciles" columns={[{ key: 'q', label: t('colDecile') }, { key: 'p', label: t('colProbability'), numeric: true }]}>
            {last.deciles.map((d, q) => (
              <tr key={q}>
                <th scope="row">{`${q * 10}%`}</th>
                <td class="num">{fmt.number(d, 3)}</td>
              </tr>
            ))}
          </DataTable>
        </>
      ) : null}

      <h3>{t('topTitle')}</h3>
      <form
        class="form-row top-form"
        onSubmit={(e) => {
          e.preventDefault();
          void runTop(() => api.topSegment(model.name, segName.trim() === '' ? { percent: p } : { percent: p, name: segName.trim() }));
        }}
      >
        <div class="field field-narrow">
          <label for="top-percent">{t('topPercent')}</label>
          <input id="top-percent" type="number" min={1} max={99} required value={percent} onInput={(e) => setPercent(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label for="top-name">{t('topName')}</label>
          <input id="top-name" type="text" maxLength={200} value={segName} onInput={(e) => setSegName(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={top.busy}>
          {top.busy ? t('making') : t('makeTop', { percent: p })}
        </button>
      </form>
      <div aria-live="polite">
        {top.result ? (
          <p class="notice ok-notice" role="status" data-testid="top-made">
            {t('made', { members: fmt.number(top.result.members) })} <a href={`/segments/${encodeURIComponent(top.result.segmentId)}`}>{top.result.segmentName}</a>
            {top.result.definition ? (
              <>
                {' '}
                <code>{top.result.definition}</code>
              </>
            ) : null}
          </p>
        ) : null}
      </div>
      {top.error ? <ErrorBox error={top.error} /> : null}
    </Card>
  );
}

export function ExplainProfile({ model }: { model: ModelSummary }) {
  const t = useT(messages);
  const fmt = useFormat();
  const api = useApi();
  const [profileId, setProfileId] = useState('');
  const [state, run] = useAction<Explanation>();
  const x = state.result;
  return (
    <Card title={t('explainTitle')}>
      <p class="muted card-intro">{t('explainIntro')}</p>
      <form
        class="form-row"
        onSubmit={(e) => {
          e.preventDefault();
          if (profileId.trim() !== '') void run(() => api.explainScore(model.name, profileId.trim()));
        }}
      >
        <div class="field">
          <label for="explain-id">{t('profileId')}</label>
          <input id="explain-id" class="mono" type="text" required value={profileId} onInput={(e) => setProfileId(e.currentTarget.value)} />
        </div>
        <button type="submit" class="explain-button" disabled={state.busy}>
          {state.busy ? t('explaining') : t('explain')}
        </button>
      </form>
      {state.error ? <ErrorBox error={state.error} /> : null}
      <div aria-live="polite">
        {x ? (
          <p data-testid="explain-result">
            {t('explainResult', {
              probability: fmt.percent(x.probability),
              base: fmt.number(x.base, 3),
              scale: t(x.scale === 'log-odds' ? 'scale_logodds' : 'scale_probability'),
            })}
          </p>
        ) : null}
      </div>
      {x ? <ContributionChart key={x.profileId} explanation={x} /> : null}
    </Card>
  );
}
