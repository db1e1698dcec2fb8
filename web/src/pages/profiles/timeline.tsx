import { useRef, useState } from 'preact/hooks';
import type { Timeline as TimelinePage, TimelineEvent } from '../../api/client.js';
import { useQuery } from '../../api/hooks.js';
import { useApi } from '../../api/session.js';
import { ErrorBox, Loaded } from '../../components/feedback.js';
import { Badge, Card, Datalist, FilterSelect, Json } from '../../components/ui.js';
import { useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';
import { When } from './values.js';

const TYPES = ['identify', 'track', 'page', 'screen', 'group', 'alias'] as const;
const PAGE_SIZE = 20;

interface Filter {
  type: string;
  event: string;
}

/** Pages read after the first one, for the first page they continue (a new filter starts over). */
interface More {
  after: TimelinePage;
  events: TimelineEvent[];
  cursor: string | null;
}

function EventItem({ e }: { e: TimelineEvent }) {
  const t = useT(messages);
  const blocks: [string, Record<string, unknown>][] = [
    [t('properties'), e.properties],
    [t('eventTraits'), e.traits],
    [t('context'), e.context],
  ];
  return (
    <li>
      <details>
        <summary>
          <span class="event-time">
            <When iso={e.timestamp} />
          </span>
          <span class="badge-type">
            <Badge>{e.type}</Badge>
          </span>
          <span class="event-name">{e.event ?? <span class="muted">{t('unnamed')}</span>}</span>
        </summary>
        <div class="event-body">
          <p class="event-ids muted">
            {t('messageId')}: <code>{e.messageId}</code> · {t('receivedAt')}: <When iso={e.receivedAt} />
            {e.userId ? (
              <>
                {' '}
                · userId: <code>{e.userId}</code>
              </>
            ) : null}
            {e.anonymousId ? (
              <>
                {' '}
                · anonymousId: <code>{e.anonymousId}</code>
              </>
            ) : null}
          </p>
          {blocks
            .filter(([, v]) => Object.keys(v).length > 0)
            .map(([title, v]) => (
              <div key={title}>
                <h3>{title}</h3>
                <Json value={v} />
              </div>
            ))}
        </div>
      </details>
    </li>
  );
}

/** A profile's events, newest first, filtered by type and event name, read a page at a time with the cursor. */
export function Timeline({ profileId }: { profileId: string }) {
  const t = useT(messages);
  const api = useApi();
  const [filter, setFilter] = useState<Filter>({ type: '', event: '' });
  const [draftEvent, setDraftEvent] = useState('');
  const [more, setMore] = useState<More | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const [moreError, setMoreError] = useState<unknown>(null);
  // Event names met so far, offered as suggestions for the name filter.
  const names = useRef(new Set<string>());

  const first = useQuery(
    (a) => a.timeline(profileId, { limit: PAGE_SIZE, type: filter.type || undefined, event: filter.event || undefined }),
    [profileId, filter.type, filter.event],
  );
  const extra = more && first.data && more.after === first.data ? more : null;
  const events = first.data ? [...first.data.events, ...(extra?.events ?? [])] : [];
  const cursor = extra ? extra.cursor : (first.data?.nextCursor ?? null);
  for (const e of events) if (e.event) names.current.add(e.event);

  const apply = (next: Filter) => {
    setMoreError(null);
    setFilter({ type: next.type, event: next.event.trim() });
  };

  const loadMore = async () => {
    const after = first.data;
    if (!after || !cursor) return;
    setMoreBusy(true);
    setMoreError(null);
    try {
      const page = await api.timeline(profileId, { limit: PAGE_SIZE, cursor, type: filter.type || undefined, event: filter.event || undefined });
      setMore((prev) => ({
        after,
        events: [...(prev && prev.after === after ? prev.events : []), ...page.events],
        cursor: page.nextCursor,
      }));
    } catch (e) {
      setMoreError(e);
    } finally {
      setMoreBusy(false);
    }
  };

  const filtered = filter.type !== '' || filter.event !== '';
  return (
    <Card title={t('timelineTitle')}>
      <form
        class="timeline-filters"
        aria-label={t('filterApply')}
        onSubmit={(e) => {
          e.preventDefault();
          apply({ type: filter.type, event: draftEvent });
        }}
      >
        <FilterSelect
          id="timeline-type"
          class="field"
          label={t('filterType')}
          all={t('allTypes')}
          values={TYPES}
          value={filter.type}
          onChange={(type) => apply({ type, event: draftEvent })}
        />
        <div class="field">
          <label for="timeline-event">{t('filterEvent')}</label>
          <input id="timeline-event" type="search" list="timeline-event-names" value={draftEvent} onInput={(e) => setDraftEvent(e.currentTarget.value)} />
        </div>
        <Datalist id="timeline-event-names" values={[...names.current].sort()} />
        <button type="submit">{t('filterApply')}</button>
        {filtered ? (
          <button
            type="button"
            class="link-button"
            onClick={() => {
              setDraftEvent('');
              apply({ type: '', event: '' });
            }}
          >
            {t('filterClear')}
          </button>
        ) : null}
      </form>
      <Loaded q={first}>
        {() =>
          events.length === 0 ? (
            <p class="muted">{t('noEvents')}</p>
          ) : (
            <>
              <ol class="timeline" aria-label={t('timelineList')}>
                {events.map((e) => (
                  <EventItem key={e.messageId} e={e} />
                ))}
              </ol>
              {moreError ? <ErrorBox error={moreError} onRetry={() => void loadMore()} /> : null}
              <div class="timeline-foot">
                <span class="muted" role="status">
                  {t.plural('shown', events.length)}
                  {cursor ? '' : ` · ${t('endOfTimeline')}`}
                </span>
                {cursor ? (
                  <button type="button" onClick={() => void loadMore()} disabled={moreBusy}>
                    {moreBusy ? t('loadingMore') : t('loadMore')}
                  </button>
                ) : null}
              </div>
            </>
          )
        }
      </Loaded>
    </Card>
  );
}
