import { useState } from 'preact/hooks';
import type { ClusterSpecInput, ClusterSummary } from '../../api/client.js';
import { useApi } from '../../api/session.js';
import { ErrorBox } from '../../components/feedback.js';
import { Card } from '../../components/ui.js';
import { useLocale, useT } from '../../i18n/i18n.js';
import { BUILT_IN_FEATURES, DEFAULT_FEATURES, FEATURE_LABELS, messages } from './messages.js';

/**
 * The form of a new clustering. It shows the options of the chosen method only (k for k-means and agglomerative,
 * linkage for agglomerative, eps and neighbours for DBSCAN) and sends what the server's ClusterSpec reads; the
 * server's own refusals (an unknown feature, too few profiles) come back as an error box.
 */

const METHODS = ['kmeans', 'hierarchical', 'dbscan'] as const;
const LINKAGES = ['ward', 'complete', 'average', 'single'] as const;
const TRANSFORMS = ['none', 'log', 'boxcox', 'yeojohnson'] as const;
const SCALES = ['zscore', 'minmax', 'robust', 'none'] as const;
const POPULATIONS = ['customers', 'seen'] as const;

type Method = (typeof METHODS)[number];

/** A select over fixed values, each shown with its own label. */
export function Choice<V extends string>({
  id,
  label,
  labelOf,
  values,
  value,
  onChange,
}: {
  id: string;
  label: string;
  labelOf: (v: V) => string;
  values: readonly V[];
  value: V;
  onChange: (v: V) => void;
}) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(values.find((v) => v === e.currentTarget.value) ?? value)}>
        {values.map((v) => (
          <option key={v} value={v}>
            {labelOf(v)}
          </option>
        ))}
      </select>
    </div>
  );
}

const int = (s: string, fallback: number): number => (Number.isFinite(Number.parseInt(s, 10)) ? Number.parseInt(s, 10) : fallback);

