import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useMemo, useState } from 'preact/hooks';
import { createClient, type Api } from './client.js';

/**
 * The admin key the user logged in with. Kept in sessionStorage (gone when the tab closes) unless the user asks to
 * stay logged in, then in localStorage. It is sent as a bearer token; the server checks it on every API call.
 */

const KEY = 'segmentum.key';

function savedKey(): string | null {
  return sessionStorage.getItem(KEY) ?? localStorage.getItem(KEY);
}

interface SessionState {
  key: string | null;
  /** Why the user was logged out, shown on the login page. */
  notice: string | null;
  login: (key: string, remember: boolean) => void;
  logout: (notice?: string) => void;
}

const SessionContext = createContext<SessionState | null>(null);
const ApiContext = createContext<Api | null>(null);

export function SessionProvider({ children, expiredNotice }: { children: ComponentChildren; expiredNotice: string }) {
  const [key, setKey] = useState<string | null>(savedKey);
  const [notice, setNotice] = useState<string | null>(null);
  const logout = useCallback((why?: string) => {
    sessionStorage.removeItem(KEY);
    localStorage.removeItem(KEY);
    setNotice(why ?? null);
    setKey(null);
  }, []);
  const login = useCallback((k: string, remember: boolean) => {
    (remember ? localStorage : sessionStorage).setItem(KEY, k);
    setNotice(null);
    setKey(k);
  }, []);
  const api = useMemo(() => (key ? createClient({ key, onUnauthorized: () => logout(expiredNotice) }) : null), [key, logout, expiredNotice]);
  const session = useMemo(() => ({ key, notice, login, logout }), [key, notice, login, logout]);
  return (
    <SessionContext.Provider value={session}>
      <ApiContext.Provider value={api}>{children}</ApiContext.Provider>
    </SessionContext.Provider>
  );
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The API client of the logged-in user (pages are only rendered once logged in). */
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi needs a logged-in session');
  return api;
}
