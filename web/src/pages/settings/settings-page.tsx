import { useCallback, useEffect, useState } from 'preact/hooks';
import { useQuery } from '../../api/hooks.js';
import { Loaded } from '../../components/feedback.js';
import { Card, PageHeader } from '../../components/ui.js';
import { useT } from '../../i18n/i18n.js';
import { CreateKey, type Preset } from './create-key.js';
import { KeysTable } from './keys-table.js';
import { messages } from './messages.js';
import { SnippetSection } from './snippet-section.js';
import './settings.css';

/**
 * Settings: the API keys (list, create, revoke) and the tracking code for a write key. /settings#snippet (linked from
 * the overview and the live page when there is no data yet) opens at the tracking code.
 */
export default function SettingsPage() {
  const t = useT(messages);
  const q = useQuery((api) => api.keys(), []);
  const [preset, setPreset] = useState<Preset | null>(null);
  const createWriteKey = useCallback(() => setPreset({ label: t('writeKeyDefaultLabel'), scopes: ['track'] }), [t]);
  const loaded = q.data !== undefined;

  // The router does not scroll to a #fragment; the snippet is there once the keys are loaded.
  useEffect(() => {
    if (loaded && window.location.hash === '#snippet') document.getElementById('snippet')?.scrollIntoView({ block: 'start' });
  }, [loaded]);

  return (
    <div class="settings">
      <PageHeader title={t('title')} subtitle={t('subtitle')} />
      <Loaded q={q}>
        {(data) => (
          <>
            <Card title={t('keysTitle')}>
              <p class="muted">{t('keysIntro')}</p>
              <KeysTable keys={data.items} onChanged={q.reload} />
            </Card>
            <CreateKey preset={preset} onCreated={q.reload} />
            <SnippetSection keys={data.items} onCreateWriteKey={createWriteKey} />
          </>
        )}
      </Loaded>
    </div>
  );
}
