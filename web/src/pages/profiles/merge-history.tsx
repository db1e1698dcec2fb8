import { useRef, useState } from 'preact/hooks';
import type { IdentityInfo, MergeEdge, Profile, Unmerge } from '../../api/client.js';
import { agrees, evidenceFields, evidenceProbability, evidenceStrings } from '../../api/evidence.js';
import { useQuery } from '../../api/hooks.js';
import { useApi } from '../../api/session.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox, Loaded, Loading } from '../../components/feedback.js';
import { Badge } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import { When } from './values.js';
import { useModalDialog } from '../../components/pager.js';

/**
 * A profile's merge history: every merge it took part in (from the identity graph, with its cause and evidence),
 * each one in force with "Undo merge" after a confirmation; then the merges and links the identifier limits refused
 * (from the profile's identity log). Undone merges stay listed, with when and by whom.
 */

const profileHref = (id: string): string => `/profiles/${encodeURIComponent(id)}`;

export function MergeHistory({ profile, onChanged }: { profile: Profile; onChanged: () => void }) {
  const t = useT(messages);
  const q = useQuery((api) => api.identity(profile.id), [profile.id]);
  const [confirming, setConfirming] = useState<MergeEdge | null>(null);
  const [done, setDone] = useState<Unmerge | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);

  const undone = (u: Unmerge) => {
    setConfirming(null);
    setDone(u);
    q.reload();
    onChanged();
    // The button that was pressed is gone with the merge: the outcome takes the focus.
    requestAnimationFrame(() => noticeRef.current?.focus());
  };

  const refused = profile.merges.filter((m) => m.action === 'merge_refused' || m.action === 'link_refused');
  return (
    <section class="card merge-history" aria-labelledby="merges-title">
      <div class="card-head">
        <h2 id="merges-title">{t('mergesTitle')}</h2>
      </div>
      <p class="muted card-intro">{t('mergesIntro')}</p>
      <div ref={noticeRef} tabIndex={-1} class="unmerge-outcome" aria-live="polite">
        {done ? (
          <p class="notice ok-notice" role="status" data-testid="unmerge-result">
            {t('unmerged', { restored: done.restored, events: t.plural('eventCount', done.events), identities: t.plural('idCount', done.identities.length) })}{' '}
            <a href={profileHref(done.restored)}>{t('openRestored')}</a>
          </p>
        ) : null}
      </div>
      <Loaded q={q}>{(info) => <MergesTable info={info} profileId={profile.id} onUndo={setConfirming} />}</Loaded>
      {refused.length > 0 ? (
        <>
          <h3>{t('refusedTitle')}</h3>
          <RefusedTable entries={refused} />
        </>
      ) : null}
      <UndoDialog edge={confirming} onClose={() => setConfirming(null)} onDone={undone} />
    </section>
  );
}

