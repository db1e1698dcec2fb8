import { useMemo, useRef, useState } from 'preact/hooks';
import type { MatchRun, ReviewList, ReviewStatus } from '../../api/client.js';
import { agrees, evidenceFields } from '../../api/evidence.js';
import { useQuery } from '../../api/hooks.js';
import { useApi } from '../../api/session.js';
import { DataTable, type Column } from '../../components/data-table.js';
import { ErrorBox, Loaded } from '../../components/feedback.js';
import { PageHeader, Stat } from '../../components/ui.js';
import { OffsetPager } from '../../components/pager.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import { pairHref, probabilityText, profileHref, useRoleName } from './shared.js';
import './identity.css';

const PAGE = 50;
const STATUSES: readonly ReviewStatus[] = ['pending', 'accepted', 'rejected'];

/**
 * /identity/review: the pairs of profiles matching found probable, most probable first, filtered by decision; and
 * "Find duplicates", which runs the matching (near-certain pairs merge, probable ones join the queue).
 */
export default function ReviewPage() {
  const t = useT(messages);
  const api = useApi();
  const [status, setStatus] = useState<ReviewStatus>('pending');
  const [offset, setOffset] = useState(0);
  const q = useQuery((a) => a.reviewQueue({ status, limit: PAGE, offset }), [status, offset]);
  const [match, setMatch] = useState<{ busy: boolean; result: MatchRun | null; error: unknown }>({ busy: false, result: null, error: null });
  const resultRef = useRef<HTMLDivElement>(null);

  const findDuplicates = async () => {
    setMatch({ busy: true, result: null, error: null });
    try {
      const result = await api.findDuplicates();
      setMatch({ busy: false, result, error: null });
      q.reload();
    } catch (e) {
      setMatch({ busy: false, result: null, error: e });
    }
    // The outcome (figures or error) is where the user's attention goes next.
    requestAnimationFrame(() => resultRef.current?.focus());
  };

  return (
    <div class="identity">
      <PageHeader
        title={t('title')}
        subtitle={t('subtitle')}
        actions={
          <button type="button" class="primary" onClick={() => void findDuplicates()} disabled={match.busy} aria-describedby="find-help">
            {match.busy ? t('finding') : t('findDuplicates')}
          </button>
        }
      />
      <p id="find-help" class="muted find-help">
        {t('findHelp')}
      </p>
      <div ref={resultRef} tabIndex={-1} class="match-outcome" aria-live="polite">
        {match.error ? <ErrorBox error={match.error} onRetry={() => void findDuplicates()} /> : null}
        {match.result ? <MatchResult result={match.result} onClose={() => setMatch({ busy: false, result: null, error: null })} /> : null}
      </div>

      <section class="card" aria-labelledby="queue-title">
        <div class="card-head">
          <h2 id="queue-title">{t(`status_${status}`)}</h2>
          <div class="field inline">
            <label for="review-status">{t('status')}</label>
            <select
              id="review-status"
              value={status}
              onChange={(e) => {
                setStatus(e.currentTarget.value as ReviewStatus);
                setOffset(0);
              }}
            >
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status_${s}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <Loaded q={q}>{(list) => <Queue list={list} status={status} offset={offset} setOffset={setOffset} busy={q.loading} />}</Loaded>
      </section>
    </div>
  );
}

function MatchResult({ result, onClose }: { result: MatchRun; onClose: () => void }) {
  const t = useT(messages);
  const fmt = useFormat();
  const role = useRoleName();
  return (
    <section class="card match-result" aria-labelledby="match-title" data-testid="match-result">
      <div class="card-head">
        <h2 id="match-title">{t('matchTitle')}</h2>
        <button type="button" class="link-button" onClick={onClose}>
          {t('close')}
        </button>
      </div>
      <p class="muted">
        {t('matchSummary', {
          profiles: result.profiles,
          fields: result.fields.map(role).join(', '),
          seconds: fmt.number(result.seconds, 2),
          candidates: result.candidatePairs,
        })}
      </p>
      <div class="stats match-stats">
        <Stat testId="match-merged" label={t('matchMerged')} value={fmt.number(result.merged)} detail={t('matchMergedDetail', { threshold: fmt.percent(result.autoMergeAt) })} />
        <Stat testId="match-queued" label={t('matchQueued')} value={fmt.number(result.queued)} detail={t('matchQueuedDetail', { threshold: fmt.percent(result.reviewAt) })} />
        <Stat testId="match-refused" label={t('matchRefused')} value={fmt.number(result.refused)} detail={t('matchRefusedDetail')} />
        <Stat testId="match-blocked" label={t('matchBlocked')} value={fmt.number(result.blocked)} detail={t('matchBlockedDetail')} />
      </div>
    </section>
  );
}

function Queue({ list, status, offset, setOffset, busy }: { list: ReviewList; status: ReviewStatus; offset: number; setOffset: (o: number) => void; busy: boolean }) {
  const t = useT(messages);
  const fmt = useFormat();
  const role = useRoleName();
  // Most probable first; the server's order is kept between pairs of the same probability.
  const items = useMemo(() => list.items.map((p, i) => ({ p, i })).sort((x, y) => y.p.probability - x.p.probability || x.i - y.i).map((x) => x.p), [list.items]);
  if (list.total === 0) return <p class="muted">{t(`queueEmpty_${status}`)}</p>;
  const columns: Column[] = [
    { key: 'probability', label: t('colProbability'), numeric: true },
    { key: 'a', label: t('colProfileA') },
    { key: 'b', label: t('colProfileB') },
    { key: 'agreeing', label: t('colAgreeing') },
    status === 'pending' ? { key: 'found', label: t('colFound') } : { key: 'decided', label: t('colDecided') },
    { key: 'review', label: t('colReview'), hiddenLabel: true },
  ];
  return (
    <>
      <div class="toolbar">
        <span class="muted" data-testid="queue-range">
          {t('queuePage', { from: offset + 1, to: offset + items.length, total: list.total })}
        </span>
        <span class="grow" />
        <OffsetPager offset={offset} total={list.total} pageSize={PAGE} onChange={setOffset} />
      </div>
      <DataTable caption={t('queueCaption')} class="review-table" testId="review-queue" columns={columns} busy={busy}>
        {items.map((p) => {
          const agreeing = evidenceFields(p.evidence).filter((f) => agrees(f.level));
          const probability = probabilityText(fmt, p.probability);
          return (
            <tr key={p.id} data-id={p.id}>
              <td class="num probability" data-testid="probability">
                {probability}
              </td>
              <td class="profile-id">
                <a href={profileHref(p.a)}>{p.a}</a>
              </td>
              <td class="profile-id">
                <a href={profileHref(p.b)}>{p.b}</a>
              </td>
              <td>{agreeing.length === 0 ? <span class="muted">{t('noAgreement')}</span> : agreeing.map((f) => role(f.field)).join(', ')}</td>
              <td class="nowrap">
                {status === 'pending' ? (
                  <time dateTime={p.createdAt}>{fmt.dateTime(p.createdAt)}</time>
                ) : p.decidedAt ? (
                  t('decidedBy', { when: fmt.dateTime(p.decidedAt), who: p.decidedBy ?? '—' })
                ) : (
                  '—'
                )}
              </td>
              <td>
                <a class="button small" href={pairHref(p.id)} aria-label={t('reviewAria', { a: p.a, b: p.b, probability })}>
                  {t('review')}
                </a>
              </td>
            </tr>
          );
        })}
      </DataTable>
    </>
  );
}
