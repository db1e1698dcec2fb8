import { useRef, useState } from 'preact/hooks';
import type { QualityReport } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { useApi } from '../../api/session.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox, Loaded } from '../../components/feedback.js';
import { Badge, Card, PageHeader, Stat } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import { CompletenessChart, FreshnessChart, MissingChart, TrendChart } from './quality-charts.js';
import './quality.css';

/**
 * /quality: the data-quality report (duplicates, missing and invalid values, rule violations, outliers, freshness,
 * completeness) and its trend over the stored reports; "Run now" computes a new one.
 */
export default function QualityPage() {
  const t = useT(messages);
  const fmt = useFormat();
  const api = useApi();
  const q = useQuery((a) => a.quality(), []);
  const [run, setRun] = useState<{ busy: boolean; report: QualityReport | null; error: unknown }>({ busy: false, report: null, error: null });
  // The report just computed, until the page is read again.
  const report = run.report ?? q.data;
  // Read once the report is there (reading it may store a new one, the trend's latest point), and again for each new one.
  const trend = useQuery((a) => a.qualityTrend(), [report?.id], { enabled: report !== undefined });
  const outcomeRef = useRef<HTMLDivElement>(null);

  const runNow = async () => {
    setRun({ busy: true, report: null, error: null });
    try {
      const report = await api.runQuality();
      setRun({ busy: false, report, error: null });
    } catch (e) {
      setRun({ busy: false, report: null, error: e });
    }
    requestAnimationFrame(() => outcomeRef.current?.focus());
  };

  return (
    <div class="quality">
      <PageHeader
        title={t('title')}
        subtitle={report ? t('subtitle', { at: fmt.dateTime(report.at), profiles: report.profiles, seconds: fmt.number(report.seconds, 2) }) : undefined}
        actions={
          <button type="button" class="primary" onClick={() => void runNow()} disabled={run.busy} aria-describedby="run-help">
            {run.busy ? t('running') : t('runNow')}
          </button>
        }
      />
      <p id="run-help" class="muted run-help">
        {t('runHelp')}
      </p>
      <div ref={outcomeRef} tabIndex={-1} class="run-outcome" aria-live="polite">
        {run.error ? <ErrorBox error={run.error} onRetry={() => void runNow()} /> : null}
        {run.report ? (
          <p class="notice ok-notice" role="status" data-testid="run-result">
            {t('ran', { time: fmt.time(run.report.at) })}
          </p>
        ) : null}
      </div>
      {report ? <Report report={report} /> : <Loaded q={q}>{() => null}</Loaded>}
      {report ? <Loaded q={trend}>{(tr) => (tr.items.length > 0 ? <TrendChart trend={tr} /> : null)}</Loaded> : null}
      {report ? <Details report={report} /> : null}
    </div>
  );
}

function Report({ report }: { report: QualityReport }) {
  const t = useT(messages);
  const fmt = useFormat();
  const violations = report.violations.reduce((s, v) => s + v.count, 0);
  const invalid = report.fields.reduce((s, f) => s + f.invalid, 0);
  const d = report.duplicates;
  return (
    <section aria-labelledby="quality-figures">
      <h2 id="quality-figures" class="visually-hidden">
        {t('keyFigures')}
      </h2>
      <div class="stats quality-stats">
        <Stat testId="q-profiles" label={t('profiles')} value={fmt.number(report.profiles)} detail={t('profilesDetail')} />
        <Stat testId="q-exact" label={t('exactRate')} value={fmt.percent(d.exactRate)} detail={t('exactDetail', { profiles: d.exactProfiles, pairs: d.exactPairs })} />
        <Stat testId="q-probable" label={t('probableRate')} value={fmt.percent(d.probableRate)} detail={t('probableDetail', { pairs: d.probablePairs })}>
          {d.probablePairs > 0 ? (
            <a class="stat-link" href="/identity/review">
              {t('reviewLink')}
            </a>
          ) : null}
        </Stat>
        <Stat
          testId="q-completeness"
          label={t('completeness')}
          value={report.completeness.mean === null ? t('noValue') : fmt.percent(report.completeness.mean)}
          detail={t('completenessDetail', { count: report.completeness.fields.length })}
        />
        <Stat
          testId="q-freshness"
          label={t('freshness')}
          value={report.freshness.medianDays === null ? t('noValue') : t('days', { days: fmt.number(report.freshness.medianDays, 1) })}
          detail={t('freshnessDetail')}
        />
        <Stat testId="q-violations" label={t('violations')} value={fmt.number(violations)} detail={t('violationsDetail')} />
        <Stat testId="q-invalid" label={t('invalid')} value={fmt.number(invalid)} detail={t('invalidDetail')} />
      </div>
    </section>
  );
}

