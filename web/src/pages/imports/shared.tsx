import type { ImportRun } from '../../api/client.js';
import { Badge } from '../../components/ui.js';
import { useT, type Format } from '../../i18n/i18n.js';
import { messages } from './messages.js';

/** The file's name without its folder (runs keep the full path the server read). */
export const fileName = (path: string): string => path.split(/[\\/]/).pop() || path;

export const runHref = (id: string): string => `/imports/${encodeURIComponent(id)}`;

/** A change of profile count with its sign: +3, −2, 0. */
export function signed(fmt: Format, n: number): string {
  return n > 0 ? `+${fmt.number(n)}` : fmt.number(n);
}

/** The status of a run in words (the colour only repeats them). */
export function RunStatus({ status }: { status: ImportRun['status'] }) {
  const t = useT(messages);
  const tone = status === 'done' ? 'good' : status === 'failed' ? 'bad' : 'warn';
  return <Badge tone={tone}>{t(`status_${status}`)}</Badge>;
}
