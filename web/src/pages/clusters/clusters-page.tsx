import { useLocation } from 'preact-iso';
import { useRef, useState } from 'preact/hooks';
import type { ClusterSummary } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { DataTable } from '../../components/data-table.js';
import { Loaded } from '../../components/feedback.js';
import { Badge, Card, PageHeader, Stat } from '../../components/ui.js';
import { useFormat, useLocale, useT } from '../../i18n/i18n.js';
import { ElbowChart, ProjectionChart, SilhouetteChart } from './cluster-charts.js';
import { ClusterForm } from './cluster-form.js';
import { DendrogramChart } from './dendrogram.js';
import { FEATURE_LABELS, isBuiltIn, messages } from './messages.js';
import { PersonaCards } from './persona-cards.js';
import './clusters.css';

/**
 * /clusters: the clustering studio. The form runs a clustering (stored as a new version under its name); the stored
 * ones are listed to reopen. The clustering shown is the one in the address (?name=, and ?version= after a run), so
 * a result can be linked to and survives a reload.
 */
export default function ClustersPage() {
  const t = useT(messages);
  const fmt = useFormat();
  const { query, route } = useLocation();
  const name = query.name ?? '';
  const version = query.version && /^\d+$/.test(query.version) ? Number(query.version) : undefined;
  const list = useQuery((a) => a.clusterings(), []);
  const shown = useQuery((a) => a.clustering(name, version), [name, version], { enabled: name !== '' });
  const [ran, setRan] = useState<ClusterSummary | null>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);

  const onDone = (run: ClusterSummary): void => {
    setRan(run);
    list.reload();
    route(`/clusters?name=${encodeURIComponent(run.name)}&version=${run.version}`);
    requestAnimationFrame(() => outcomeRef.current?.focus());
  };

  return (
    <div class="clusters">
      <PageHeader title={t('title')} subtitle={t('subtitle')} />
      <div class="grid grid-2 clusters-top">
        <ClusterForm onDone={onDone} />
        <Card title={t('storedTitle')}>
          <Loaded q={list}>{(l) => <StoredList items={l.items} current={shown.data ?? null} />}</Loaded>
        </Card>
      </div>
      <div ref={outcomeRef} tabIndex={-1} class="run-outcome" aria-live="polite">
        {ran ? (
          <p class="notice ok-notice" role="status" data-testid="cluster-ran">
            {t('ran', { name: ran.name, version: ran.version, k: ran.k, rows: fmt.number(ran.rows) })}
          </p>
        ) : null}
      </div>
      {name !== '' ? <Loaded q={shown}>{(run) => <ClusterResult key={`${run.name}:${run.version}`} run={run} />}</Loaded> : null}
    </div>
  );
}

function StoredList({ items, current }: { items: ClusterSummary[]; current: ClusterSummary | null }) {
  const t = useT(messages);
  const fmt = useFormat();
  return (
    <DataTable
      caption={t('storedCaption')}
      testId="stored-clusterings"
      empty={t('noStored')}
      columns={[
        { key: 'name', label: t('colName') },
        { key: 'version', label: t('colVersion'), numeric: true },
        { key: 'method', label: t('colMethod') },
        { key: 'k', label: t('colK'), numeric: true },
        { key: 'rows', label: t('colRows'), numeric: true },
        { key: 'at', label: t('colAt') },
      ]}
    >
      {items.map((c) => (
        <tr key={c.name} data-name={c.name}>
          <th scope="row">
            {/* The name opens the latest version; the one shown is marked instead. */}
            {current?.name === c.name ? (
              <>
                <code>{c.name}</code> <Badge tone="good">{t('showing')}</Badge>
              </>
            ) : (
              <a href={`/clusters?name=${encodeURIComponent(c.name)}`} aria-label={t('openLabel', { name: c.name })}>
                <code>{c.name}</code>
              </a>
            )}
          </th>
          <td class="num">{c.version}</td>
          <td>{t(`method_${c.method}`)}</td>
          <td class="num">{fmt.number(c.k)}</td>
          <td class="num">{fmt.number(c.rows)}</td>
          <td>{fmt.dateTime(c.at)}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function ClusterResult({ run }: { run: ClusterSummary }) {
  const t = useT(messages);
  const fmt = useFormat();
  const { locale } = useLocale();
  const featureName = (f: string): string => (isBuiltIn(f) ? FEATURE_LABELS[locale][f] : f);
  const num = (v: number | null | undefined, digits: number): string => (v === null || v === undefined ? t('noValue') : fmt.number(v, digits));
  const kDetail = run.noiseRows !== null ? t('kDetailNoise', { noise: fmt.number(run.noiseRows) }) : run.knee !== null ? t('kDetailKnee') : undefined;
  return (
    <section class="cluster-result" aria-labelledby="cluster-result-title" data-testid="cluster-result" data-name={run.name} data-version={run.version}>
      <h2 id="cluster-result-title" class="result-title">
        {t('resultTitle', { name: run.name, version: run.version })}
      </h2>
      <p class="muted">
        {t('resultSubtitle', { method: t(`method_${run.method}`), features: run.features.map(featureName).join(', '), at: fmt.dateTime(run.at), seconds: fmt.number(run.seconds, 2) })}
      </p>
      <div class="stats" role="group" aria-label={t('keyFigures')}>
        <Stat testId="c-rows" label={t('rows')} value={fmt.number(run.rows)} detail={run.leftOut > 0 ? t('leftOutDetail', { leftOut: fmt.number(run.leftOut) }) : t('rowsDetail')} />
        <Stat testId="c-k" label={t('k')} value={fmt.number(run.k)} detail={kDetail} />
        <Stat testId="c-silhouette" label={t('silhouette')} value={num(run.silhouette?.score, 3)} detail={t('silhouetteDetail')} />
        <Stat testId="c-ch" label={t('calinski')} value={num(run.calinskiHarabasz, 1)} detail={t('calinskiDetail')} />
        <Stat testId="c-db" label={t('davies')} value={num(run.daviesBouldin, 3)} detail={t('daviesDetail')} />
      </div>
      <div class="grid grid-2">
        {run.method === 'kmeans' ? <ElbowChart run={run} /> : null}
        <SilhouetteChart run={run} />
        {/* k-means has two small charts before the map: the map then takes a whole row; the dendrogram always does. */}
        <ProjectionChart run={run} wide={run.method === 'kmeans'} />
        {run.dendrogram ? <DendrogramChart run={run} /> : null}
      </div>
      <PersonaCards run={run} />
    </section>
  );
}
