import { useRoute } from 'preact-iso';
import { useRef, useState } from 'preact/hooks';
import type { ReviewDetail, ReviewPair } from '../../api/client.js';
import { agrees, evidenceFields, type FieldEvidence } from '../../api/evidence.js';
import { useQuery } from '../../api/hooks.js';
import { useApi } from '../../api/session.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox, Loaded } from '../../components/feedback.js';
import { Badge, Card, PageHeader } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import { LevelBadge, pairHref, probabilityText, profileHref, useRoleName, weightText } from './shared.js';
import './identity.css';

/** /identity/review/:pairId: one pair of probable duplicates, side by side, with the decision to take. */
export default function ReviewPairPage() {
  const { params } = useRoute();
  const id = params.pairId ?? '';
  const t = useT(messages);
  const q = useQuery((api) => api.reviewPair(id), [id]);
  const back = <a href="/identity/review">{t('backToQueue')}</a>;
  if (!q.data || q.error) {
    return (
      <div class="identity">
        <PageHeader title={t('pairTitle')} actions={back} />
        <Loaded q={q}>{() => null}</Loaded>
      </div>
    );
  }
  return <PairView key={q.data.pair.id} detail={q.data} reload={q.reload} back={back} />;
}

/** The rows of the side-by-side table: the compared fields in the matcher's order, then any other field either profile has. */
function fieldRows(detail: ReviewDetail): FieldEvidence[] {
  const rows = evidenceFields(detail.pair.evidence);
  const seen = new Set(rows.map((r) => r.field));
  for (const k of [...Object.keys(detail.records.a), ...Object.keys(detail.records.b)]) {
    if (!seen.has(k)) {
      seen.add(k);
      rows.push({ field: k, level: 'missing', weight: 0 });
    }
  }
  // A field neither profile has tells the reader nothing.
  return rows.filter((r) => detail.records.a[r.field] !== undefined || detail.records.b[r.field] !== undefined);
}

function PairView({ detail, reload, back }: { detail: ReviewDetail; reload: () => void; back: preact.ComponentChildren }) {
  const t = useT(messages);
  const fmt = useFormat();
  const role = useRoleName();
  const { pair, records } = detail;
  const rows = fieldRows(detail);
  const compared = rows.filter((r) => r.level !== 'missing');
  const agreeing = compared.filter((r) => agrees(r.level));
  const exactKey = typeof pair.evidence.exactKey === 'string' && pair.evidence.exactKey ? pair.evidence.exactKey : null;
  return (
    <div class="identity">
      <PageHeader title={t('pairTitle')} subtitle={t('pairSubtitle', { probability: probabilityText(fmt, pair.probability) })} actions={back} />
      <Decision pair={pair} reload={reload} />
      <Card title={t('sideBySideTitle')}>
        <p class="muted card-intro">{t('sideBySideIntro')}</p>
        {pair.status === 'accepted' ? <p class="notice">{t('mergedNote')}</p> : null}
        <p data-testid="agreeing-count">
          <strong>{t('agreeingCount', { count: agreeing.length, total: compared.length })}</strong>
          {exactKey ? <> {t('exactKey', { key: exactKey })}</> : null}
        </p>
        <DataTable
          caption={t('sideBySideCaption')}
          class="pair-table"
          testId="pair-fields"
          columns={[
            { key: 'field', label: t('colField') },
            {
              key: 'a',
              label: (
                <>
                  {t('colProfileA')}
                  <br />
                  <a class="profile-id" href={profileHref(pair.a)} aria-label={t('openProfile', { id: pair.a })}>
                    {pair.a}
                  </a>
                </>
              ),
            },
            {
              key: 'b',
              label: (
                <>
                  {t('colProfileB')}
                  <br />
                  <a class="profile-id" href={profileHref(pair.b)} aria-label={t('openProfile', { id: pair.b })}>
                    {pair.b}
                  </a>
                </>
              ),
            },
            { key: 'agreement', label: t('colAgreement') },
            { key: 'weight', label: t('colWeight'), numeric: true },
          ]}
        >
          {rows.map((r) => {
            const a = records.a[r.field];
            const b = records.b[r.field];
            return (
              <tr key={r.field} data-field={r.field} data-level={r.level} class={agrees(r.level) ? 'agrees' : undefined}>
                <th scope="row">
                  {role(r.field)} <code class="muted role-code">{r.field}</code>
                </th>
                <td class="record-value">{a ?? <span class="muted">{t('noValue')}</span>}</td>
                <td class="record-value">{b ?? <span class="muted">{t('noValue')}</span>}</td>
                <td>
                  <LevelBadge level={r.level} />
                </td>
                <td class="num">{weightText(fmt, r.weight)}</td>
              </tr>
            );
          })}
        </DataTable>
      </Card>
    </div>
  );
}

