import { useState } from 'preact/hooks';
import type { ImportRunList } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { DataTable } from '../../components/data-table.js';
import { Loaded } from '../../components/feedback.js';
import { Card, PageHeader } from '../../components/ui.js';
import { OffsetPager } from '../../components/pager.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import { fileName, runHref, RunStatus, signed } from './shared.js';
import './imports.css';

const PAGE = 50;
const POLL_MS = 10_000;

/** /imports: every file import run, newest first, with what it read, stored, skipped and refused. */
export default function ImportsPage() {
  const t = useT(messages);
  const [offset, setOffset] = useState(0);
  const q = useQuery((api) => api.imports({ limit: PAGE, offset }), [offset], { pollMs: POLL_MS });
  return (
    <div class="imports">
      <PageHeader
        title={t('title')}
        subtitle={t('subtitle')}
        actions={
          <button type="button" onClick={q.reload}>
            {t('refresh')}
          </button>
        }
      />
      <Card>
        <p class="muted imports-howto">{t('howTo')}</p>
        <Loaded q={q}>{(list) => <RunsTable list={list} offset={offset} setOffset={setOffset} />}</Loaded>
      </Card>
    </div>
  );
}

function RunsTable({ list, offset, setOffset }: { list: ImportRunList; offset: number; setOffset: (o: number) => void }) {
  const t = useT(messages);
  const fmt = useFormat();
  if (list.total === 0) return <p class="muted">{t('noRuns')}</p>;
  return (
    <>
      <div class="toolbar">
        <span class="muted">{t('runsPage', { from: offset + 1, to: offset + list.items.length, total: list.total })}</span>
        <span class="grow" />
        <OffsetPager offset={offset} total={list.total} pageSize={PAGE} onChange={setOffset} />
      </div>
      <DataTable
        caption={t('runsCaption')}
        class="imports-table"
        testId="import-runs"
        columns={[
          { key: 'file', label: t('colFile') },
          { key: 'kind', label: t('colKind') },
          { key: 'status', label: t('colStatus') },
          { key: 'started', label: t('colStarted') },
          { key: 'read', label: t('colRowsRead'), numeric: true },
          { key: 'imported', label: t('colImported'), numeric: true },
          { key: 'duplicates', label: t('colDuplicates'), numeric: true },
          { key: 'rejected', label: t('colRejected'), numeric: true },
          { key: 'delta', label: t('colProfileDelta'), numeric: true },
        ]}
      >
        {list.items.map((r) => (
          <tr key={r.id} data-id={r.id}>
            <th scope="row">
              <a href={runHref(r.id)} aria-label={t('openRun', { file: fileName(r.file), when: fmt.dateTime(r.startedAt) })}>
                {fileName(r.file)}
              </a>
            </th>
            <td>{t(`kind_${r.kind}`)}</td>
            <td>
              <RunStatus status={r.status} />
            </td>
            <td class="nowrap">
              <time dateTime={r.startedAt} title={r.startedAt}>
                {fmt.dateTime(r.startedAt)}
              </time>
            </td>
            <td class="num" data-col="rowsRead">
              {fmt.number(r.rowsRead)}
            </td>
            <td class="num" data-col="imported">
              {fmt.number(r.imported)}
            </td>
            <td class="num" data-col="duplicates">
              {fmt.number(r.duplicates)}
            </td>
            <td class={r.rejected > 0 ? 'num has-rejected' : 'num'} data-col="rejected">
              {fmt.number(r.rejected)}
            </td>
            <td class="num" data-col="profileDelta">
              {signed(fmt, r.profileDelta)}
            </td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}
