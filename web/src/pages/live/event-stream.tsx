import { Fragment } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, type RecentEvent } from '../../api/client.js';
import { useApi } from '../../api/session.js';
import { DataTable, DetailsRow, DetailsToggle, useOpenRows, type Column } from '../../components/data-table.js';
import { ErrorBox } from '../../components/feedback.js';
import { Badge, Card, FilterSelect, Json } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';

/** How often the stream asks for new events, how many it keeps, and how often a screen reader hears the count. */
const POLL_MS = 2_000;
const KEEP = 200;
const FIRST_LOAD = 50;
const ANNOUNCE_MS = 10_000;

const TYPES = ['track', 'identify', 'page', 'screen', 'group', 'alias'] as const;

const keyOf = (e: RecentEvent): string => `${e.sourceId}\u0000${e.messageId}`;

/** What the row calls the event: a track's name, a page's or screen's name when it has one. */
function nameOf(e: RecentEvent): string | null {
  if (e.event) return e.event;
  const n = e.properties['name'];
  return typeof n === 'string' && n !== '' ? n : null;
}

/**
 * The stream: polls GET /api/events/recent with the cursor of the previous answer and puts what is new on top.
 * Pausing stops the polling (an answer already on its way is dropped, so nothing appears once paused); resuming
 * fetches at once what arrived meanwhile and says how many.
 */
