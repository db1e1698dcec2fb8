import { ApiError } from '../api/client.js';
import { common } from '../i18n/common.js';
import { useT } from '../i18n/i18n.js';

export function Loading({ label }: { label?: string }) {
  const t = useT(common);
  return (
    <p class="loading" role="status" aria-live="polite">
      {label ?? t('loading')}
    </p>
  );
}

/** An API error as the user should see it: the message, the server's hint, and the stable code to search the docs for. */
export function ErrorBox({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT(common);
  const e = error instanceof ApiError ? error : null;
  const message = e ? e.message : error instanceof Error ? error.message : String(error);
  return (
    <div class="error-box" role="alert">
      <strong>{t('errorTitle')}</strong>
      <p>{message}</p>
      {e?.hint ? <p class="hint">{e.hint}</p> : null}
      {e ? (
        <p class="muted">
          {t('errorCode')}: <code>{e.code}</code>
        </p>
      ) : null}
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          {t('retry')}
        </button>
      ) : null}
    </div>
  );
}

/** Renders a query's data, or its loading state, or its error with a retry button. */
export function Loaded<T>({ q, children }: { q: { data: T | undefined; error: unknown; loading: boolean; reload: () => void }; children: (data: T) => preact.ComponentChildren }) {
  if (q.error) return <ErrorBox error={q.error} onRetry={q.reload} />;
  if (q.data === undefined) return <Loading />;
  return <>{children(q.data)}</>;
}
