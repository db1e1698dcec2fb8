import { useLocation, useRoute } from 'preact-iso';
import { useCallback, useState } from 'preact/hooks';
import { ApiError, type Segment, type Verify } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { useApi } from '../../api/session.js';
import { ErrorBox, Loaded, Loading } from '../../components/feedback.js';
import { Badge, Card, Datalist, PageHeader } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import { SegmentCharts } from './segment-charts.js';
import { SegmentMembers } from './segment-members.js';
import { KindBadge } from './shared.js';
import './segments.css';
import { useModalDialog } from '../../components/pager.js';

/** /segments/:id: one segment, its definition, size history, members, and the actions on it. */
export default function SegmentPage() {
  const { id } = useRoute().params as { id: string };
  const q = useQuery((api) => api.segment(id), [id]);
  // Keyed by id: following a link to another segment starts its members' paging and dialogs afresh.
  return <Loaded q={q}>{(seg) => <SegmentDetail key={seg.id} seg={seg} />}</Loaded>;
}

function SegmentDetail({ seg }: { seg: Segment }) {
  const t = useT(messages);
  const f = useFormat();
  const api = useApi();
  const history = useQuery((a) => a.history(seg.id), [seg.id]);
  const [confirming, setConfirming] = useState(false);
  const [verify, setVerify] = useState<{ busy: boolean; result: Verify | null; error: unknown }>({ busy: false, result: null, error: null });
  const [memberIds, setMemberIds] = useState<string[]>([]);
  const onPage = useCallback((ids: string[]) => setMemberIds(ids), []);

  const recompute = async () => {
    setVerify({ busy: true, result: null, error: null });
    try {
      setVerify({ busy: false, result: await api.recompute(seg.id), error: null });
    } catch (e) {
      setVerify({ busy: false, result: null, error: e });
    }
  };

  return (
    <>
      <PageHeader
        title={seg.name}
        subtitle={seg.description || t('noDescription')}
        actions={
          <>
            <a class="button" href={`/segments/${encodeURIComponent(seg.id)}/edit`}>
              <span aria-hidden="true">✎</span> {t('actionEdit')}
            </a>
            <button type="button" onClick={recompute} disabled={verify.busy}>
              <span aria-hidden="true">↻</span> {verify.busy ? t('recomputing') : t('actionRecompute')}
            </button>
            <button type="button" class="danger" onClick={() => setConfirming(true)}>
              {t('actionDelete')}
            </button>
          </>
        }
      />

      <section class="card" aria-labelledby="definition-title">
        <dl class="segment-meta">
          <div>
            <dt>{t('kindLabel')}</dt>
            <dd>
              <KindBadge kind={seg.kind} />
            </dd>
          </div>
          <div>
            <dt>{t('size')}</dt>
            <dd class="size-big" data-testid="segment-size">
              {seg.size === undefined ? '—' : f.number(seg.size)}
            </dd>
          </div>
          <div>
            <dt>{t('updated')}</dt>
            <dd>{f.dateTime(seg.updatedAt)}</dd>
          </div>
          <div>
            <dt>{t('created')}</dt>
            <dd>{f.dateTime(seg.createdAt)}</dd>
          </div>
        </dl>
        <h2 id="definition-title" class="definition-title">
          {t('definition')}
        </h2>
        {seg.kind === 'manual' || seg.text === null ? (
          <p class="manual-hint">
            {t('manualHint')} <code>{t('manualCommand', { name: seg.name.includes(' ') ? `"${seg.name}"` : seg.name })}</code>
          </p>
        ) : (
          <pre class="definition" data-testid="definition">
            {seg.text}
          </pre>
        )}
      </section>

      {verify.error ? <ErrorBox error={verify.error} onRetry={recompute} /> : null}
      {verify.result ? <RecomputeResult v={verify.result} /> : null}

      <Loaded q={history}>{(h) => <SegmentCharts history={h} />}</Loaded>

      <SegmentMembers segment={seg} onPage={onPage} />

      <ExplainForm segment={seg} memberIds={memberIds} />

      <DeleteDialog seg={seg} open={confirming} onClose={() => setConfirming(false)} />
    </>
  );
}

