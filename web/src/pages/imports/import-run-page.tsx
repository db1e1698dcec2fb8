import * as Plot from '@observablehq/plot';
import { Fragment } from 'preact';
import { useRoute } from 'preact-iso';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { ImportRun } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { Chart } from '../../components/chart.js';
import { DataTable, DetailsRow, DetailsToggle, useOpenRows, type Column } from '../../components/data-table.js';
import { Loaded } from '../../components/feedback.js';
import { Card, PageHeader, Stat } from '../../components/ui.js';
import { OffsetPager } from '../../components/pager.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import { rejectedRow } from './rejected-rows.js';
import { fileName, RunStatus, signed } from './shared.js';
import './imports.css';

const PAGE = 25;
const RUNNING_POLL_MS = 3_000;

/** /imports/:id: one import run, its figures, its refused rows by code, and the refused rows themselves. */
export default function ImportRunPage() {
  const { params } = useRoute();
  const id = params.id ?? '';
  const t = useT(messages);
  const [running, setRunning] = useState(false);
  // A running import is read again every few seconds until it is done.
  const q = useQuery((api) => api.importRun(id), [id], { pollMs: running ? RUNNING_POLL_MS : undefined });
  const status = q.data?.status;
  useEffect(() => setRunning(status === 'running'), [status]);
  const back = <a href="/imports">{t('allImports')}</a>;
  if (!q.data || q.error) {
    return (
      <div class="imports">
        <PageHeader title={t('title')} actions={back} />
        <Loaded q={q}>{() => null}</Loaded>
      </div>
    );
  }
  const run = q.data;
  return (
    <div class="imports">
      <PageHeader title={t('runTitle', { file: fileName(run.file) })} subtitle={t('runSubtitle', { id: run.id })} actions={back} />
      <RunSummary run={run} />
      <div class="grid grid-2 import-detail">
        <ByCode run={run} />
        <Card title={t('summaryTitle')}>
          <RunFacts run={run} />
        </Card>
      </div>
      {/* Keyed by the number of refused rows: a running import's new rows start the list afresh. */}
      <RejectedRows key={`${run.id}:${run.rejected}`} run={run} />
    </div>
  );
}

function RunSummary({ run }: { run: ImportRun }) {
  const t = useT(messages);
  const fmt = useFormat();
  return (
    <section aria-labelledby="run-figures">
      <h2 id="run-figures" class="visually-hidden">
        {t('summaryTitle')}
      </h2>
      {run.status === 'running' ? (
        <p class="notice" role="status">
          {t('runningNotice')}
        </p>
      ) : null}
      {run.status === 'failed' ? (
        <div class="error-box" role="alert">
          <strong>{t('failedTitle')}</strong>
          <p>{run.error}</p>
        </div>
      ) : null}
      <div class="stats">
        <Stat testId="run-rowsRead" label={t('rowsRead')} value={fmt.number(run.rowsRead)} />
        <Stat testId="run-imported" label={t('imported')} value={fmt.number(run.imported)} detail={t('importedDetail')} />
        <Stat testId="run-duplicates" label={t('duplicates')} value={fmt.number(run.duplicates)} detail={t('duplicatesDetail')} />
        <Stat testId="run-rejected" label={t('rejected')} value={fmt.number(run.rejected)} detail={t('rejectedDetail')} />
        <Stat testId="run-profileDelta" label={t('profileDelta')} value={signed(fmt, run.profileDelta)} detail={t('profileDeltaDetail')} />
      </div>
    </section>
  );
}

