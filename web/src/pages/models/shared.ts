import type { ModelTarget } from '../../api/client.js';
import type { Translate } from '../../i18n/i18n.js';
import type { MessageKey } from './messages.js';

export const ALGOS = ['gbdt', 'forest', 'logreg', 'mlp'] as const;

/** A model's target in words: "Order Completed within 14 days", or its churn form. */
export function targetText(t: Translate<MessageKey>, target: ModelTarget): string {
  return t(target.kind === 'churn' ? 'target_churn' : 'target_event', { event: target.event, days: target.days });
}

export const modelHref = (name: string, version?: number): string => `/models/${encodeURIComponent(name)}${version === undefined ? '' : `?version=${version}`}`;
