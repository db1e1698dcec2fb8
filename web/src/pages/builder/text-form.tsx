import { useRef } from 'preact/hooks';
import type { ParseError } from '../../../../src/segments/parse-text.js';
import { useT } from '../../i18n/i18n.js';
import { stripPosition } from './convert.js';
import { messages } from './messages.js';

/**
 * The definition as text. The user's text is never rewritten while they type (only an edit in the visual editor
 * replaces it), so the caret stays put. A parse error is shown at its place: highlighted in the text (a backdrop
 * behind the transparent text area), and as the offending line with a caret under the column.
 */

// The excerpt fits the text column: at most 44 characters, the error 24 characters in when the line is longer.
const EXCERPT_BEFORE = 24;
const EXCERPT_WIDTH = 44;

/** The error's line (cut around the column when long) and the caret's column in it. */
export function errorExcerpt(text: string, e: Pick<ParseError, 'line' | 'column'>): { line: string; caret: number } {
  const full = (text.split('\n')[e.line - 1] ?? '').replace(/[\t\r]/g, ' ');
  const col = e.column - 1;
  if (full.length <= EXCERPT_WIDTH) return { line: full, caret: col };
  const start = Math.max(0, col - EXCERPT_BEFORE);
  const end = Math.min(full.length, start + EXCERPT_WIDTH);
  const lead = start > 0 ? '…' : '';
  return { line: `${lead}${full.slice(start, end)}${end < full.length ? '…' : ''}`, caret: col - start + lead.length };
}

/** The span to highlight: the offending token, or one character at the end of the text. */
export function errorSpan(text: string, e: Pick<ParseError, 'offset' | 'found'>): [number, number] {
  const len = e.found !== 'end of input' && text.startsWith(e.found, e.offset) ? Math.max(1, e.found.length) : 1;
  return [e.offset, Math.min(text.length, e.offset + len)];
}

export function TextForm({ text, error, onInput }: { text: string; error: ParseError | null; onInput: (text: string) => void }) {
  const t = useT(messages);
  const area = useRef<HTMLTextAreaElement>(null);
  const backdrop = useRef<HTMLDivElement>(null);
  const span = error ? errorSpan(text, error) : null;
  const excerpt = error ? errorExcerpt(text, error) : null;

  const goToError = () => {
    const el = area.current;
    if (!el || !span) return;
    el.focus();
    el.setSelectionRange(span[0], span[1]);
  };

  return (
    <div class="text-form">
      <label for="builder-text" class="field-label">
        {t('textLabel')}
      </label>
      <p class="muted small" id="builder-text-help">
        {t('textHelp')}
      </p>
      <div class={`text-wrap${error ? ' invalid' : ''}`}>
        <div class="text-backdrop" ref={backdrop} aria-hidden="true">
          {span ? (
            <>
              {text.slice(0, span[0])}
              <mark>{span[1] > span[0] ? text.slice(span[0], span[1]) : ' '}</mark>
              {span[1] > span[0] ? text.slice(span[1]) : ''}
            </>
          ) : (
            text
          )}
          {/* A trailing line break in a textarea shows an empty line; the backdrop needs one more character to match. */}
          {'\u200b'}
        </div>
        <textarea
          id="builder-text"
          ref={area}
          spellcheck={false}
          autocomplete="off"
          autocapitalize="off"
          placeholder='count(event = "Order Completed", within = 30d) >= 1'
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'builder-text-error builder-text-help' : 'builder-text-help'}
          value={text}
          onInput={(e) => onInput(e.currentTarget.value)}
          onScroll={(e) => {
            if (backdrop.current) backdrop.current.scrollTop = e.currentTarget.scrollTop;
          }}
        />
      </div>
      {error && excerpt ? (
        <div class="parse-error" id="builder-text-error" data-testid="parse-error">
          <p>
            <strong data-testid="error-position">{t('errorAt', { line: String(error.line), column: String(error.column) })}</strong>
            {' — '}
            <span data-testid="error-message">{stripPosition(error.message)}</span>
          </p>
          <pre class="error-excerpt" aria-label={t('errorExcerpt')} data-testid="error-excerpt">
            <code>
              {excerpt.line}
              {'\n'}
              {' '.repeat(Math.max(0, excerpt.caret))}
              <span class="caret">^</span>
            </code>
          </pre>
          {error.hint ? (
            <p class="hint">{t('hint', { text: error.hint })}</p>
          ) : null}
          {error.expected.length > 0 ? <p class="muted small">{t('expected', { list: error.expected.join(', ') })}</p> : null}
          <button type="button" class="small" onClick={goToError}>
            {t('goToError')}
          </button>
        </div>
      ) : null}
    </div>
  );
}
