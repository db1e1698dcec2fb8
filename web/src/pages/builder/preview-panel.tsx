import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Preview } from '../../api/client.js';
import { useApi } from '../../api/session.js';
import { Stat } from '../../components/ui.js';
import { common } from '../../i18n/common.js';
import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';

/** The live size of the definition being edited: POST /api/segments/preview, 400 ms after the last change. */

export const PREVIEW_DELAY_MS = 400;

export interface PreviewState {
  result: Preview | null;
  error: unknown;
  loading: boolean;
  /** The definition (canonical text) the result or the error is about. */
  text: string | null;
}

export interface DefinitionIssue {
  path: string;
  message: string;
}

/** The issues of a `segments.invalid_definition` answer: where in the tree, and what is wrong. */
export function issuesOf(error: unknown): DefinitionIssue[] {
  const list: unknown = error instanceof ApiError ? error.details.issues : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((i: unknown) =>
    typeof i === 'object' && i !== null && 'path' in i && 'message' in i && typeof i.path === 'string' && typeof i.message === 'string'
      ? [{ path: i.path, message: i.message }]
      : [],
  );
}

/** Previews `text` (null: nothing to preview, the last answer stays, shown as out of date). */
export function usePreview(text: string | null): PreviewState {
  const api = useApi();
  const [state, setState] = useState<PreviewState>({ result: null, error: null, loading: false, text: null });
  useEffect(() => {
    if (text === null) {
      setState((s) => (s.loading ? { ...s, loading: false } : s));
      return;
    }
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(() => {
      api.preview(text).then(
        (result) => {
          if (live) setState({ result, error: null, loading: false, text });
        },
        (error: unknown) => {
          if (live) setState({ result: null, error, loading: false, text });
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [text, api]);
  return state;
}

export function PreviewPanel({
  state,
  current,
  textError,
  total,
  where,
}: {
  state: PreviewState;
  current: string | null;
  textError: boolean;
  total: number | undefined;
  /** "Condition 2" for a path of the definition, when it can be placed. */
  where: (path: string) => string | null;
}) {
  const t = useT(messages);
  const tc = useT(common);
  const fmt = useFormat();
  const stale = state.text !== current;
  const r = state.result;
  const e = state.error instanceof ApiError ? state.error : null;
  const issues = issuesOf(state.error);
  const details = r
    ? [total ? t('previewShare', { percent: fmt.percent(total > 0 ? r.size / total : 0), total: fmt.number(total) }) : null, t('previewAt', { time: fmt.time(r.at) })]
        .filter(Boolean)
        .join(' · ')
    : '';

  return (
    <section class="card preview" aria-labelledby="preview-title" aria-busy={state.loading}>
      <div class="card-head">
        <h2 id="preview-title">{t('previewTitle')}</h2>
        <span class="muted small" role="status">
          {state.loading ? t('previewLoading') : ''}
        </span>
      </div>
      {textError ? <p class="notice small">{t('previewTextError')}</p> : current === null ? <p class="muted">{t('previewWaiting')}</p> : null}
      {state.error ? (
        <div class={`error-box${stale ? ' stale' : ''}`} role="alert" data-testid="preview-error">
          <strong>{t('previewRejected')}</strong>
          <p>{e ? e.message : String(state.error)}</p>
          {issues.length > 0 ? (
            <ul>
              {issues.map((i, k) => {
                const w = where(i.path);
                return <li key={k}>{t('issueAt', { where: w ?? i.path, message: i.message })}</li>;
              })}
            </ul>
          ) : null}
          {e?.hint ? <p class="hint">{e.hint}</p> : null}
          {e ? (
            <p class="muted">
              {tc('errorCode')}: <code>{e.code}</code>
            </p>
          ) : null}
        </div>
      ) : r ? (
        <div class={stale ? 'stale' : ''}>
          <Stat label={t('previewSize')} value={fmt.number(r.size)} detail={details} testId="preview-size" />
          <h3>{t('previewSample')}</h3>
          {r.sample.length > 0 ? (
            <ul class="sample">
              {r.sample.map((id) => (
                <li key={id}>
                  <a href={`/profiles/${encodeURIComponent(id)}`} class="mono">
                    {id}
                  </a>
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">{t('previewNoSample')}</p>
          )}
        </div>
      ) : null}
    </section>
  );
}
