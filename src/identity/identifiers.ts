import { createHash } from 'node:crypto';
import type { IdentityKind } from '../store/index.js';

/** One identifier of a person: its kind and its value (emails are stored hashed, never in clear). */
export interface Identifier {
  kind: IdentityKind;
  value: string;
}

/** The order in which identifiers choose a profile when they point at different ones. */
export const KIND_PRIORITY: readonly IdentityKind[] = ['user_id', 'email', 'anonymous_id'];

export const keyOf = (id: Identifier): string => `${id.kind}:${id.value}`;

/** Emails link profiles by a SHA-256 of their trimmed, lower-cased form, so the identity table holds no address. */
export function emailIdentityValue(email: string): string {
  return createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
}

/** Case-insensitive lookup of blocked identifier values (`"null"`, `"anonymous"`, all zeros...). */
export class BlockList {
  private readonly blocked: Set<string>;
  constructor(values: readonly string[]) {
    this.blocked = new Set(values.map((v) => v.trim().toLowerCase()));
  }
  isBlocked(value: string): boolean {
    const v = value.trim().toLowerCase();
    if (this.blocked.has(v)) return true;
    // Any run of zeros with separators is a placeholder (0000, 00000000-0000-..., 0-0).
    return v.length > 0 && /^[0\-_.: ]+$/.test(v);
  }
}

/** A plausible email address: enough to refuse garbage as an identifier, not a validator. */
export function looksLikeEmail(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim());
}
