import { Fragment } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import type { QuarantineItem, ReplayResult } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { useApi } from '../../api/session.js';
import { DataTable, DetailsRow, DetailsToggle, useOpenRows, type Column } from '../../components/data-table.js';
import { ErrorBox, Loaded } from '../../components/feedback.js';
import { Badge, Datalist } from '../../components/ui.js';
import { OffsetPager } from '../../components/pager.js';
import { useFormat, useT, type Translate } from '../../i18n/i18n.js';
import { messages } from './messages.js';

const PAGE = 50;
const POLL_MS = 5_000;

/** Codes a quarantined row can carry (docs/errors.md), offered as suggestions in the code filter. */
const KNOWN_CODES = [
  'event.invalid',
  'event.invalid_timestamp',
  'event.missing_identity',
  'event.blocked_identity',
  'event.unknown_type',
  'event.too_large',
  'event.too_deep',
  'event.too_many_keys',
  'event.forbidden_key',
  'event.message_id_too_long',
  'request.malformed_json',
  'request.invalid',
  'request.too_many_events',
  'request.body_too_large',
];

type Status = 'pending' | 'replayed';
type T = Translate<keyof typeof messages.en>;
type Draft = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** The text of the correction box checked before anything is sent: valid JSON, and an object. */
function parseDraft(text: string, t: T): Draft {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { ok: false, message: t('jsonInvalid', { message: e instanceof Error ? e.message : String(e) }) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: t('jsonNotObject') };
  return { ok: true, value: value as Record<string, unknown> };
}

