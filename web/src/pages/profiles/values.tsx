import { useFormat, useT } from '../../i18n/i18n.js';
import { messages } from './messages.js';

/** An ISO 8601 date-time as the server writes them (traits like createdAt, computed last_order). */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A date-time in the user's locale and time zone, with the exact instant in `datetime` (and as a tooltip). */
export function When({ iso }: { iso: string | null | undefined }) {
  const f = useFormat();
  const t = useT(messages);
  if (!iso) return <span class="muted">{t('never')}</span>;
  return (
    <time dateTime={iso} title={iso}>
      {f.dateTime(iso)}
    </time>
  );
}

/**
 * One trait value, readable: numbers and dates in the user's locale, booleans as yes/no, nested objects as a nested
 * list (an address, interests by category), lists of plain values joined.
 */
export function Value({ value }: { value: unknown }) {
  const f = useFormat();
  const t = useT(messages);
  if (value === null || value === undefined || value === '') return <span class="muted">—</span>;
  if (typeof value === 'boolean') return <>{value ? t('yes') : t('no')}</>;
  if (typeof value === 'number') return <span class="num">{f.number(value, 2)}</span>;
  if (typeof value === 'string') return ISO_DATE_TIME.test(value) ? <When iso={value} /> : <>{value}</>;
  if (Array.isArray(value)) {
    if (value.every((v) => typeof v !== 'object' || v === null)) return <>{value.map((v) => String(v)).join(', ')}</>;
    return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
  }
  if (isRecord(value)) return <KeyValues record={value} nested />;
  return <>{String(value)}</>;
}

/** A record as a definition list (`<dl>` of term/value pairs), keys in the server's order. */
export function KeyValues({ record, label, nested, labelOf }: { record: Record<string, unknown>; label?: string; nested?: boolean; labelOf?: (key: string) => string }) {
  return (
    <dl class={nested ? 'kv kv-nested' : 'kv'} aria-label={label}>
      {Object.entries(record).map(([k, v]) => (
        <div key={k} class="kv-row" data-key={k}>
          <dt>{labelOf ? labelOf(k) : k}</dt>
          <dd>
            <Value value={v} />
          </dd>
        </div>
      ))}
    </dl>
  );
}
