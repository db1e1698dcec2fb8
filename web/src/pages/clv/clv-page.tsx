import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type ClvRun } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { useApi } from '../../api/session.js';
import { ErrorBox, Loading } from '../../components/feedback.js';
import { Card, PageHeader, Stat } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { ClvHistogram, money, Parameters, TierTable } from './clv-charts.js';
import { messages } from './messages.js';
import './clv.css';

/**
 * /clv: the latest CLV fit on profiles (figures, the distribution with the tiers, the tier table, the parameters)
 * and "Fit now" with its options. Before the first fit the API answers 404 model.not_found: the page says so and
 * offers the fit.
 */

const UNITS = ['week', 'day'] as const;

export default function ClvPage() {
  const t = useT(messages);
  const fmt = useFormat();
  const api = useApi();
  const q = useQuery((a) => a.clv(), []);
  const [unit, setUnit] = useState<(typeof UNITS)[number]>('week');
  const [horizon, setHorizon] = useState('12');
  const [discount, setDiscount] = useState('1');
  const [forecast, setForecast] = useState('90');
  const [fit, setFit] = useState<{ busy: boolean; run: ClvRun | null; error: unknown }>({ busy: false, run: null, error: null });
  const outcomeRef = useRef<HTMLDivElement>(null);
  const notFitted = q.error instanceof ApiError && q.error.code === 'model.not_found';
  const run = fit.run ?? q.data;

  // The form starts from the settings of the stored fit, so that "Fit now" refits alike unless they are changed.
  useEffect(() => {
    const stored = q.data;
    if (!stored) return;
    setUnit(stored.unit);
    setHorizon(String(stored.horizonMonths));
    setDiscount(String(Math.round(stored.discountRate * 100 * 1e6) / 1e6));
    setForecast(String(stored.forecastDays));
  }, [q.data]);

  const fitNow = async (e: Event): Promise<void> => {
    e.preventDefault();
    setFit({ busy: true, run: null, error: null });
    const int = (s: string, d: number) => (Number.isFinite(Number.parseInt(s, 10)) ? Number.parseInt(s, 10) : d);
    const rate = Number(discount.replace(',', '.'));
    try {
      const r = await api.fitClv({ unit, horizonMonths: int(horizon, 12), discountRate: Number.isFinite(rate) ? rate / 100 : 0.01, forecastDays: int(forecast, 90) });
      setFit({ busy: false, run: r, error: null });
    } catch (err) {
      setFit({ busy: false, run: null, error: err });
    }
    requestAnimationFrame(() => outcomeRef.current?.focus());
  };

  return (
    <div class="clv">
      <PageHeader
        title={t('title')}
        subtitle={
          run
            ? t('subtitle', {
                at: fmt.dateTime(run.at),
                transactions: fmt.number(run.transactions),
                end: fmt.day(run.calibrationEnd),
                unit: t(`unit_${run.unit}`),
                months: run.horizonMonths,
                rate: fmt.percent(run.discountRate),
              })
            : undefined
        }
      />
      <p class="muted">{t('intro')}</p>
      <Card title={t('fitTitle')}>
        <form class="clv-form" onSubmit={(e) => void fitNow(e)}>
          <div class="field">
            <label for="clv-unit">{t('unit')}</label>
            <select id="clv-unit" value={unit} onChange={(e) => setUnit(UNITS.find((u) => u === e.currentTarget.value) ?? 'week')}>
              {UNITS.map((u) => (
                <option key={u} value={u}>
                  {t(`unit_${u}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="clv-horizon">{t('horizon')}</label>
            <input id="clv-horizon" type="number" min={1} max={1200} required value={horizon} onInput={(e) => setHorizon(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="clv-discount">{t('discount')}</label>
            <input id="clv-discount" type="number" min={0} max={100} step="any" required value={discount} onInput={(e) => setDiscount(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for="clv-forecast">{t('forecast')}</label>
            <input id="clv-forecast" type="number" min={1} max={3650} required value={forecast} onInput={(e) => setForecast(e.currentTarget.value)} />
          </div>
          <button type="submit" class="primary" disabled={fit.busy} aria-describedby="clv-fit-help">
            {fit.busy ? t('fitting') : t('fitNow')}
          </button>
        </form>
        <p id="clv-fit-help" class="muted small-help">
          {t('fitHelp')}
        </p>
      </Card>
      <div ref={outcomeRef} tabIndex={-1} class="run-outcome" aria-live="polite">
        {fit.error ? <ErrorBox error={fit.error} /> : null}
        {fit.run ? (
          <p class="notice ok-notice" role="status" data-testid="clv-fitted">
            {t('fitted', { time: fmt.time(fit.run.at), customers: fmt.number(fit.run.customers), changed: fmt.number(fit.run.changed) })}
          </p>
        ) : null}
      </div>
      {run ? (
        <ClvResult run={run} />
      ) : notFitted ? (
        <p class="notice" data-testid="clv-not-fitted">
          {t('notFitted')}
        </p>
      ) : q.error ? (
        <ErrorBox error={q.error} onRetry={q.reload} />
      ) : (
        <Loading />
      )}
    </div>
  );
}

function ClvResult({ run }: { run: ClvRun }) {
  const t = useT(messages);
  const fmt = useFormat();
  const f = run.figures;
  return (
    <>
      <div class="stats" role="group" aria-label={t('keyFigures')}>
        <Stat testId="clv-customers" label={t('customers')} value={fmt.number(run.customers)} detail={t('customersDetail', { repeat: fmt.number(run.repeatCustomers) })} />
        <Stat testId="clv-total" label={t('totalClv')} value={fmt.number(f.totalClv, 0)} detail={t('totalDetail')} />
        <Stat testId="clv-mean" label={t('meanClv')} value={money(fmt, f.meanClv)} detail={t('meanDetail', { median: money(fmt, f.medianClv) })} />
        <Stat testId="clv-alive" label={t('alive')} value={fmt.percent(f.meanProbabilityAlive)} detail={t('aliveDetail')} />
        <Stat testId="clv-expected" label={t('expected')} value={fmt.number(f.forecastPurchases, 1)} detail={t('expectedDetail', { days: run.forecastDays })} />
      </div>
      <ClvHistogram run={run} />
      <div class="grid clv-grid">
        <TierTable run={run} />
        <Parameters run={run} />
      </div>
    </>
  );
}
