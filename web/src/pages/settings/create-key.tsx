import { useEffect, useRef, useState } from 'preact/hooks';
import type { Key, Scope } from '../../api/client.js';
import { useApi } from '../../api/session.js';
import { ErrorBox } from '../../components/feedback.js';
import { Card } from '../../components/ui.js';
import { useT } from '../../i18n/i18n.js';
import { CopyButton } from './copy-button.js';
import { ScopeBadges } from './keys-table.js';
import { messages } from './messages.js';

const SCOPES: Scope[] = ['track', 'read', 'manage'];

/** A request to fill the form from elsewhere on the page (the snippet's "Create a write key"). */
export interface Preset {
  label: string;
  scopes: Scope[];
}

/**
 * The form that makes a key. The form keeps to what the server accepts (track alone; manage brings read), and
 * still shows the server's own refusal if one comes. The new key's text is shown once, here, with a Copy button.
 */
export function CreateKey({ preset, onCreated }: { preset: Preset | null; onCreated: () => void }) {
  const t = useT(messages);
  const api = useApi();
  const [label, setLabel] = useState('');
  const [scopes, setScopes] = useState<Set<Scope>>(new Set());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<Key | null>(null);
  const labelRef = useRef<HTMLInputElement>(null);
  const newKeyRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!preset) return;
    setLabel(preset.label);
    setScopes(new Set(preset.scopes));
    labelRef.current?.scrollIntoView({ block: 'center' });
    labelRef.current?.focus();
  }, [preset]);

  useEffect(() => {
    if (created) newKeyRef.current?.focus();
  }, [created]);

  const has = (s: Scope): boolean => scopes.has(s) || (s === 'read' && scopes.has('manage'));
  const disabled = (s: Scope): boolean => (s === 'track' ? scopes.has('read') || scopes.has('manage') : scopes.has('track') || (s === 'read' && scopes.has('manage')));
  const toggle = (s: Scope, on: boolean): void =>
    setScopes((prev) => {
      const next = new Set(prev);
      if (on) next.add(s);
      else next.delete(s);
      return next;
    });

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const key = await api.createKey({ label: label.trim(), scopes: SCOPES.filter((s) => scopes.has(s)) });
      setCreated(key);
      setLabel('');
      setScopes(new Set());
      onCreated();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const conflict = scopes.has('track') || scopes.has('read') || scopes.has('manage');
  return (
    <Card title={t('createTitle')} class="create-key">
      {created?.key ? (
        <div class="new-key" role="region" aria-labelledby="new-key-title" tabIndex={-1} ref={newKeyRef} data-testid="new-key">
          <h3 id="new-key-title">{t('newKeyTitle', { label: created.label })}</h3>
          <p class="new-key-warning">
            <span aria-hidden="true">⚠ </span>
            {created.scopes.includes('track') ? t('newKeyTrack') : t('newKeyWarning')}
          </p>
          <p>
            <ScopeBadges scopes={created.scopes} />
          </p>
          <label class="field">
            <span>{t('newKeyField')}</span>
            <input id="new-key-text" class="mono" type="text" readOnly value={created.key} onFocus={(e) => e.currentTarget.select()} />
          </label>
          <div class="actions">
            <CopyButton text={created.key} what={t('newKeyField').toLowerCase()} target="new-key-text" />
            <button type="button" onClick={() => setCreated(null)}>
              {t('done')}
            </button>
          </div>
        </div>
      ) : null}
      <form onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="key-label">{t('createLabel')}</label>
          <input id="key-label" ref={labelRef} type="text" required maxLength={100} value={label} aria-describedby="key-label-help" onInput={(e) => setLabel(e.currentTarget.value)} />
          <small id="key-label-help" class="muted">
            {t('createLabelHelp')}
          </small>
        </div>
        <fieldset class="scopes" aria-describedby={conflict ? 'scope-rule' : undefined}>
          <legend>{t('scopesLegend')}</legend>
          {SCOPES.map((s) => (
            <div class={`scope-option${disabled(s) ? ' is-disabled' : ''}`} key={s}>
              <label class="check">
                <input
                  type="checkbox"
                  name="scope"
                  value={s}
                  checked={has(s)}
                  disabled={disabled(s)}
                  aria-describedby={`scope-${s}-desc`}
                  onChange={(e) => toggle(s, e.currentTarget.checked)}
                />
                <code>{s}</code>
              </label>
              <p id={`scope-${s}-desc`} class="muted scope-desc">
                {t(`scope_${s}`)}
              </p>
            </div>
          ))}
          <p id="scope-rule" class="scope-rule">
            {t('trackAlone')} {scopes.has('manage') ? t('manageBringsRead') : null}
          </p>
        </fieldset>
        {error ? <ErrorBox error={error} /> : null}
        <button type="submit" class="primary" disabled={busy || label.trim() === '' || scopes.size === 0}>
          {busy ? t('creating') : t('createSubmit')}
        </button>
        {scopes.size === 0 ? <span class="muted form-hint"> {t('needScope')}</span> : null}
      </form>
    </Card>
  );
}
