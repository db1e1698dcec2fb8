import { z } from 'zod';
import { ok, type Result } from '../../kernel/index.js';
import { fail, show, textOf, type NormaliseError, type Normaliser } from './normalise-error.js';

/**
 * Provider rewrites, each off unless listed:
 * - `gmail`: Gmail ignores dots and everything after `+` in the local part, and googlemail.com is the same mailbox
 *   as gmail.com (Gmail Help, "Dots don't matter in Gmail addresses" and "Create task-specific email addresses");
 * - `plus_tags`: drop a `+tag` on every domain (sub-addressing, RFC 5233), for teams that count one person per mailbox.
 */
export const EmailRewrite = z.enum(['gmail', 'plus_tags']);
export type EmailRewrite = z.infer<typeof EmailRewrite>;

export const EmailSpec = z.strictObject({
  kind: z.literal('email'),
  rewrite: z.array(EmailRewrite).default([]),
});
export type EmailOptions = Omit<z.input<typeof EmailSpec>, 'kind'>;

// A practical subset of RFC 5322: a dot-atom local part (no quoted strings, no comments), and a domain of
// letter-digit-hyphen labels (Unicode letters allowed for internationalised domains) whose last label is not numeric.
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/u;
const LABEL = /^(?!-)[\p{L}\p{M}0-9-]{1,63}(?<!-)$/u;
const TLD = /^(?:[\p{L}\p{M}]{2,63}|xn--[a-z0-9-]{1,59})$/u;
const MAX_LOCAL = 64;
const MAX_ADDRESS = 254;
const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/**
 * Emails trimmed, lower-cased and checked: `emailNormaliser()(" Jean.Dupont@Orange.FR ")` is
 * `ok("jean.dupont@orange.fr")`. Local parts are case-sensitive in theory and case-blind at every mail provider in
 * practice; lower-casing is what lets one person be matched across sources.
 */
export function emailNormaliser(options: EmailOptions = {}): Normaliser<string> {
  const spec = EmailSpec.parse({ ...options, kind: 'email' });
  const gmail = spec.rewrite.includes('gmail');
  const plusTags = spec.rewrite.includes('plus_tags');
  return (raw) => {
    const text = textOf(raw, 'quality.invalid_email', 'email address');
    if (!text.ok) return text;
    const address = text.value.toLowerCase();
    const bad = (why: string) => fail('quality.invalid_email', raw, `${show(raw)} is not a valid email address: ${why}.`);
    if (/\s/u.test(address)) return bad('remove the spaces inside it');
    const at = address.lastIndexOf('@');
    if (at < 0) return bad('it has no @');
    let local = address.slice(0, at);
    let domain = address.slice(at + 1);
    if (local.includes('@')) return bad('it has more than one @; keep one address per cell');
    if (local === '') return bad('nothing comes before the @');
    if (local.length > MAX_LOCAL) return bad(`the part before the @ has ${local.length} characters, at most ${MAX_LOCAL} are allowed`);
    if (!LOCAL.test(local)) return bad('the part before the @ has a character not allowed there, or a misplaced dot');
    if (domain.endsWith('.')) domain = domain.slice(0, -1);
    const labels = domain.split('.');
    if (labels.length < 2) return bad(`the domain ${JSON.stringify(domain)} needs a dot, as in orange.fr`);
    if (!labels.every((l) => LABEL.test(l))) return bad(`the domain ${JSON.stringify(domain)} is malformed`);
    if (!TLD.test(labels[labels.length - 1] ?? '')) return bad(`the domain ${JSON.stringify(domain)} does not end in a real top-level domain`);

    if (gmail && GMAIL_DOMAINS.has(domain)) {
      domain = 'gmail.com';
      local = stripTag(local).replaceAll('.', '');
    } else if (plusTags) {
      const untagged = stripTag(local);
      // "jean.+promo" would leave "jean.", not an address: such a local part is kept whole.
      if (LOCAL.test(untagged)) local = untagged;
    }
    const result = `${local}@${domain}`;
    if (result.length > MAX_ADDRESS) return bad(`it has ${result.length} characters, at most ${MAX_ADDRESS} are allowed`);
    return ok(result);
  };
}

function stripTag(local: string): string {
  const plus = local.indexOf('+');
  // A local part that starts with "+" has no tag to remove, only a name.
  return plus > 0 ? local.slice(0, plus) : local;
}

export function normaliseEmail(raw: unknown, options: EmailOptions = {}): Result<string, NormaliseError> {
  return emailNormaliser(options)(raw);
}