/** The raw body pretty-printed when it is JSON (easier to correct), as received otherwise. */
function initialDraft(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

const domId = (id: string): string => id.replace(/[^\w-]/g, '_');

/**
 * The quarantine: refused events with why and where, their raw body, and replay (as they are, all shown at once, or
 * one with a corrected event). The answer of a replay is shown per row, then the list is read again.
 */
export function QuarantineSection() {
  const api = useApi();
  const t = useT(messages);
  const fmt = useFormat();
  const [status, setStatus] = useState<Status>('pending');
  const [codeInput, setCodeInput] = useState('');
  const [code, setCode] = useState('');
  const [offset, setOffset] = useState(0);
  const q = useQuery((a) => a.quarantine({ status, code: code || undefined, limit: PAGE, offset }), [status, code, offset], { pollMs: POLL_MS });
  const [result, setResult] = useState<ReplayResult | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const raw = useOpenRows();
  const [drafts, setDrafts] = useState<Record<string, string>>({});

  const codes = useMemo(() => [...new Set([...KNOWN_CODES, ...(q.data?.items.map((i) => i.code) ?? [])])].sort(), [q.data]);

  const run = async (key: string, fn: () => Promise<ReplayResult>, after?: (r: ReplayResult) => void): Promise<void> => {
    setBusy(key);
    setActionError(null);
    try {
      const r = await fn();
      setResult(r);
      after?.(r);
      q.reload();
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(null);
    }
  };

  const toggle = (item: QuarantineItem): void => {
    raw.toggle(item.id);
    setDrafts((d) => (item.id in d ? d : { ...d, [item.id]: initialDraft(item.raw) }));
  };

  const changeStatus = (s: Status): void => {
    setStatus(s);
    setOffset(0);
  };

  const applyCode = (e: Event): void => {
    e.preventDefault();
    setCode(codeInput.trim());
    setOffset(0);
  };

  const columns: Column[] = [
    { key: 'received', label: t('qReceived') },
    { key: 'code', label: t('qCode') },
    { key: 'message', label: t('qMessage') },
    { key: 'path', label: t('qPath') },
    { key: 'raw', label: t('qRaw') },
    { key: 'actions', label: t('qActions') },
  ];

  return (
    <section id="quarantine" class="card live-quarantine" aria-labelledby="quarantine-title" tabIndex={-1}>
      <div class="card-head">
        <h2 id="quarantine-title">{t('quarantineTitle')}</h2>
        <div class="actions">
          <button type="button" onClick={q.reload}>
            {t('refresh')}
          </button>
        </div>
      </div>
      <p class="muted">{t('quarantineIntro')}</p>
      <div class="toolbar">
        <div class="field inline">
          <label for="quarantine-status">{t('status')}</label>
          <select id="quarantine-status" value={status} onChange={(e) => changeStatus(e.currentTarget.value as Status)}>
            <option value="pending">{t('status_pending')}</option>
            <option value="replayed">{t('status_replayed')}</option>
          </select>
        </div>
        <form class="toolbar-form" onSubmit={applyCode} role="search" aria-label={t('codeFilter')}>
          <label class="field inline">
            <span>{t('code')}</span>
            <input type="text" list="quarantine-codes" value={codeInput} placeholder={t('allCodes')} onInput={(e) => setCodeInput(e.currentTarget.value)} spellcheck={false} />
          </label>
          <Datalist id="quarantine-codes" values={codes} />
          <button type="submit">{t('applyFilter')}</button>
          {code ? (
            <button
              type="button"
              class="link-button"
              onClick={() => {
                setCode('');
                setCodeInput('');
                setOffset(0);
              }}
            >
              {t('clearFilter')}
            </button>
          ) : null}
        </form>
      </div>

      <div aria-live="polite">{result ? <ReplayReport result={result} t={t} onClose={() => setResult(null)} /> : null}</div>
      {actionError ? <ErrorBox error={actionError} /> : null}

      <Loaded q={q}>
        {(page) => {
          const pending = page.items.filter((i) => i.status === 'pending');
          if (page.items.length === 0) {
            return <p class="muted">{code ? t('qEmptyFiltered', { code }) : status === 'pending' ? t('qEmptyPending') : t('qEmptyReplayed')}</p>;
          }
          return (
            <>
              <div class="toolbar">
                <span class="muted">{t('page', { from: offset + 1, to: offset + page.items.length, total: page.total })}</span>
                {pending.length > 0 ? (
                  <button
                    type="button"
                    class="primary"
                    disabled={busy !== null}
                    onClick={() => void run('all', () => api.replay(pending.map((i) => i.id)))}
                  >
                    {busy === 'all' ? t('replaying') : t.plural('replayAll', pending.length)}
                  </button>
                ) : null}
                <span class="grow" />
                <OffsetPager offset={offset} total={page.total} pageSize={PAGE} onChange={setOffset} always />
              </div>
              <DataTable caption={t('qCaption')} class="live-qtable" testId="quarantine-table" columns={columns}>
                {page.items.map((item) => {
                  const isOpen = raw.isOpen(item.id);
                  const detailId = `q-${domId(item.id)}`;
                  const outcome = result?.results.find((r) => r.id === item.id);
                  return (
                    <Fragment key={item.id}>
                      <tr data-id={item.id}>
                        <td class="nowrap">
                          <time dateTime={item.receivedAt}>{fmt.dateTime(item.receivedAt)}</time>
                        </td>
                        <td>
                          <Badge tone={item.status === 'pending' ? 'bad' : 'neutral'}>{item.code}</Badge>
                        </td>
                        <td class="q-message">{item.message}</td>
                        <td>{item.path ? <code>{item.path}</code> : <span class="muted">—</span>}</td>
                        <td>
                          <DetailsToggle
                            open={isOpen}
                            controls={detailId}
                            show={t('showRaw')}
                            hide={t('hideRaw')}
                            label={(action) => t('rawToggleAria', { action, id: item.id })}
                            onToggle={() => toggle(item)}
                          />
                        </td>
                        <td class="nowrap">
                          {item.status === 'pending' ? (
                            <button
                              type="button"
                              class="small"
                              disabled={busy !== null}
                              aria-label={t('replayAria', { id: item.id })}
                              onClick={() => void run(item.id, () => api.replayOne(item.id))}
                            >
                              {busy === item.id ? t('replaying') : t('replay')}
                            </button>
                          ) : (
                            <Badge tone="good">{t.plural('replayedTimes', item.replayCount)}</Badge>
                          )}
                          {outcome ? (
                            <div class="q-outcome">
                              <OutcomeBadge outcome={outcome.outcome} t={t} />
                            </div>
                          ) : null}
                        </td>
                      </tr>
                      <DetailsRow open={isOpen} id={detailId} class="q-detail-row" colSpan={columns.length}>
                        <QuarantineDetail
                          item={item}
                          draft={drafts[item.id] ?? initialDraft(item.raw)}
                          setDraft={(text) => setDrafts((d) => ({ ...d, [item.id]: text }))}
                          busy={busy}
                          t={t}
                          onReplay={(event) =>
                            void run(`edit:${item.id}`, () => api.replayOne(item.id, event), (r) => {
                              if (r.results.some((x) => x.id === item.id && x.outcome !== 'rejected')) raw.close(item.id);
                            })
                          }
                        />
                      </DetailsRow>
                    </Fragment>
                  );
                })}
              </DataTable>
            </>
          );
        }}
      </Loaded>
    </section>
  );
}

function QuarantineDetail({
  item,
  draft,
  setDraft,
  busy,
  t,
  onReplay,
}: {
  item: QuarantineItem;
  draft: string;
  setDraft: (text: string) => void;
  busy: string | null;
  t: T;
  onReplay: (event: Record<string, unknown>) => void;
}) {
  const parsed = parseDraft(draft, t);
  const base = domId(item.id);
  const submit = (e: Event): void => {
    e.preventDefault();
    if (parsed.ok) onReplay(parsed.value);
  };
  return (
    <div class="q-detail">
      <div>
        <h3 id={`${base}-raw`}>{t('rawLabel', { id: item.id })}</h3>
        {/* Scrollable when long: focusable so that the keyboard can scroll it, named by its heading. */}
        <pre class="json q-raw" role="region" aria-labelledby={`${base}-raw`} tabIndex={0}>
          {item.raw}
        </pre>
      </div>
      {item.status === 'pending' ? (
        <form onSubmit={submit} noValidate>
          <label class="field">
            <span>{t('editLabel', { id: item.id })}</span>
            <textarea
              rows={12}
              spellcheck={false}
              value={draft}
              aria-invalid={!parsed.ok}
              aria-describedby={`${base}-help ${base}-check`}
              onInput={(e) => setDraft(e.currentTarget.value)}
            />
          </label>
          <p class="muted small-text" id={`${base}-help`}>
            {t('editHelp')}
          </p>
          <p id={`${base}-check`} class={parsed.ok ? 'ok-text' : 'error-text'} data-testid="json-check">
            {parsed.ok ? t('jsonOk') : parsed.message}
          </p>
          <div class="actions">
            <button type="submit" class="primary" disabled={!parsed.ok || busy !== null}>
              {busy === `edit:${item.id}` ? t('replaying') : t('replayEdited')}
            </button>
            <button type="button" onClick={() => setDraft(initialDraft(item.raw))}>
              {t('resetEdit')}
            </button>
          </div>
        </form>
      ) : null}
    </div>
  );
}

function OutcomeBadge({ outcome, t }: { outcome: 'accepted' | 'duplicate' | 'rejected'; t: T }) {
  const tone = outcome === 'accepted' ? 'good' : outcome === 'duplicate' ? 'warn' : 'bad';
  return <Badge tone={tone}>{t(`outcome_${outcome}`)}</Badge>;
}

function ReplayReport({ result, t, onClose }: { result: ReplayResult; t: T; onClose: () => void }) {
  const count = (o: string): number => result.results.filter((r) => r.outcome === o).length;
  return (
    <div class="q-report" data-testid="replay-result">
      <div class="card-head">
        <h3>{t('resultTitle')}</h3>
        <button type="button" class="link-button" onClick={onClose}>
          {t('close')}
        </button>
      </div>
      {result.results.length === 0 ? (
        <p>{t('resultNone')}</p>
      ) : (
        <>
          <p>{t('resultSummary', { replayed: count('accepted'), duplicates: count('duplicate'), rejected: count('rejected') })}</p>
          <ul class="q-results">
            {result.results.map((r) => (
              <li key={r.id}>
                <code>{r.id}</code> <OutcomeBadge outcome={r.outcome} t={t} />
                {r.code ? (
                  <>
                    {' '}
                    <code>{r.code}</code>
                  </>
                ) : null}
                {r.message ? <span class="muted"> {r.message}</span> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
