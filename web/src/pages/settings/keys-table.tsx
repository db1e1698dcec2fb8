import { useEffect, useRef, useState } from 'preact/hooks';
import type { Key } from '../../api/client.js';
import { useApi, useSession } from '../../api/session.js';
import { DataTable } from '../../components/data-table.js';
import { ErrorBox } from '../../components/feedback.js';
import { Badge } from '../../components/ui.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';

const SCOPE_TONE = { track: 'good', read: 'neutral', manage: 'warn' } as const;

export function ScopeBadges({ scopes }: { scopes: Key['scopes'] }) {
  return (
    <span class="scope-badges">
      {scopes.map((s) => (
        <Badge key={s} tone={SCOPE_TONE[s]}>
          {s}
        </Badge>
      ))}
    </span>
  );
}

/** The keys, revoked ones included, with a Revoke button that asks first. */
export function KeysTable({ keys, onChanged }: { keys: Key[]; onChanged: () => void }) {
  const t = useT(messages);
  const fmt = useFormat();
  const session = useSession();
  const [revoking, setRevoking] = useState<Key | null>(null);
  const isMine = (k: Key): boolean => k.prefix !== '' && session.key !== null && session.key.startsWith(k.prefix) && (k.key === null || k.key === session.key);

  return (
    <>
      <DataTable
        caption={t('keysCaption')}
        class="keys-table"
        testId="keys-table"
        empty={t('noKeys')}
        columns={[
          { key: 'label', label: t('label') },
          { key: 'scopes', label: t('scopes') },
          { key: 'prefix', label: t('prefix') },
          { key: 'created', label: t('created') },
          { key: 'status', label: t('status') },
          { key: 'actions', label: t('actions'), hiddenLabel: true },
        ]}
      >
        {keys.map((k) => (
          <tr key={k.id} data-key-id={k.id} class={k.revokedAt ? 'is-revoked' : undefined}>
            <th scope="row">
              {k.label}
              {isMine(k) ? (
                <>
                  {' '}
                  <Badge>{t('yourKey')}</Badge>
                </>
              ) : null}
            </th>
            <td>
              <ScopeBadges scopes={k.scopes} />
            </td>
            <td>{k.prefix ? <code>{k.prefix}…</code> : <span class="muted">{t('noPrefix')}</span>}</td>
            <td class="nowrap">{fmt.dateTime(k.createdAt)}</td>
            <td>{k.revokedAt ? <Badge tone="bad">{t('revokedOn', { date: fmt.dateTime(k.revokedAt) })}</Badge> : <Badge tone="good">{t('active')}</Badge>}</td>
            <td>
              {k.revokedAt ? null : (
                <button type="button" class="danger small" aria-label={t('revokeAria', { label: k.label, prefix: k.prefix || t('noPrefix') })} onClick={() => setRevoking(k)}>
                  {t('revoke')}
                </button>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      {revoking ? (
        <RevokeDialog
          target={revoking}
          mine={isMine(revoking)}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setRevoking(null);
            onChanged();
          }}
        />
      ) : null}
    </>
  );
}

/** A modal dialog (the browser's <dialog>: focus kept inside, Escape closes) that shows why a revocation failed. */
function RevokeDialog({ target, mine, onClose, onRevoked }: { target: Key; mine: boolean; onClose: () => void; onRevoked: () => void }) {
  const t = useT(messages);
  const api = useApi();
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  const confirm = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await api.revokeKey(target.id);
      onRevoked();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog
      ref={ref}
      class="revoke-dialog"
      aria-labelledby="revoke-title"
      aria-describedby="revoke-body"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id="revoke-title">{t('revokeTitle', { label: target.label })}</h2>
      <p id="revoke-body">
        {t('revokeBody')} {mine ? <strong>{t('revokeSelf')}</strong> : null}
      </p>
      <p>
        <ScopeBadges scopes={target.scopes} /> {target.prefix ? <code>{target.prefix}…</code> : null}
      </p>
      {error ? <ErrorBox error={error} /> : null}
      <div class="actions dialog-actions">
        <button type="button" onClick={onClose} autofocus>
          {t('cancel')}
        </button>
        <button type="button" class="danger-solid" disabled={busy} onClick={() => void confirm()}>
          {busy ? t('revoking') : t('revokeConfirm')}
        </button>
      </div>
    </dialog>
  );
}