export function ClusterForm({ onDone }: { onDone: (run: ClusterSummary) => void }) {
  const t = useT(messages);
  const { locale } = useLocale();
  const api = useApi();
  const [name, setName] = useState('clusters');
  const [features, setFeatures] = useState<Set<string>>(new Set(DEFAULT_FEATURES));
  const [other, setOther] = useState('');
  const [population, setPopulation] = useState<(typeof POPULATIONS)[number]>('customers');
  const [method, setMethod] = useState<Method>('kmeans');
  const [kAuto, setKAuto] = useState(true);
  const [k, setK] = useState('4');
  const [kMax, setKMax] = useState('10');
  const [linkage, setLinkage] = useState<(typeof LINKAGES)[number]>('ward');
  const [eps, setEps] = useState('');
  const [minSamples, setMinSamples] = useState('5');
  const [transform, setTransform] = useState<(typeof TRANSFORMS)[number]>('none');
  const [scale, setScale] = useState<(typeof SCALES)[number]>('zscore');
  const [seed, setSeed] = useState('0');
  const [state, setState] = useState<{ busy: boolean; error: unknown }>({ busy: false, error: null });

  const extra = other
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const chosen = [...BUILT_IN_FEATURES.filter((f) => features.has(f)), ...extra];

  const toggle = (f: string, on: boolean): void =>
    setFeatures((prev) => {
      const next = new Set(prev);
      if (on) next.add(f);
      else next.delete(f);
      return next;
    });

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const spec: ClusterSpecInput = { name: name.trim(), features: chosen, population, method, transform, scale, seed: int(seed, 0) };
    if (method !== 'dbscan') {
      spec.k = kAuto ? 'auto' : int(k, 4);
      spec.kMax = int(kMax, 10);
    }
    if (method === 'hierarchical') spec.linkage = linkage;
    if (method === 'dbscan') {
      const e = Number(eps.replace(',', '.'));
      spec.eps = eps.trim() === '' || !(e > 0) ? 'auto' : e;
      spec.minSamples = int(minSamples, 5);
    }
    setState({ busy: true, error: null });
    try {
      const run = await api.runClustering(spec);
      setState({ busy: false, error: null });
      onDone(run);
    } catch (err) {
      setState({ busy: false, error: err });
    }
  };

  return (
    <Card title={t('formTitle')} class="cluster-form">
      <form onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="cl-name">{t('name')}</label>
          <input id="cl-name" type="text" required pattern="[a-z][a-z0-9_]{0,40}" value={name} aria-describedby="cl-name-help" onInput={(e) => setName(e.currentTarget.value)} />
          <small id="cl-name-help" class="muted">
            {t('nameHelp')}
          </small>
        </div>
        <fieldset class="feature-set" aria-describedby="cl-features-help">
          <legend>{t('features')}</legend>
          <p id="cl-features-help" class="muted small-help">
            {t('featuresHelp')}
          </p>
          <div class="feature-grid">
            {BUILT_IN_FEATURES.map((f) => (
              <label class="check" key={f}>
                <input type="checkbox" name="feature" value={f} checked={features.has(f)} onChange={(e) => toggle(f, e.currentTarget.checked)} />
                <span>{FEATURE_LABELS[locale][f]}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div class="field">
          <label for="cl-other">{t('otherFeatures')}</label>
          <input id="cl-other" type="text" value={other} aria-describedby="cl-other-help" onInput={(e) => setOther(e.currentTarget.value)} />
          <small id="cl-other-help" class="muted">
            {t('otherFeaturesHelp')}
          </small>
        </div>
        <div class="form-row">
          <Choice id="cl-population" label={t('population')} labelOf={(v) => t(`population_${v}`)} values={POPULATIONS} value={population} onChange={setPopulation} />
          <Choice id="cl-method" label={t('method')} labelOf={(v) => t(`method_${v}`)} values={METHODS} value={method} onChange={setMethod} />
        </div>
        {method === 'dbscan' ? (
          <div class="form-row">
            <div class="field">
              <label for="cl-eps">{t('eps')}</label>
              <input id="cl-eps" type="text" inputMode="decimal" value={eps} aria-describedby="cl-eps-help" onInput={(e) => setEps(e.currentTarget.value)} />
              <small id="cl-eps-help" class="muted">
                {t('epsHelp')}
              </small>
            </div>
            <div class="field">
              <label for="cl-min">{t('minSamples')}</label>
              <input id="cl-min" type="number" min={1} max={1000} value={minSamples} onInput={(e) => setMinSamples(e.currentTarget.value)} />
            </div>
          </div>
        ) : (
          <fieldset class="k-choice">
            <legend>{t('kLegend')}</legend>
            <label class="check">
              <input type="radio" name="k-mode" checked={kAuto} onChange={() => setKAuto(true)} />
              <span>{t('kAuto')}</span>
            </label>
            <label class="check">
              <input type="radio" name="k-mode" checked={!kAuto} onChange={() => setKAuto(false)} />
              <span>{t('kFixed')}</span>
            </label>
            <div class="form-row">
              {kAuto ? (
                <div class="field">
                  <label for="cl-kmax">{t('kMax')}</label>
                  <input id="cl-kmax" type="number" min={2} max={30} value={kMax} onInput={(e) => setKMax(e.currentTarget.value)} />
                </div>
              ) : (
                <div class="field">
                  <label for="cl-k">{t('kValue')}</label>
                  <input id="cl-k" type="number" min={1} max={50} value={k} onInput={(e) => setK(e.currentTarget.value)} />
                </div>
              )}
              {method === 'hierarchical' ? <Choice id="cl-linkage" label={t('linkage')} labelOf={(v) => t(`linkage_${v}`)} values={LINKAGES} value={linkage} onChange={setLinkage} /> : null}
            </div>
          </fieldset>
        )}
        <div class="form-row">
          <Choice id="cl-transform" label={t('transform')} labelOf={(v) => t(`transform_${v}`)} values={TRANSFORMS} value={transform} onChange={setTransform} />
          <Choice id="cl-scale" label={t('scale')} labelOf={(v) => t(`scale_${v}`)} values={SCALES} value={scale} onChange={setScale} />
          <div class="field">
            <label for="cl-seed">{t('seed')}</label>
            <input id="cl-seed" type="number" min={0} value={seed} aria-describedby="cl-seed-help" onInput={(e) => setSeed(e.currentTarget.value)} />
          </div>
        </div>
        <p id="cl-seed-help" class="muted small-help">
          {t('seedHelp')}
        </p>
        {state.error ? <ErrorBox error={state.error} /> : null}
        <button type="submit" class="primary" disabled={state.busy || chosen.length === 0}>
          {state.busy ? t('running') : t('run')}
        </button>
        {chosen.length === 0 ? <span class="muted"> {t('needFeature')}</span> : null}
      </form>
    </Card>
  );
}
