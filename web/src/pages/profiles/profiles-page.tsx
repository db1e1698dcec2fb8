import { useLocation } from 'preact-iso';
import { useMemo, useState } from 'preact/hooks';
import { ApiError, type Api, type Profile, type RecentEvent } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { useApi } from '../../api/session.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox, Loaded } from '../../components/feedback.js';
import { Badge, Card, PageHeader } from '../../components/ui.js';
import { useT } from '../../i18n/i18n.js';
import { messages, type MessageKey } from './messages.js';
import { When } from './values.js';
import './profiles.css';

type Kind = 'id' | 'userId' | 'anonymousId' | 'email';
const KIND_LABEL: Record<Kind | 'auto', MessageKey> = {
  auto: 'kindAuto',
  id: 'kindId',
  userId: 'kindUserId',
  anonymousId: 'kindAnonymousId',
  email: 'kindEmail',
};

/** Profile ids are `prof_` and 32 hex digits; anything else is looked up as an identifier. */
const looksLikeProfileId = (s: string): boolean => /^prof_[0-9a-z]+$/i.test(s);

/** The kinds "automatic" tries, most likely first: an id-shaped text is an id, an address with @ an email. */
function kindsToTry(text: string, kind: Kind | 'auto'): Kind[] {
  if (kind !== 'auto') return [kind];
  if (looksLikeProfileId(text)) return ['id', 'userId', 'anonymousId'];
  if (text.includes('@')) return ['email', 'userId', 'anonymousId'];
  return ['userId', 'anonymousId', 'email'];
}

function lookUp(api: Api, kind: Kind, text: string): Promise<Profile> {
  switch (kind) {
    case 'id':
      return api.profile(text);
    case 'userId':
      return api.findProfile({ userId: text });
    case 'anonymousId':
      return api.findProfile({ anonymousId: text });
    case 'email':
      return api.findProfile({ email: text });
  }
}

/** How many recent events are read to list the recently active profiles (the API's maximum), and how many are listed. */
const RECENT_EVENTS = 500;
const RECENT_PROFILES = 12;

interface RecentProfile {
  profileId: string;
  userId: string | null;
  anonymousId: string | null;
  last: RecentEvent;
}

/**
 * Distinct profiles of the latest events received, each with its latest event by event time, most recently active
 * first. (Events arrive out of order, batched by device, so receive order alone would not read as "recent".)
 */
function recentProfiles(events: RecentEvent[]): RecentProfile[] {
  const by = new Map<string, RecentProfile>();
  for (const e of events) {
    if (!e.profileId) continue;
    const seen = by.get(e.profileId);
    if (!seen) by.set(e.profileId, { profileId: e.profileId, userId: e.userId, anonymousId: e.anonymousId, last: e });
    else {
      seen.userId ??= e.userId;
      seen.anonymousId ??= e.anonymousId;
      if (e.timestamp > seen.last.timestamp) seen.last = e;
    }
  }
  return [...by.values()].sort((a, b) => (a.last.timestamp < b.last.timestamp ? 1 : a.last.timestamp > b.last.timestamp ? -1 : 0)).slice(0, RECENT_PROFILES);
}

function RecentProfiles() {
  const t = useT(messages);
  const q = useQuery((api) => api.recentEvents({ limit: RECENT_EVENTS }), []);
  const rows = useMemo(() => (q.data ? recentProfiles(q.data.events) : []), [q.data]);
  return (
    <Card title={t('recentTitle')}>
      <p class="muted card-intro">{t('recentIntro')}</p>
      <Loaded q={q}>
        {() => (
          <DataTable
            caption={t('recentCaption')}
            empty={t('recentEmpty')}
            columns={[
              { key: 'profile', label: t('colProfile') },
              { key: 'id', label: t('profileId') },
              { key: 'lastEvent', label: t('colLastEvent') },
              { key: 'when', label: t('colWhen') },
            ]}
          >
            {rows.map((r) => (
              <tr key={r.profileId}>
                <th scope="row">
                  <a href={`/profiles/${encodeURIComponent(r.profileId)}`}>{r.userId ?? `${t('anonymous')} ${(r.anonymousId ?? r.profileId).slice(0, 8)}`}</a>
                </th>
                <td class="profile-id">{r.profileId}</td>
                <td>
                  <Badge>{r.last.type}</Badge> {r.last.event ?? ''}
                </td>
                <td>
                  <When iso={r.last.timestamp} />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </Loaded>
    </Card>
  );
}

interface Outcome {
  error: unknown;
  tried: Kind[];
}

export default function ProfilesPage() {
  const t = useT(messages);
  const api = useApi();
  const { route } = useLocation();
  const [text, setText] = useState('');
  const [kind, setKind] = useState<Kind | 'auto'>('auto');
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const search = async (e: Event) => {
    e.preventDefault();
    const value = text.trim();
    if (!value) return;
    setBusy(true);
    setOutcome(null);
    const tried: Kind[] = [];
    let firstError: unknown = null;
    try {
      for (const k of kindsToTry(value, kind)) {
        tried.push(k);
        try {
          const p = await lookUp(api, k, value);
          route(`/profiles/${encodeURIComponent(p.id)}`);
          return;
        } catch (err) {
          // Only "not found" moves on to the next kind; any other error (bad key, server down) is the answer.
          if (!(err instanceof ApiError && err.status === 404)) {
            setOutcome({ error: err, tried });
            return;
          }
          firstError ??= err;
        }
      }
      setOutcome({ error: firstError, tried });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <PageHeader title={t('title')} subtitle={t('subtitle')} />
      <Card title={t('searchTitle')}>
        <form class="profile-search" role="search" aria-label={t('searchTitle')} onSubmit={search}>
          <label class="field field-grow">
            <span>{t('searchLabel')}</span>
            <input
              type="search"
              name="q"
              autocomplete="off"
              spellcheck={false}
              required
              value={text}
              onInput={(e) => {
                setText(e.currentTarget.value);
                setOutcome(null);
              }}
              aria-describedby="profile-search-help"
            />
          </label>
          <div class="field">
            <label for="profile-search-kind">{t('searchKind')}</label>
            <select id="profile-search-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind | 'auto')}>
              {(Object.keys(KIND_LABEL) as (Kind | 'auto')[]).map((k) => (
                <option key={k} value={k}>
                  {t(KIND_LABEL[k])}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="primary" disabled={busy || text.trim() === ''}>
            {busy ? t('searching') : t('searchSubmit')}
          </button>
        </form>
        <p id="profile-search-help" class="muted profile-search-help">
          {t('searchHelp')}
        </p>
        {outcome ? (
          <div class="search-outcome">
            {outcome.error instanceof ApiError && outcome.error.status === 404 ? (
              <p role="status">{t('notFoundAs', { kinds: outcome.tried.map((k) => t(KIND_LABEL[k])).join(', ') })}</p>
            ) : null}
            <ErrorBox error={outcome.error} />
          </div>
        ) : null}
      </Card>
      <RecentProfiles />
    </div>
  );
}
