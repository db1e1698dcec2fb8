import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './client.js';
import { useApi } from './session.js';

export interface Query<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads `fn(api)` when the component mounts and whenever `deps` change; answers that arrive after a newer request
 * started are dropped. With `pollMs`, loads again on that interval (paused while the tab is hidden).
 */
export function useQuery<T>(fn: (api: Api) => Promise<T>, deps: unknown[], opts: { pollMs?: number; enabled?: boolean } = {}): Query<T> {
  const api = useApi();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const enabled = opts.enabled ?? true;

  useEffect(() => {
    if (!enabled) {
      setLoading(false);
      return;
    }
    const mine = ++generation.current;
    setLoading(true);
    fn(api).then(
      (v) => {
        if (mine !== generation.current) return;
        setData(v);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (mine !== generation.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, [api, tick, enabled, ...deps]);

  useEffect(() => {
    if (!opts.pollMs || !enabled) return;
    const id = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, opts.pollMs);
    return () => clearInterval(id);
  }, [opts.pollMs, enabled]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}