function RecomputeResult({ v }: { v: Verify }) {
  const t = useT(messages);
  const f = useFormat();
  const differences = v.onlyLive.length + v.onlyRecomputed.length;
  const same = differences === 0 && v.live === v.recomputed;
  return (
    <Card title={t('recomputeTitle')}>
      <p class="muted">{t('recomputeIntro', { at: f.dateTime(v.at) })}</p>
      <div class="stats" role="status">
        <div class="stat">
          <div class="stat-label">{t('live')}</div>
          <div class="stat-value" data-testid="verify-live">
            {f.number(v.live)}
          </div>
        </div>
        <div class="stat">
          <div class="stat-label">{t('recomputed')}</div>
          <div class="stat-value" data-testid="verify-recomputed">
            {f.number(v.recomputed)}
          </div>
        </div>
        <div class="stat">
          <div class="stat-label">&nbsp;</div>
          <div class="stat-value">
            {same ? (
              <Badge tone="good">
                <span aria-hidden="true">✓ </span>
                {t('agree')}
              </Badge>
            ) : (
              <Badge tone="bad">
                <span aria-hidden="true">✗ </span>
                {t.plural('disagree', Math.max(differences, Math.abs(v.live - v.recomputed)))}
              </Badge>
            )}
          </div>
        </div>
      </div>
      {differences > 0 ? (
        <div class="grid grid-2">
          <DiffList title={t('onlyLive')} ids={v.onlyLive} />
          <DiffList title={t('onlyRecomputed')} ids={v.onlyRecomputed} />
        </div>
      ) : null}
      {differences >= 100 ? <p class="muted">{t('firstDifferences')}</p> : null}
    </Card>
  );
}

function DiffList({ title, ids }: { title: string; ids: string[] }) {
  const f = useFormat();
  return (
    <div>
      <h3>
        {title} ({f.number(ids.length)})
      </h3>
      {ids.length === 0 ? (
        <p class="muted">—</p>
      ) : (
        <ul class="diff-list">
          {ids.map((id) => (
            <li key={id}>
              <a href={`/profiles/${encodeURIComponent(id)}`}>{id}</a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ExplainForm({ segment, memberIds }: { segment: Segment; memberIds: string[] }) {
  const t = useT(messages);
  const { route } = useLocation();
  const [profile, setProfile] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    const id = profile.trim();
    if (id) route(`/segments/${encodeURIComponent(segment.id)}/explain/${encodeURIComponent(id)}`);
  };
  return (
    <section class="card" aria-labelledby="explain-form-title">
      <div class="card-head">
        <h2 id="explain-form-title">{t('explainTitle')}</h2>
      </div>
      <p class="muted">{t('explainIntro')}</p>
      <form class="toolbar" onSubmit={submit}>
        <label class="field inline grow">
          <span>{t('explainProfile')}</span>
          <input type="text" list="explain-members" value={profile} onInput={(e) => setProfile(e.currentTarget.value)} autocomplete="off" spellcheck={false} />
        </label>
        <Datalist id="explain-members" values={memberIds} />
        <button type="submit" class="primary" disabled={profile.trim() === ''}>
          {t('explainButton')}
        </button>
      </form>
    </section>
  );
}

/** Confirmation before DELETE /api/segments/:id; a refusal (409 segments.in_use) is shown in the dialog. */
function DeleteDialog({ seg, open, onClose }: { seg: Segment; open: boolean; onClose: () => void }) {
  const t = useT(messages);
  const api = useApi();
  const { route } = useLocation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const ref = useModalDialog(open, () => setError(null));

  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.deleteSegment(seg.id);
      setBusy(false);
      onClose();
      route('/segments');
    } catch (e) {
      setBusy(false);
      setError(e);
    }
  };

  const usedBy = error instanceof ApiError && Array.isArray(error.details.usedBy) ? (error.details.usedBy as unknown[]).map(String) : [];

  return (
    <dialog ref={ref} class="confirm" aria-labelledby="delete-title" aria-describedby="delete-body" onClose={onClose}>
      <h2 id="delete-title">{t('deleteTitle', { name: seg.name })}</h2>
      <p id="delete-body">{t.plural('deleteBody', seg.size ?? 0)}</p>
      {error ? <ErrorBox error={error} /> : null}
      {usedBy.length > 0 ? (
        <p>
          {t('usedBy')}{' '}
          {usedBy.map((name, i) => (
            <span key={name}>
              {i > 0 ? ', ' : ''}
              <a href={`/segments/${encodeURIComponent(name)}`} onClick={onClose}>
                {name}
              </a>
            </span>
          ))}
        </p>
      ) : null}
      {busy ? <Loading label={t('deleting')} /> : null}
      <div class="actions">
        <button type="button" onClick={onClose} autofocus>
          {t('cancel')}
        </button>
        <button type="button" class="danger solid" onClick={confirm} disabled={busy}>
          {t('deleteConfirm')}
        </button>
      </div>
    </dialog>
  );
}