export function EventStream({ onFirstLoad }: { onFirstLoad?: () => void }) {
  const api = useApi();
  const t = useT(messages);
  const fmt = useFormat();
  const [events, setEvents] = useState<RecentEvent[]>([]);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [paused, setPaused] = useState(false);
  const [lastCheck, setLastCheck] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const [type, setType] = useState('');
  const [text, setText] = useState('');
  const json = useOpenRows();

  const cursor = useRef<string | null>(null);
  /** Bumped when polling stops: answers of an older generation are dropped and leave the cursor where it was. */
  const generation = useRef(0);
  const resumed = useRef(false);
  const unannounced = useRef(0);
  const firstLoadSignalled = useRef(false);

  const poll = useCallback(async () => {
    const mine = generation.current;
    const first = cursor.current === null;
    try {
      const page = await api.recentEvents({ after: cursor.current, limit: first ? FIRST_LOAD : KEEP });
      if (mine !== generation.current) return;
      cursor.current = page.cursor;
      setError(null);
      setLoaded(true);
      setLastCheck(new Date().toISOString());
      const n = page.events.length;
      if (n > 0) {
        setEvents((prev) => {
          const seen = new Set(prev.map(keyOf));
          return [...page.events.filter((e: RecentEvent) => !seen.has(keyOf(e))), ...prev].slice(0, KEEP);
        });
        setFresh(first ? new Set() : new Set(page.events.map(keyOf)));
        if (!first) unannounced.current += n;
      }
      if (resumed.current) {
        resumed.current = false;
        setNotice(n > 0 ? t.plural('arrivedWhilePaused', n) : t('noneWhilePaused'));
      }
    } catch (e) {
      if (mine !== generation.current) return;
      // A cursor the server no longer knows (its database was replaced): start again from the latest events.
      if (e instanceof ApiError && e.code === 'request.invalid') cursor.current = null;
      setError(e);
    }
  }, [api, t]);

  useEffect(() => {
    if (paused) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async (): Promise<void> => {
      if (document.visibilityState === 'visible') await poll();
      if (!stopped) timer = setTimeout(() => void tick(), POLL_MS);
    };
    void tick();
    return () => {
      // Pausing (or leaving) drops an answer still on its way: nothing appears after the click.
      generation.current++;
      stopped = true;
      clearTimeout(timer);
    };
  }, [paused, poll]);

  useEffect(() => {
    if (loaded && !firstLoadSignalled.current) {
      firstLoadSignalled.current = true;
      onFirstLoad?.();
    }
  }, [loaded, onFirstLoad]);

  // A screen reader hears a count every 10 seconds at most, not every event.
  useEffect(() => {
    const id = setInterval(() => {
      if (unannounced.current > 0) {
        setAnnouncement(t.plural('announceNew', unannounced.current));
        unannounced.current = 0;
      }
    }, ANNOUNCE_MS);
    return () => clearInterval(id);
  }, [t]);

  const togglePause = (): void => {
    if (paused) {
      resumed.current = true;
      setNotice(null);
      setAnnouncement(t('announceResumed'));
      setPaused(false);
    } else {
      setNotice(null);
      setAnnouncement(t('announcePaused'));
      setPaused(true);
    }
  };

  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return events.filter((e) => {
      if (type && e.type !== type) return false;
      if (!needle) return true;
      return [nameOf(e), e.userId, e.anonymousId].some((v) => v !== null && v.toLowerCase().includes(needle));
    });
  }, [events, type, text]);

  const columns: Column[] = [
    { key: 'received', label: t('received') },
    { key: 'type', label: t('type') },
    { key: 'event', label: t('event') },
    { key: 'user', label: t('user') },
    { key: 'profile', label: t('profile') },
    { key: 'json', label: t('json') },
  ];

  return (
    <Card
      title={t('streamTitle')}
      class="live-stream"
      actions={
        <button type="button" class={paused ? 'primary' : ''} aria-pressed={paused} onClick={togglePause}>
          <span aria-hidden="true">{paused ? '▶' : '❚❚'}</span>
          {paused ? t('resume') : t('pause')}
        </button>
      }
    >
      <p class={`live-status ${paused ? 'is-paused' : 'is-live'}`} data-testid="stream-status">
        <span class="live-dot" aria-hidden="true" />
        {paused ? t('statusPaused') : lastCheck ? t('statusLive', { time: fmt.time(lastCheck) }) : t('statusConnecting')}
      </p>
      {notice ? (
        <p class="notice" data-testid="stream-notice">
          {notice}
        </p>
      ) : null}
      <p class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>
      {error ? <ErrorBox error={error} onRetry={() => void poll()} /> : null}
      <div class="toolbar">
        <FilterSelect id="stream-type" class="field inline" label={t('filterType')} all={t('allTypes')} values={TYPES} value={type} onChange={setType} />
        <label class="field inline grow">
          <span>{t('filterText')}</span>
          <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
      </div>
      {loaded && events.length === 0 ? (
        <p class="muted">
          {t('waiting')} <a href="/settings#snippet">{t('waitingLink')}</a>
        </p>
      ) : null}
      {events.length > 0 ? (
        <>
          <p class="muted live-count">{t('shown', { shown: shown.length, kept: events.length, max: KEEP })}</p>
          {shown.length === 0 ? <p class="muted">{t('noMatch')}</p> : null}
          <DataTable caption={t('streamCaption')} class="live-table" testId="event-stream" wrap="live-scroll" columns={columns}>
            {shown.map((e) => {
              const k = keyOf(e);
              const name = nameOf(e);
              const isOpen = json.isOpen(k);
              const jsonId = `json-${e.messageId.replace(/[^\w-]/g, '_')}-${e.sourceId}`;
              return (
                <Fragment key={k}>
                  <tr class={fresh.has(k) ? 'is-new' : undefined}>
                    <td class="nowrap">
                      <time dateTime={e.receivedAt} title={fmt.dateTime(e.receivedAt)}>
                        {fmt.time(e.receivedAt)}
                      </time>
                    </td>
                    <td>
                      <Badge tone={e.type === 'track' ? 'good' : 'neutral'}>{e.type}</Badge>
                    </td>
                    <td class="live-name">{name ?? <span class="muted">{t('noName')}</span>}</td>
                    <td class="live-user">
                      {e.userId ? (
                        <span class="mono">{e.userId}</span>
                      ) : e.anonymousId ? (
                        <>
                          <span class="mono">{e.anonymousId}</span> <span class="muted">({t('anonymous')})</span>
                        </>
                      ) : null}
                    </td>
                    <td class="live-profile">{e.profileId ? <a href={`/profiles/${encodeURIComponent(e.profileId)}`} class="mono">{e.profileId}</a> : null}</td>
                    <td>
                      <DetailsToggle
                        open={isOpen}
                        controls={jsonId}
                        show={t('showJson')}
                        hide={t('hideJson')}
                        label={(action) => `${action}: ${t('jsonOf', { what: name ?? e.type, time: fmt.time(e.receivedAt) })}`}
                        onToggle={() => json.toggle(k)}
                      />
                    </td>
                  </tr>
                  <DetailsRow open={isOpen} id={jsonId} class="live-json-row" colSpan={columns.length}>
                    <Json value={e} />
                  </DetailsRow>
                </Fragment>
              );
            })}
          </DataTable>
        </>
      ) : null}
    </Card>
  );
}
