import { useEffect, useState } from 'preact/hooks';
import { useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';

/**
 * Copies `text` with the Clipboard API. Where the browser refuses (a page over plain http on another host than
 * localhost has no clipboard API), it selects the text of `target` and says how to copy by hand.
 */
export function CopyButton({ text, what, target }: { text: string; what: string; target?: string }) {
  const t = useT(messages);
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state !== 'copied') return;
    const id = setTimeout(() => setState('idle'), 3000);
    return () => clearTimeout(id);
  }, [state]);

  // A new text (another key chosen) is not "copied" yet.
  useEffect(() => setState('idle'), [text]);

  const copy = async (): Promise<void> => {
    try {
      if (!navigator.clipboard) throw new Error('no clipboard');
      await navigator.clipboard.writeText(text);
      setState('copied');
    } catch {
      setState('failed');
      const el = target ? document.getElementById(target) : null;
      if (el) {
        if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) el.select();
        else window.getSelection()?.selectAllChildren(el);
      }
    }
  };

  return (
    <span class="copy">
      <button type="button" class="small" aria-label={t('copyAria', { what })} onClick={() => void copy()}>
        {t('copy')}
      </button>
      <span role="status" class={state === 'failed' ? 'error-text copy-status' : 'ok-text copy-status'}>
        {state === 'copied' ? t('copied') : state === 'failed' ? t('copyFailed') : ''}
      </span>
    </span>
  );
}
