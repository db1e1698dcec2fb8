import { agrees } from '../../api/evidence.js';
import { Badge } from '../../components/ui.js';
import { useT, type Format } from '../../i18n/i18n.js';
import { messages, type MessageKey } from './messages.js';

export const profileHref = (id: string): string => `/profiles/${encodeURIComponent(id)}`;
export const pairHref = (id: string): string => `/identity/review/${encodeURIComponent(id)}`;

/** A match probability as a percentage with one decimal. */
export function probabilityText(fmt: Format, p: number): string {
  return fmt.percent(p);
}

const PARTIAL = new Set(['close', 'similar', 'near', 'one_edit']);

/** A matcher field (role) in words, with the role's code when it has no name. */
export function useRoleName(): (role: string) => string {
  const t = useT(messages);
  return (role) => {
    const key = `role_${role}`;
    return key in messages.en ? t(key as MessageKey) : role;
  };
}

/** A field's agreement in words and a symbol (✓ same, ≈ partly, ✗ different, – missing); the colour only repeats them. */
export function LevelBadge({ level }: { level: string }) {
  const t = useT(messages);
  const key = `level_${level}`;
  const text = key in messages.en ? t(key as MessageKey) : level;
  if (level === 'exact') return <Badge tone="good"><span aria-hidden="true">✓ </span>{text}</Badge>;
  if (PARTIAL.has(level) || (agrees(level) && level !== 'exact')) return <Badge tone="warn"><span aria-hidden="true">≈ </span>{text}</Badge>;
  if (level === 'disagree') return <Badge tone="bad"><span aria-hidden="true">✗ </span>{text}</Badge>;
  return <Badge><span aria-hidden="true">– </span>{text}</Badge>;
}

/** A weight with its sign and two decimals: +6.05, −1.87, 0.00. */
export function weightText(fmt: Format, w: number): string {
  const n = new Intl.NumberFormat(fmt.locale === 'fr' ? 'fr-FR' : 'en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(Math.abs(w));
  return w > 0 ? `+${n}` : w < 0 ? `−${n}` : n;
}
