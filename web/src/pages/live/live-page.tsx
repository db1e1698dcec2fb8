import { useCallback, useEffect, useState } from 'preact/hooks';
import { PageHeader } from '../../components/ui.js';
import { useT } from '../../i18n/i18n.js';
import { EventStream } from './event-stream.js';
import { messages } from './messages.js';
import { QuarantineSection } from './quarantine-section.js';
import './live.css';

/**
 * Live events: the stream of incoming events (polled every 2 seconds, pausable, filtered in the page) and the
 * quarantine of refused events with their replay. /live#quarantine (linked from the overview) opens at the quarantine.
 */
export default function LivePage() {
  const t = useT(messages);
  const [streamLoaded, setStreamLoaded] = useState(false);
  const onFirstLoad = useCallback(() => setStreamLoaded(true), []);

  // The router changes the URL without scrolling to its #fragment; the stream above grows once loaded, so the
  // quarantine is brought into view after that.
  useEffect(() => {
    if (window.location.hash !== '#quarantine') return;
    const el = document.getElementById('quarantine');
    el?.scrollIntoView({ block: 'start' });
    if (streamLoaded) el?.focus({ preventScroll: true });
  }, [streamLoaded]);

  return (
    <div class="live">
      <PageHeader
        title={t('title')}
        subtitle={t('subtitle')}
        actions={
          <a class="button" href="#quarantine">
            {t('jumpQuarantine')}
          </a>
        }
      />
      <EventStream onFirstLoad={onFirstLoad} />
      <QuarantineSection />
    </div>
  );
}
