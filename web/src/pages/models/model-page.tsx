import { useRoute } from 'preact-iso';
import type { ModelSummary } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { DataTable } from '../../components/data-table.js';
import { Loaded } from '../../components/feedback.js';
import { Badge, Card, PageHeader, Stat } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { ExplainProfile, ModelActions } from './model-actions.js';
import { CalibrationChart, ImportanceChart, PrChart, RocChart } from './model-charts.js';
import { messages } from './messages.js';
import { modelHref, targetText } from './shared.js';
import './models.css';

/**
 * /models/:name: one model (the latest version, or ?version=N): its metrics on the test profiles, ROC, PR and
 * calibration curves, what it relies on, its decision threshold, its versions; scoring, a top segment and a profile's
 * explanation (which read the latest version, as the API does).
 */
export default function ModelPage() {
  const { params, query } = useRoute();
  const name = params.name ?? '';
  const version = query.version && /^\d+$/.test(query.version) ? Number(query.version) : undefined;
  const q = useQuery((a) => a.model(name, version), [name, version]);
  return <Loaded q={q}>{(m) => <ModelDetail key={`${m.name}:${m.version}`} model={m} />}</Loaded>;
}

function ModelDetail({ model: m }: { model: ModelSummary }) {
  const t = useT(messages);
  const fmt = useFormat();
  const r = m.report;
  const versions = useQuery((a) => a.modelVersions(m.name), [m.name]);
  const latest = versions.data?.items[0]?.version;
  return (
    <div class="model">
      <PageHeader
        title={m.name}
        subtitle={t('modelSubtitle', { version: m.version, algo: t(`algo_${r.algorithm}`), target: targetText(t, m.target), at: fmt.dateTime(m.at), asOf: fmt.dateTime(m.asOf) })}
      />
      {r.converged === false ? (
        <p class="notice" data-testid="not-converged">
          {t('notConverged')}
        </p>
      ) : null}
      <div class="stats" role="group" aria-label={t('keyFigures')}>
        <Stat testId="m-auc" label={t('auc')} value={fmt.number(r.metrics.auc, 3)} detail={t('aucDetail')} />
        <Stat testId="m-ap" label={t('ap')} value={fmt.number(r.metrics.averagePrecision, 3)} detail={t('apDetail', { base: fmt.number(r.metrics.baseRate, 3) })} />
        <Stat testId="m-brier" label={t('brier')} value={fmt.number(r.metrics.brier, 4)} detail={t('brierDetail')} />
        <Stat testId="m-logloss" label={t('logLoss')} value={fmt.number(r.metrics.logLoss, 4)} detail={t('logLossDetail')} />
        <Stat
          testId="m-rows"
          label={t('testRows')}
          value={fmt.number(r.rows.test)}
          detail={t('testRowsDetail', { positives: fmt.number(r.positives.test), train: fmt.number(r.rows.train) })}
        />
      </div>
      <div class="grid grid-2">
        <RocChart report={r} />
        <PrChart report={r} />
        <CalibrationChart report={r} />
        <ImportanceChart report={r} />
      </div>
      <div class="grid grid-2">
        <Threshold model={m} />
        {/* Scoring and explanations use the latest version: offered on it only. */}
        {latest === undefined || latest === m.version ? <ModelActions model={m} /> : null}
      </div>
      {latest === undefined || latest === m.version ? <ExplainProfile model={m} /> : null}
      <Card title={t('versionsTitle')}>
        <Loaded q={versions}>
          {(v) => (
            <DataTable
              caption={t('versionsCaption')}
              testId="model-versions"
              columns={[
                { key: 'version', label: t('colVersion'), numeric: true },
                { key: 'at', label: t('colAt') },
                { key: 'algo', label: t('colAlgo') },
                { key: 'auc', label: t('colAuc'), numeric: true },
                { key: 'ap', label: t('colAp'), numeric: true },
                { key: 'open', label: t('open'), hiddenLabel: true },
              ]}
            >
              {v.items.map((x) => (
                <tr key={x.version}>
                  <th scope="row" class="num">
                    {x.version}
                  </th>
                  <td>{fmt.dateTime(x.at)}</td>
                  <td>{t(`algo_${x.report.algorithm}`)}</td>
                  <td class="num">{fmt.number(x.report.metrics.auc, 3)}</td>
                  <td class="num">{fmt.number(x.report.metrics.averagePrecision, 3)}</td>
                  <td>
                    {x.version === m.version ? (
                      <Badge tone="good">{t('showing')}</Badge>
                    ) : (
                      <a href={modelHref(x.name, x.version)} aria-label={t('openVersion', { version: x.version })}>
                        {t('open')}
                      </a>
                    )}
                  </td>
                </tr>
              ))}
            </DataTable>
          )}
        </Loaded>
      </Card>
    </div>
  );
}

function Threshold({ model }: { model: ModelSummary }) {
  const t = useT(messages);
  const fmt = useFormat();
  const th = model.report.threshold;
  const c = th.confusion;
  return (
    <Card title={t('thresholdTitle')}>
      <p class="muted card-intro">{t('thresholdIntro')}</p>
      {th.reached ? null : <p class="notice">{t('thresholdNotReached')}</p>}
      <dl class="threshold-figures" data-testid="threshold">
        <div>
          <dt>{t('threshold')}</dt>
          <dd>{fmt.number(th.value, 3)}</dd>
        </div>
        <div>
          <dt>{t('precision')}</dt>
          <dd>{fmt.number(th.precision, 3)}</dd>
        </div>
        <div>
          <dt>{t('recall')}</dt>
          <dd>{fmt.number(th.recall, 3)}</dd>
        </div>
        <div>
          <dt>{t('f1')}</dt>
          <dd>{fmt.number(th.f1, 3)}</dd>
        </div>
      </dl>
      <div class="table-wrap">
        <table class="data confusion" data-testid="confusion">
          <caption class="visually-hidden">{t('confusionCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('actual')}</th>
              <th scope="col" class="num">
                {t('predictedYes')}
              </th>
              <th scope="col" class="num">
                {t('predictedNo')}
              </th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{t('actualYes')}</th>
              <td class="num cell-good">{fmt.number(c.tp)}</td>
              <td class="num cell-bad">{fmt.number(c.fn)}</td>
            </tr>
            <tr>
              <th scope="row">{t('actualNo')}</th>
              <td class="num cell-bad">{fmt.number(c.fp)}</td>
              <td class="num cell-good">{fmt.number(c.tn)}</td>
            </tr>
          </tbody>
        </table>
      </div>
    </Card>
  );
}