function MergesTable({ info, profileId, onUndo }: { info: IdentityInfo; profileId: string; onUndo: (e: MergeEdge) => void }) {
  const t = useT(messages);
  const fmt = useFormat();
  const current = info.profileId;
  const who = (id: string) => (
    <>
      <a href={profileHref(id)}>{id}</a>
      {id === current || id === profileId ? <span class="muted"> {t('thisProfile')}</span> : null}
    </>
  );
  return (
    <DataTable
      caption={t('mergesCaption')}
      class="merges-table"
      testId="merges"
      empty={t('noMerges')}
      columns={[
        { key: 'time', label: t('colTime') },
        { key: 'profiles', label: t('colProfiles') },
        { key: 'cause', label: t('colCause') },
        { key: 'evidence', label: t('colEvidence') },
        { key: 'actor', label: t('colActor') },
        { key: 'status', label: t('colStatus') },
        { key: 'undo', label: t('colUndo'), hiddenLabel: true },
      ]}
    >
      {info.merges.map((m) => (
        <tr key={m.id} data-merge={m.id} data-status={m.status}>
          <td>
            <When iso={m.at} />
          </td>
          <td class="merge-profiles profile-id">
            <div>
              <span class="merge-role">{t('kept')}:</span> {who(m.survivor)}
            </div>
            <div>
              <span class="merge-role">{t('mergedIn')}:</span> {who(m.merged)}
            </div>
          </td>
          <td>
            <Badge tone={m.cause === 'match' ? 'warn' : 'neutral'}>{t(`cause_${m.cause}`)}</Badge>
            <div class="muted small-text">{t(`causeHelp_${m.cause}`)}</div>
          </td>
          <td>
            <Evidence edge={m} />
          </td>
          <td>
            <code>{m.actor}</code>
          </td>
          <td>
            {m.status === 'active' ? (
              <Badge tone="good">{t('status_active')}</Badge>
            ) : (
              <>
                <Badge tone="bad">{t('status_undone')}</Badge>
                {m.undoneAt ? <div class="muted small-text">{t('undoneDetail', { when: fmt.dateTime(m.undoneAt), who: m.undoneBy ?? '—' })}</div> : null}
              </>
            )}
          </td>
          <td>
            {m.status === 'active' ? (
              <button type="button" class="small danger" aria-label={t('undoAria', { merged: m.merged, survivor: m.survivor })} onClick={() => onUndo(m)}>
                {t('undo')}
              </button>
            ) : null}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** Why two profiles were merged: the match's probability and agreeing fields, the shared identifiers, or the reason given. */
function Evidence({ edge }: { edge: MergeEdge }) {
  const t = useT(messages);
  const fmt = useFormat();
  const e = edge.evidence;
  const reason = typeof e.reason === 'string' && e.reason ? e.reason : null;
  const probability = evidenceProbability(e);
  const agreeing = evidenceFields(e).filter((f) => agrees(f.level)).map((f) => f.field);
  const identifiers = evidenceStrings(e, 'identifiers');
  return (
    <div class="merge-evidence">
      {reason ? <div>{reason}</div> : probability === null ? <div class="muted">{t('noReason')}</div> : null}
      {probability !== null ? <div>{t('evidenceProbability', { probability: fmt.percent(probability) })}</div> : null}
      {agreeing.length > 0 ? <div class="small-text">{t('evidenceAgreeing', { fields: agreeing.join(', ') })}</div> : null}
      {identifiers.length > 0 ? (
        <details>
          <summary>{t.plural('mergeIds', identifiers.length)}</summary>
          <ul class="merge-ids">
            {identifiers.map((id) => (
              <li key={id}>{id}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {edge.mergedIdentities.length > 0 ? <div class="muted small-text">{t.plural('broughtIds', edge.mergedIdentities.length)}</div> : null}
    </div>
  );
}

function RefusedTable({ entries }: { entries: Profile['merges'] }) {
  const t = useT(messages);
  return (
    <DataTable
      caption={t('refusedCaption')}
      testId="refused-merges"
      columns={[
        { key: 'time', label: t('colTime') },
        { key: 'action', label: t('colAction') },
        { key: 'other', label: t('colOther') },
        { key: 'reason', label: t('colReason') },
        { key: 'actor', label: t('colActor') },
      ]}
    >
      {entries.map((m, i) => (
        <tr key={`${m.at}-${i}`}>
          <td>
            <When iso={m.at} />
          </td>
          <td>
            <Badge tone="warn">{t(`action_${m.action}`)}</Badge>
          </td>
          <td class="profile-id">{m.otherProfileId ? <a href={profileHref(m.otherProfileId)}>{m.otherProfileId}</a> : '—'}</td>
          <td>
            {m.reason}
            {m.ids.length > 0 ? (
              <details>
                <summary>{t.plural('mergeIds', m.ids.length)}</summary>
                <ul class="merge-ids">
                  {m.ids.map((id) => (
                    <li key={id}>{id}</li>
                  ))}
                </ul>
              </details>
            ) : null}
          </td>
          <td>
            <code>{m.actor}</code>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

/** The confirmation step before POST /api/identity/merges/:id/unmerge; a refusal (already undone, blocked) shows in it. */
function UndoDialog({ edge, onClose, onDone }: { edge: MergeEdge | null; onClose: () => void; onDone: (u: Unmerge) => void }) {
  const t = useT(messages);
  const api = useApi();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ref = useModalDialog(edge !== null, () => setError(null));

  const confirm = async () => {
    if (!edge) return;
    setBusy(true);
    setError(null);
    try {
      const u = await api.unmerge(edge.id);
      setBusy(false);
      onDone(u);
    } catch (e) {
      setBusy(false);
      setError(e);
    }
  };

  return (
    <dialog ref={ref} class="confirm" aria-labelledby="undo-title" aria-describedby="undo-body" onClose={onClose}>
      <h2 id="undo-title">{t('undoTitle')}</h2>
      <p id="undo-body">{edge ? t.plural('undoBody', edge.mergedIdentities.length, { merged: edge.merged, survivor: edge.survivor }) : null}</p>
      {error ? <ErrorBox error={error} /> : null}
      {busy ? <Loading label={t('undoing')} /> : null}
      <div class="actions">
        <button type="button" onClick={onClose} autofocus>
          {t('cancel')}
        </button>
        <button type="button" class="danger solid" onClick={() => void confirm()} disabled={busy || !edge}>
          {t('undoConfirm')}
        </button>
      </div>
    </dialog>
  );
}
