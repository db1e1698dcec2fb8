import type { Segment } from '../../api/client.js';
import { Badge } from '../../components/ui.js';
import { useT, type Format } from '../../i18n/i18n.js';
import { messages } from './messages.js';

/** A segment's kind as a badge: "Rule" or "Manual list". */
export function KindBadge({ kind }: { kind: Segment['kind'] }) {
  const t = useT(messages);
  return <Badge tone={kind === 'manual' ? 'warn' : 'neutral'}>{kind === 'manual' ? t('kindManual') : t('kindRule')}</Badge>;
}

/** "+12", "−3" (a real minus sign) or "0", with the locale's digits. */
export function signed(f: Format, n: number): string {
  if (n > 0) return `+${f.number(n)}`;
  if (n < 0) return `\u2212${f.number(-n)}`;
  return f.number(0);
}

/** A one-week trend as the API gives it (GET /api/segments/trends, or the overview's segments). */
export interface TrendPoint {
  day: string;
  size: number;
}
export interface TrendItem {
  id: string;
  trend: TrendPoint[];
}

/** A file name the user's system accepts: the segment name with anything odd replaced by a dash. */
export function fileSafe(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s || 'segment';
}