/** Accept or reject a pending pair; a decided pair says who decided what, and when. */
function Decision({ pair, reload }: { pair: ReviewPair; reload: () => void }) {
  const t = useT(messages);
  const fmt = useFormat();
  const api = useApi();
  const [busy, setBusy] = useState<'accept' | 'reject' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<{ decision: 'accept' | 'reject'; next: string | null } | null>(null);
  const outcomeRef = useRef<HTMLDivElement>(null);

  const decide = async (decision: 'accept' | 'reject') => {
    setBusy(decision);
    setError(null);
    try {
      await api.decide(pair.id, decision);
      // The most probable pair still waiting, to carry on with the queue.
      const next = await api.reviewQueue({ status: 'pending', limit: 1 }).then(
        (l) => l.items[0]?.id ?? null,
        () => null,
      );
      setDone({ decision, next });
      reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
      requestAnimationFrame(() => outcomeRef.current?.focus());
    }
  };

  return (
    <section class="card decision" aria-labelledby="decision-title">
      <div class="card-head">
        <h2 id="decision-title">{t('decisionTitle')}</h2>
        <Badge tone={pair.status === 'accepted' ? 'good' : pair.status === 'rejected' ? 'bad' : 'warn'}>{t(`pairStatus_${pair.status}`)}</Badge>
      </div>
      <div ref={outcomeRef} tabIndex={-1} class="decision-outcome" aria-live="polite">
        {error ? <ErrorBox error={error} /> : null}
        {done ? (
          <p class="notice ok-notice" role="status" data-testid="decision-result">
            {done.decision === 'accept' ? t('acceptedNow') : t('rejectedNow')}{' '}
            {done.decision === 'accept' ? <a href={profileHref(pair.a)}>{t('openMerged')}</a> : null}
            {done.decision === 'accept' ? ' · ' : null}
            {done.next ? <a href={pairHref(done.next)}>{t('nextPair')}</a> : <span>{t('queueDone')}</span>}
          </p>
        ) : null}
      </div>
      {pair.status === 'pending' ? (
        <>
          <p class="muted">{t('decisionHelp')}</p>
          <div class="actions">
            <button type="button" class="primary" disabled={busy !== null} onClick={() => void decide('accept')}>
              {busy === 'accept' ? t('deciding') : t('accept')}
            </button>
            <button type="button" disabled={busy !== null} onClick={() => void decide('reject')}>
              {busy === 'reject' ? t('deciding') : t('reject')}
            </button>
          </div>
        </>
      ) : done ? null : (
        <p data-testid="decided">
          {t(pair.status === 'accepted' ? 'decided_accepted' : 'decided_rejected', {
            when: pair.decidedAt ? fmt.dateTime(pair.decidedAt) : '—',
            who: pair.decidedBy ?? '—',
          })}{' '}
          {pair.status === 'accepted' ? <a href={profileHref(pair.a)}>{t('openMerged')}</a> : null}
        </p>
      )}
    </section>
  );
}