function RunFacts({ run }: { run: ImportRun }) {
  const t = useT(messages);
  const fmt = useFormat();
  const seconds = run.finishedAt ? (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000 : null;
  const format = t('formatValue', { format: run.format.toUpperCase(), encoding: run.encoding });
  return (
    <dl class="run-facts">
      <div>
        <dt>{t('filePath')}</dt>
        <dd class="mono break">{run.file}</dd>
      </div>
      <div>
        <dt>{t('colKind')}</dt>
        <dd>{t(`kind_${run.kind}`)}</dd>
      </div>
      <div>
        <dt>{t('colStatus')}</dt>
        <dd>
          <RunStatus status={run.status} />
        </dd>
      </div>
      <div>
        <dt>{t('source')}</dt>
        <dd class="mono">{run.sourceId}</dd>
      </div>
      <div>
        <dt>{t('format')}</dt>
        <dd>{run.delimiter ? `${format}, ${t('delimiter', { delimiter: run.delimiter === '\t' ? 'TAB' : run.delimiter })}` : format}</dd>
      </div>
      <div>
        <dt>{t('started')}</dt>
        <dd>
          <time dateTime={run.startedAt}>{fmt.dateTime(run.startedAt)}</time>
        </dd>
      </div>
      <div>
        <dt>{t('finished')}</dt>
        <dd>{run.finishedAt ? <time dateTime={run.finishedAt}>{fmt.dateTime(run.finishedAt)}</time> : <span class="muted">{t('notFinished')}</span>}</dd>
      </div>
      {seconds !== null ? (
        <div>
          <dt>{t('duration')}</dt>
          <dd>{t('seconds', { seconds: fmt.number(seconds, 2) })}</dd>
        </div>
      ) : null}
    </dl>
  );
}

const MIN_CHART_WIDTH = 200;

function ByCode({ run }: { run: ImportRun }) {
  const t = useT(messages);
  const fmt = useFormat();
  const data = useMemo(
    () => Object.entries(run.rejectedByCode).map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    [run.rejectedByCode],
  );
  const longest = data.reduce((m, d) => Math.max(m, d.code.length), 0);
  const plot = useCallback(
    (width: number): Plot.PlotOptions => {
      if (width < MIN_CHART_WIDTH) return { marks: [] };
      return {
        marginLeft: Math.min(Math.round(width / 2), Math.max(80, Math.round(longest * 6.8) + 12)),
        marginRight: 40,
        x: { label: null, grid: true, tickFormat: (n: number) => (Number.isInteger(n) ? fmt.number(n) : '') },
        y: { label: null, domain: data.map((d) => d.code) },
        marks: [
          Plot.barX(data, { x: 'count', y: 'code', fill: 'var(--bad)' }),
          Plot.text(data, { x: 'count', y: 'code', text: (d: { count: number }) => fmt.number(d.count), dx: 4, textAnchor: 'start', fill: 'currentColor' }),
          Plot.ruleX([0]),
        ],
      };
    },
    [data, fmt, longest],
  );
  return (
    <Card title={t('byCodeTitle')}>
      {data.length === 0 ? (
        <p class="muted">{t('noneRejected')}</p>
      ) : (
        <Chart
          testId="rejected-by-code"
          plot={plot}
          label={t('byCodeLabel')}
          height={Math.max(90, 32 * data.length + 40)}
          table={{ caption: t('byCodeCaption'), columns: [t('colCode'), t('colRows')], rows: data.map((d) => [d.code, d.count]) }}
        />
      )}
    </Card>
  );
}

function RejectedRows({ run }: { run: ImportRun }) {
  const t = useT(messages);
  const [offset, setOffset] = useState(0);
  const q = useQuery((api) => api.importRejected(run.id, { limit: PAGE, offset }), [run.id, offset]);
  const open = useOpenRows();
  if (run.rejected === 0) return null;
  const columns: Column[] = [
    { key: 'row', label: t('colRow'), numeric: true },
    { key: 'line', label: t('colLine'), numeric: true },
    { key: 'column', label: t('colColumn') },
    { key: 'value', label: t('colValue') },
    { key: 'code', label: t('colCode') },
    { key: 'message', label: t('colMessage') },
    { key: 'record', label: t('colRecord') },
  ];
  return (
    <section class="card" aria-labelledby="rejected-title">
      <div class="card-head">
        <h2 id="rejected-title">{t('rejectedTitle')}</h2>
      </div>
      <p class="muted card-intro">{t('rejectedIntro')}</p>
      <Loaded q={q}>
        {(page) => {
          // In file order within the page (the quarantine keeps them in the order they were refused).
          const rows = page.items.map(rejectedRow).sort((x, y) => (x.line ?? Infinity) - (y.line ?? Infinity));
          const elsewhere = run.rejected - page.total;
          return (
            <>
              {elsewhere > 0 ? <p class="muted">{t.plural('alreadyKept', elsewhere)}</p> : null}
              {page.total === 0 ? (
                <p class="muted">{t('noRejectedKept')}</p>
              ) : (
                <>
                  <div class="toolbar">
                    <span class="muted" data-testid="rejected-range">
                      {t('rejectedPage', { from: offset + 1, to: offset + page.items.length, total: page.total })}
                    </span>
                    <span class="grow" />
                    <OffsetPager offset={offset} total={page.total} pageSize={PAGE} onChange={setOffset} />
                  </div>
                  <DataTable caption={t('rejectedCaption')} class="rejected-table" testId="rejected-rows" columns={columns} busy={q.loading}>
                    {rows.map((r) => {
                      const detailId = `rec-${r.id.replace(/[^\w-]/g, '_')}`;
                      const isOpen = open.isOpen(r.id);
                      const rowLabel = r.row === null ? '—' : String(r.row);
                      return (
                        <Fragment key={r.id}>
                          {r.problems.map((p, i) => (
                            <tr key={i} data-id={r.id} data-row={r.row ?? ''} class={i > 0 ? 'more-problem' : undefined}>
                              <td class="num">{r.row ?? '—'}</td>
                              <td class="num">{r.line ?? '—'}</td>
                              <td>{p.column === null ? <span class="muted">{t('noColumn')}</span> : <code>{p.column}</code>}</td>
                              <td class="cell-value">{p.value === null ? <span class="muted">—</span> : p.value === '' ? <span class="muted">{t('emptyValue')}</span> : <code>{p.value}</code>}</td>
                              <td>
                                <code class="code-bad">{p.code}</code>
                              </td>
                              <td class="cell-message">{p.message}</td>
                              <td>
                                {i === 0 && Object.keys(r.record).length > 0 ? (
                                  <DetailsToggle
                                    open={isOpen}
                                    controls={detailId}
                                    show={t('showRecord')}
                                    hide={t('hideRecord')}
                                    label={(action) => t('recordToggle', { action, row: rowLabel })}
                                    onToggle={() => open.toggle(r.id)}
                                  />
                                ) : null}
                              </td>
                            </tr>
                          ))}
                          <DetailsRow open={isOpen} id={detailId} class="record-row" colSpan={columns.length}>
                            <h3 class="record-title">{t('recordOf', { row: rowLabel, line: r.line === null ? '—' : String(r.line) })}</h3>
                            <dl class="record-cells">
                              {Object.entries(r.record).map(([k, v]) => (
                                <div key={k} class={r.problems.some((p) => p.column === k) ? 'is-bad' : undefined}>
                                  <dt>{k}</dt>
                                  <dd>{v === '' ? <span class="muted">{t('emptyValue')}</span> : v}</dd>
                                </div>
                              ))}
                            </dl>
                          </DetailsRow>
                        </Fragment>
                      );
                    })}
                  </DataTable>
                </>
              )}
            </>
          );
        }}
      </Loaded>
    </section>
  );
}
