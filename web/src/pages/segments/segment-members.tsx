import { useEffect, useState } from 'preact/hooks';
import type { Segment } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { useApi } from '../../api/session.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox, Loaded } from '../../components/feedback.js';
import { common } from '../../i18n/common.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import { fileSafe } from './shared.js';

const PAGE_SIZES = [25, 50, 100, 250];

/**
 * The members of a segment, a page at a time. The API pages by cursor (the last profile id of a page), so "previous"
 * is a stack of the cursors that led here. A search (the `q` parameter) or a new page size starts again at page 1.
 */
export function SegmentMembers({ segment, onPage }: { segment: Segment; onPage?: (ids: string[]) => void }) {
  const t = useT(messages);
  const tc = useT(common);
  const f = useFormat();
  const api = useApi();
  const [draft, setDraft] = useState('');
  const [search, setSearch] = useState('');
  const [limit, setLimit] = useState(25);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const q = useQuery((a) => a.members(segment.id, { cursor, limit, q: search || undefined }), [segment.id, cursor, limit, search]);
  const [csv, setCsv] = useState<{ busy: boolean; error: unknown; done: string | null }>({ busy: false, error: null, done: null });

  useEffect(() => {
    if (q.data && onPage) onPage(q.data.items.map((m) => m.profileId));
  }, [q.data, onPage]);

  const restart = () => setCursors([null]);

  const submit = (e: Event) => {
    e.preventDefault();
    setSearch(draft.trim());
    restart();
  };

  const exportCsv = async () => {
    setCsv({ busy: true, error: null, done: null });
    try {
      // The key travels in a header, so a plain link cannot download it: fetch, then hand the Blob to an <a download>.
      // With a search in force, the file holds the members it finds, as the table does.
      const blob = await api.membersCsv(segment.id, search || undefined);
      const file = `segment-${fileSafe(segment.name)}-members.csv`;
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = file;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      setCsv({ busy: false, error: null, done: file });
    } catch (e) {
      setCsv({ busy: false, error: e, done: null });
    }
  };

  return (
    <section class="card" aria-labelledby="members-title">
      <div class="card-head">
        <h2 id="members-title">{t('members')}</h2>
        <div class="actions">
          <button type="button" onClick={exportCsv} disabled={csv.busy}>
            <span aria-hidden="true">⤓</span> {csv.busy ? t('exporting') : t('exportCsv')}
          </button>
        </div>
      </div>
      {csv.error ? <ErrorBox error={csv.error} /> : null}
      {csv.done ? (
        <p class="muted status-line" role="status">
          {t('exported', { file: csv.done })}
        </p>
      ) : null}
      <div class="toolbar">
        <form class="toolbar grow" role="search" onSubmit={submit} style={{ marginBottom: 0 }}>
          <label class="field inline grow">
            <span>{t('search')}</span>
            <input type="search" value={draft} placeholder={t('searchPlaceholder')} onInput={(e) => setDraft(e.currentTarget.value)} />
          </label>
          <button type="submit">{t('searchButton')}</button>
          {search ? (
            <button
              type="button"
              class="link-button"
              onClick={() => {
                setDraft('');
                setSearch('');
                restart();
              }}
            >
              {t('clearSearch')}
            </button>
          ) : null}
        </form>
        <label class="field inline">
          <span>{t('pageSize')}</span>
          <select
            value={String(limit)}
            onChange={(e) => {
              setLimit(Number(e.currentTarget.value));
              restart();
            }}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={String(n)}>
                {f.number(n)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Loaded q={q}>
        {(page) => (
          <DataTable
            caption={t('membersCaption')}
            empty={search ? t('noMembersMatch', { q: search }) : t('noMembers')}
            class="members-table"
            busy={q.loading}
            columns={[
              { key: 'profile', label: t('profile') },
              { key: 'userId', label: t('userId') },
              { key: 'since', label: t('since') },
              { key: 'why', label: t('why'), hiddenLabel: true },
            ]}
          >
            {page.items.map((m) => (
              <tr key={m.profileId} data-profile={m.profileId}>
                <td class="mono">
                  <a href={`/profiles/${encodeURIComponent(m.profileId)}`}>{m.profileId}</a>
                </td>
                <td>{m.userId ? <span class="mono">{m.userId}</span> : <span class="muted">{t('noUserId')}</span>}</td>
                <td>{f.dateTime(m.since)}</td>
                <td>
                  <a href={`/segments/${encodeURIComponent(segment.id)}/explain/${encodeURIComponent(m.profileId)}`} aria-label={t('whyLabel', { id: m.profileId })}>
                    {t('why')}
                  </a>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Loaded>
      <nav class="pager" aria-label={t('members')}>
        <button type="button" disabled={cursors.length <= 1 || q.loading} onClick={() => setCursors((c) => c.slice(0, -1))}>
          <span aria-hidden="true">←</span> {tc('previous')}
        </button>
        <span class="muted" aria-live="polite">
          {t('page', { n: cursors.length })}
        </span>
        <button
          type="button"
          disabled={!q.data?.nextCursor || q.loading}
          onClick={() => {
            const next = q.data?.nextCursor;
            if (next) setCursors((c) => [...c, next]);
          }}
        >
          {tc('next')} <span aria-hidden="true">→</span>
        </button>
      </nav>
    </section>
  );
}