function Details({ report }: { report: QualityReport }) {
  return (
    <>
      <div class="grid grid-2 quality-grid">
        <CompletenessChart report={report} />
        <FreshnessChart report={report} />
      </div>
      <div class="grid grid-2 quality-grid">
        <MissingChart report={report} />
        <div>
          <Violations report={report} />
          <Outliers report={report} />
        </div>
      </div>
      <FieldsTable report={report} />
    </>
  );
}

function FieldsTable({ report }: { report: QualityReport }) {
  const t = useT(messages);
  const fmt = useFormat();
  return (
    <Card title={t('fieldsTitle')}>
      <p class="muted card-intro">{t('fieldsIntro')}</p>
      <DataTable
        caption={t('fieldsCaption')}
        class="quality-fields"
        testId="quality-fields"
        empty={t('noFields')}
        columns={[
          { key: 'field', label: t('colField') },
          { key: 'present', label: t('colPresent'), numeric: true },
          { key: 'missing', label: t('colMissing'), numeric: true },
          { key: 'missingRate', label: t('colMissingRate'), numeric: true },
          { key: 'invalid', label: t('colInvalid'), numeric: true },
          { key: 'codes', label: t('colInvalidCodes') },
        ]}
      >
        {report.fields.map((f) => (
          <tr key={f.field} data-field={f.field}>
            <th scope="row">
              <code>{f.field}</code>{' '}
              {f.personal ? (
                <>
                  <Badge tone="pii">{t('personal')}</Badge>
                  <span class="visually-hidden"> ({t('personalLabel')})</span>
                </>
              ) : null}
            </th>
            <td class="num">{fmt.number(f.present)}</td>
            <td class="num">{fmt.number(f.missing)}</td>
            <td class="num">{fmt.percent(f.missingRate)}</td>
            <td class={f.invalid > 0 ? 'num has-invalid' : 'num'}>{fmt.number(f.invalid)}</td>
            <td>
              {Object.entries(f.invalidByCode).map(([code, n]) => (
                <div key={code}>
                  <code>{code}</code>: {fmt.number(n)}
                </div>
              ))}
            </td>
          </tr>
        ))}
      </DataTable>
    </Card>
  );
}

function Violations({ report }: { report: QualityReport }) {
  const t = useT(messages);
  const fmt = useFormat();
  return (
    <Card title={t('violationsTitle')}>
      <DataTable
        caption={t('violationsCaption')}
        testId="quality-violations"
        empty={t('noViolations')}
        columns={[
          { key: 'rule', label: t('colRule') },
          { key: 'code', label: t('colCode') },
          { key: 'severity', label: t('colSeverity') },
          { key: 'count', label: t('colCount'), numeric: true },
        ]}
      >
        {report.violations.map((v) => (
          <tr key={`${v.rule}:${v.code}`} data-rule={v.rule}>
            <th scope="row">{v.rule}</th>
            <td>
              <code>{v.code}</code>
            </td>
            <td>
              <Badge tone={v.severity === 'reject' ? 'bad' : 'warn'}>{t(`severity_${v.severity}`)}</Badge>
            </td>
            <td class="num">{fmt.number(v.count)}</td>
          </tr>
        ))}
      </DataTable>
    </Card>
  );
}

function Outliers({ report }: { report: QualityReport }) {
  const t = useT(messages);
  const fmt = useFormat();
  const bound = (n: number | null) => (n === null ? '…' : fmt.number(n, 1));
  return (
    <Card title={t('outliersTitle')}>
      <DataTable
        caption={t('outliersCaption')}
        testId="quality-outliers"
        empty={t('noOutliers')}
        columns={[
          { key: 'field', label: t('colField') },
          { key: 'method', label: t('colMethod') },
          { key: 'bounds', label: t('colBounds') },
          { key: 'count', label: t('colCount'), numeric: true },
        ]}
      >
        {report.outliers.map((o) => (
          <tr key={`${o.field}:${o.method}`} data-field={o.field} data-method={o.method}>
            <th scope="row">
              <code>{o.field}</code>
            </th>
            <td>{t(`method_${o.method}`)}</td>
            <td>{t('bounds', { low: bound(o.low), high: bound(o.high) })}</td>
            <td class="num">{fmt.number(o.count)}</td>
          </tr>
        ))}
      </DataTable>
    </Card>
  );
}
