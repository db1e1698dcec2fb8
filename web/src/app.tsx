import { ErrorBoundary, LocationProvider, Route, Router } from 'preact-iso';
import { useState } from 'preact/hooks';
import { ApiError, createClient } from './api/client.js';
import { SessionProvider, useSession } from './api/session.js';
import { Layout, LocaleSwitch } from './components/layout.js';
import { common } from './i18n/common.js';
import { LocaleProvider, useT } from './i18n/i18n.js';
import { PAGES } from './routes.js';

function NotFound() {
  const t = useT(common);
  return (
    <div>
      <h1>{t('notFoundTitle')}</h1>
      <p>{t('notFoundBody')}</p>
      <a href="/">{t('backToOverview')}</a>
    </div>
  );
}

function Login() {
  const t = useT(common);
  const { login, notice } = useSession();
  const [key, setKey] = useState('');
  const [remember, setRemember] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // The key is checked against the API before it is kept.
      await createClient({ key: key.trim() }).stats();
      login(key.trim(), remember);
    } catch (err) {
      setError(t('loginInvalid', { message: err instanceof ApiError ? `${err.message} (${err.code})` : String(err) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login" id="main">
      <form class="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <div class="brand">
          <span aria-hidden="true" class="brand-mark" />
          Segmentum
        </div>
        <h1 id="login-title">{t('loginTitle')}</h1>
        <p class="muted">{t('loginIntro')}</p>
        {notice ? (
          <p class="notice" role="status">
            {notice}
          </p>
        ) : null}
        <label class="field">
          <span>{t('loginKey')}</span>
          <input type="password" name="key" autocomplete="current-password" required value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        </label>
        <label class="check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
          <span>{t('loginRemember')}</span>
        </label>
        {error ? (
          <p class="error-text" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy || key.trim() === ''}>
          {busy ? t('loginChecking') : t('loginSubmit')}
        </button>
        <LocaleSwitch />
      </form>
    </main>
  );
}

function Shell() {
  const { key } = useSession();
  if (!key) return <Login />;
  return (
    <Layout>
      <ErrorBoundary>
        <Router>
          {[...PAGES.map((p) => <Route key={p.path} path={p.path} component={p.component} />), <Route key="404" default component={NotFound} />]}
        </Router>
      </ErrorBoundary>
    </Layout>
  );
}

function WithSession() {
  const t = useT(common);
  return (
    <SessionProvider expiredNotice={t('sessionExpired')}>
      <Shell />
    </SessionProvider>
  );
}

export function App() {
  return (
    <LocaleProvider>
      <LocationProvider>
        <WithSession />
      </LocationProvider>
    </LocaleProvider>
  );
}
