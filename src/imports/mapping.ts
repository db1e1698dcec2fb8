import { z } from 'zod';
import { AppError } from '../kernel/index.js';
import { buildNormaliser, parseNormaliserSpec, type NormalisedValue, type Normaliser } from '../quality/index.js';

export const ImportKind = z.enum(['customers', 'events', 'orders']);
export type ImportKind = z.infer<typeof ImportKind>;

/** Where a column goes, per kind: identifiers, message fields, or a named trait/property. */
const COMMON_TARGETS = ['userId', 'anonymousId', 'externalId', 'email', 'timestamp', 'messageId', 'ignore'] as const;
const KIND_TARGETS: Record<ImportKind, readonly string[]> = {
  customers: COMMON_TARGETS,
  events: [...COMMON_TARGETS, 'event'],
  orders: [...COMMON_TARGETS, 'orderId', 'revenue', 'currency', 'products'],
};
const KIND_PREFIX: Record<ImportKind, string> = { customers: 'traits.', events: 'properties.', orders: 'properties.' };

/** A trait or property name: letters, digits, _ and -, starting with a letter (no dots: traits are flat). */
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,99}$/;

export const ColumnMapping = z
  .object({
    to: z.string().min(1).describe('userId, anonymousId, externalId, email, timestamp, messageId, ignore; traits.NAME (customers); event, properties.NAME (events); orderId, revenue, currency, products, properties.NAME (orders).'),
    normalise: z.unknown().optional().describe('A normaliser spec (docs/normalisation.md), such as { "kind": "phone", "defaultRegion": "FR" }.'),
    required: z.boolean().default(false).describe('An empty cell rejects the row (import.missing_field) instead of leaving the field out.'),
    onInvalid: z
      .enum(['reject', 'keep', 'drop'])
      .default('reject')
      .describe('A value the normaliser refuses: reject the row (quarantined), keep the value as written (the quality report counts it invalid), or drop the value; kept and dropped values are counted by code in the run summary.'),
  })
  .strict();
export type ColumnMapping = z.infer<typeof ColumnMapping>;

export const Mapping = z
  .object({
    kind: ImportKind.optional().describe('What the file holds; the --as option wins, and must agree when both are given.'),
    columns: z.record(z.string(), ColumnMapping).describe('By column name as in the header (or key of a JSON object).'),
    event: z.string().min(1).max(200).optional().describe('events: the event name of every row, when no column holds it.'),
    currency: z.string().length(3).optional().describe('orders: the currency of every row, when no column (or amount) gives it.'),
    externalIdType: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,39}$/)
      .default('crm')
      .describe('The kind of id an externalId column holds (crm, erp, shop...): the row is known by the anonymousId TYPE:ID.'),
    unmapped: z.enum(['ignore', 'keep']).default('ignore').describe('keep: columns not listed become traits (customers) or properties, named as in the file.'),
  })
  .strict();
export type Mapping = z.infer<typeof Mapping>;
export type MappingInput = z.input<typeof Mapping>;

/** One column ready to apply: its target and its normaliser (null: the text as it is, trimmed). */
export interface CompiledColumn {
  column: string;
  target: string;
  required: boolean;
  normalise: Normaliser<NormalisedValue> | null;
  onInvalid: 'reject' | 'keep' | 'drop';
}

export interface CompiledMapping {
  kind: ImportKind;
  columns: CompiledColumn[];
  event: string | null;
  currency: string | null;
  keepUnmapped: boolean;
  externalIdType: string;
}

/** Default normalisers for targets that need a type: timestamps are date-times (French formats and ISO, Paris time). */
const DEFAULT_SPECS: Record<string, unknown> = {
  timestamp: { kind: 'datetime' },
  email: { kind: 'email' },
  revenue: { kind: 'money', defaultCurrency: 'EUR' },
  currency: { kind: 'currency' },
};

/**
 * Checks a mapping (parsed JSON) for a kind and builds its normalisers once. Every problem is an AppError
 * `import.invalid_mapping` whose message lists the issues with their paths (`columns.Téléphone.normalise.defaultRgion`).
 */
export function compileMapping(input: unknown, kind: ImportKind | undefined, header: readonly string[]): CompiledMapping {
  const parsed = Mapping.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
    throw new AppError('import.invalid_mapping', `The mapping is invalid: ${issues.map((i) => `${i.path || 'mapping'}: ${i.message}`).join('; ')}.`, {
      details: { issues },
    });
  }
  const m = parsed.data;
  const k = kind ?? m.kind;
  if (!k) throw new AppError('import.invalid_mapping', 'Say what the file holds: --as customers, events or orders (or "kind" in the mapping).');
  const issues: { path: string; message: string }[] = [];
  if (kind && m.kind && kind !== m.kind) issues.push({ path: 'kind', message: `The mapping is for ${m.kind}, the import for ${kind}` });
  const columns: CompiledColumn[] = [];
  const targets = new Map<string, string>();
  for (const [column, c] of Object.entries(m.columns)) {
    const path = `columns.${column}`;
    const prefix = KIND_PREFIX[k];
    const ok = KIND_TARGETS[k].includes(c.to) || (c.to.startsWith(prefix) && NAME.test(c.to.slice(prefix.length)));
    if (!ok) {
      issues.push({ path: `${path}.to`, message: `"${c.to}" is not a target of ${k}: use ${KIND_TARGETS[k].join(', ')} or ${prefix}NAME` });
      continue;
    }
    if (header.length > 0 && !header.includes(column)) issues.push({ path, message: `The file has no column "${column}" (it has ${header.join(', ')})` });
    const earlier = targets.get(c.to);
    if (earlier !== undefined && c.to !== 'ignore') issues.push({ path: `${path}.to`, message: `"${c.to}" is already the target of column "${earlier}"` });
    targets.set(c.to, column);
    let normalise: Normaliser<NormalisedValue> | null = null;
    const specInput = c.normalise ?? DEFAULT_SPECS[c.to];
    if (specInput !== undefined) {
      const spec = parseNormaliserSpec(specInput);
      if (spec.ok) normalise = buildNormaliser(spec.value);
      else issues.push({ path: `${path}.normalise`, message: spec.error.message });
    }
    if (c.onInvalid !== 'reject' && !(c.to.startsWith('traits.') || c.to.startsWith('properties.'))) {
      issues.push({ path: `${path}.onInvalid`, message: `only traits and properties can keep or drop an invalid value; ${c.to} must be valid (reject)` });
    }
    columns.push({ column, target: c.to, required: c.required, normalise, onInvalid: c.onInvalid });
  }
  if (k === 'events' && !targets.has('event') && !m.event) issues.push({ path: 'event', message: 'Name the event: a column with "to": "event", or "event": "Name"' });
  if (k === 'orders' && !targets.has('orderId')) issues.push({ path: 'columns', message: 'An orders mapping needs the order id column ("to": "orderId"): it makes re-imports idempotent' });
  if (!targets.has('userId') && !targets.has('email') && !targets.has('anonymousId') && !targets.has('externalId')) {
    issues.push({ path: 'columns', message: 'Map at least one identifier column: userId, email, anonymousId or externalId' });
  }
  if (issues.length > 0) {
    throw new AppError('import.invalid_mapping', `The mapping is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}.`, { details: { issues } });
  }
  return { kind: k, columns, event: m.event ?? null, currency: m.currency?.toUpperCase() ?? null, keepUnmapped: m.unmapped === 'keep', externalIdType: m.externalIdType };
}
