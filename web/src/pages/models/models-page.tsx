import { useLocation } from 'preact-iso';
import { useState } from 'preact/hooks';
import type { Algo, ModelSummary } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { useApi } from '../../api/session.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox, Loaded } from '../../components/feedback.js';
import { Card, Datalist, PageHeader } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import { ALGOS, modelHref, targetText } from './shared.js';
import './models.css';

/** /models: the trained models (latest version of each) and the form that trains one. */
export default function ModelsPage() {
  const t = useT(messages);
  const list = useQuery((a) => a.models(), []);
  return (
    <div class="models">
      <PageHeader title={t('title')} subtitle={t('subtitle')} />
      <div class="grid models-grid">
        <Card title={t('listTitle')}>
          <Loaded q={list}>{(l) => <ModelList items={l.items} />}</Loaded>
        </Card>
        <TrainForm />
      </div>
    </div>
  );
}

function ModelList({ items }: { items: ModelSummary[] }) {
  const t = useT(messages);
  const fmt = useFormat();
  return (
    <DataTable
      caption={t('listCaption')}
      testId="models-list"
      empty={t('noModels')}
      columns={[
        { key: 'name', label: t('colName') },
        { key: 'version', label: t('colVersion'), numeric: true },
        { key: 'algo', label: t('colAlgo') },
        { key: 'target', label: t('colTarget') },
        { key: 'auc', label: t('colAuc'), numeric: true },
        { key: 'ap', label: t('colAp'), numeric: true },
        { key: 'at', label: t('colTrained') },
      ]}
    >
      {items.map((m) => (
        <tr key={m.name} data-name={m.name}>
          <th scope="row">
            <a href={modelHref(m.name)}>{m.name}</a>
          </th>
          <td class="num">{m.version}</td>
          <td>{t(`algo_${m.report.algorithm}`)}</td>
          <td>{targetText(t, m.target)}</td>
          <td class="num">{fmt.number(m.report.metrics.auc, 3)}</td>
          <td class="num">{fmt.number(m.report.metrics.averagePrecision, 3)}</td>
          <td>{fmt.dateTime(m.at)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function TrainForm() {
  const t = useT(messages);
  const api = useApi();
  const { route } = useLocation();
  // The most frequent events, as suggestions for the target.
  const overview = useQuery((a) => a.overview(), []);
  const [name, setName] = useState('buyers');
  const [event, setEvent] = useState('Order Completed');
  const [days, setDays] = useState('14');
  const [churn, setChurn] = useState(false);
  const [algo, setAlgo] = useState<Algo>('gbdt');
  const [state, setState] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setState({ busy: true, error: null });
    try {
      const d = Number.parseInt(days, 10);
      const m = await api.trainModel({ name: name.trim(), target: { kind: churn ? 'churn' : 'event', event: event.trim(), days: Number.isFinite(d) ? d : 14 }, algo });
      route(modelHref(m.name, m.version));
    } catch (err) {
      setState({ busy: false, error: err });
    }
  };

  return (
    <Card title={t('trainTitle')} class="train-form">
      <form onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="m-name">{t('name')}</label>
          <input id="m-name" type="text" required pattern="[a-z][a-z0-9_]{0,40}" value={name} aria-describedby="m-name-help" onInput={(e) => setName(e.currentTarget.value)} />
          <small id="m-name-help" class="muted">
            {t('nameHelp')}
          </small>
        </div>
        <div class="form-row">
          <div class="field">
            <label for="m-event">{t('targetEvent')}</label>
            <input id="m-event" type="text" required list="m-events" value={event} aria-describedby="m-target-help" onInput={(e) => setEvent(e.currentTarget.value)} />
            <Datalist id="m-events" values={(overview.data?.topEvents ?? []).map((x) => x.event)} />
          </div>
          <div class="field field-narrow">
            <label for="m-days">{t('targetDays')}</label>
            <input id="m-days" type="number" required min={1} max={3650} value={days} onInput={(e) => setDays(e.currentTarget.value)} />
          </div>
        </div>
        <p id="m-target-help" class="muted small-help">
          {t('targetHelp')}
        </p>
        <label class="check">
          <input type="checkbox" checked={churn} onChange={(e) => setChurn(e.currentTarget.checked)} />
          <span>{t('churn')}</span>
        </label>
        <div class="field">
          <label for="m-algo">{t('algo')}</label>
          <select id="m-algo" value={algo} onChange={(e) => setAlgo(ALGOS.find((a) => a === e.currentTarget.value) ?? 'gbdt')}>
            {ALGOS.map((a) => (
              <option key={a} value={a}>
                {t(`algo_${a}`)}
              </option>
            ))}
          </select>
        </div>
        {state.error ? <ErrorBox error={state.error} /> : null}
        <button type="submit" class="primary" disabled={state.busy}>
          {state.busy ? t('training') : t('train')}
        </button>
      </form>
    </Card>
  );
}
