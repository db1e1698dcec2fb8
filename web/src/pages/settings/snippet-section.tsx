import { useMemo, useState } from 'preact/hooks';
import type { Key } from '../../api/client.js';
import { useT } from '../../i18n/i18n.js';
import { CopyButton } from './copy-button.js';
import { messages } from './messages.js';
import { buildSnippets } from './snippets.js';

/** Keys that can go into a snippet: track scope, not revoked, and with their text (public by design). */
export const usableWriteKeys = (keys: Key[]): (Key & { key: string })[] =>
  keys.filter((k): k is Key & { key: string } => k.scopes.includes('track') && k.revokedAt === null && typeof k.key === 'string' && k.key !== '');

/**
 * The code to paste, for the chosen write key and this server's address: the npm package, Segment's snippet, curl
 * and the pixel. Without a usable write key, says why and offers to create one.
 */
export function SnippetSection({ keys, onCreateWriteKey }: { keys: Key[]; onCreateWriteKey: () => void }) {
  const t = useT(messages);
  const writeKeys = useMemo(() => usableWriteKeys(keys), [keys]);
  const [chosen, setChosen] = useState<string | null>(null);
  const key = writeKeys.find((k) => k.id === chosen) ?? writeKeys[writeKeys.length - 1];
  const origin = window.location.origin;
  const code = useMemo(() => (key ? buildSnippets(key.key, origin) : null), [key, origin]);

  return (
    <section id="snippet" class="card snippet" aria-labelledby="snippet-title" tabIndex={-1}>
      <div class="card-head">
        <h2 id="snippet-title">{t('snippetTitle')}</h2>
      </div>
      <p class="muted">{t('snippetIntro', { origin })}</p>
      {!key || !code ? (
        <div class="notice snippet-missing">
          <p>{keys.some((k) => k.scopes.includes('track') && !k.revokedAt) ? t('noWriteKey') : t('noWriteKeyAtAll')}</p>
          <button type="button" class="primary" onClick={onCreateWriteKey}>
            {t('createWriteKey')}
          </button>
        </div>
      ) : (
        <>
          {/* `for`, not a wrapping label: the options' text would become part of the select's name. */}
          <div class="field snippet-key">
            <label for="snippet-key">{t('writeKey')}</label>
            <select id="snippet-key" value={key.id} onChange={(e) => setChosen(e.currentTarget.value)}>
              {writeKeys.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.label} ({k.prefix}…)
                </option>
              ))}
            </select>
          </div>
          <CodeBlock id="code-npm" title={t('npmTitle')} help={t('npmHelp')} code={code.npm} what={t('npmWhat')} />
          <CodeBlock id="code-snippet" title={t('snippetFormTitle')} help={t('snippetFormHelp')} code={code.snippet} what={t('snippetWhat')} />
          <CodeBlock id="code-curl" title={t('curlTitle')} help={t('curlHelp')} code={code.curl} what={t('curlWhat')} />
          <CodeBlock id="code-pixel" title={t('pixelTitle')} help={t('pixelHelp')} code={code.pixelUrl} what={t('pixelWhat')} />
          <CodeBlock id="code-pixel-img" code={code.pixelImg} what={t('pixelImgWhat')} />
          <p class="muted">{t('docsHint')}</p>
        </>
      )}
    </section>
  );
}

function CodeBlock({ id, title, help, code, what }: { id: string; title?: string; help?: string; code: string; what: string }) {
  return (
    <div class="code-block">
      {title ? <h3 id={`${id}-title`}>{title}</h3> : null}
      {help ? <p class="muted code-help">{help}</p> : null}
      <div class="code-wrap">
        <pre id={id} class="code" data-testid={id}>
          <code>{code}</code>
        </pre>
        <div class="code-copy">
          <CopyButton text={code} what={what} target={id} />
        </div>
      </div>
    </div>
  );
}
