import { createHash } from 'node:crypto';
import { isBlank, plainValue } from '../quality/index.js';
import type { ErrorCode } from '../kernel/index.js';
import type { CompiledMapping } from './mapping.js';
import type { SourceRow } from './read-file.js';

/** Why a row was not turned into a message: a catalogue code, and the column and value at fault when there is one. */
export interface RowProblem {
  code: ErrorCode;
  message: string;
  column: string | null;
  value: unknown;
}

export type RowOutcome =
  | { ok: true; message: Record<string, unknown>; messageId: string; /** Values kept as written or dropped (onInvalid). */ flagged: RowProblem[] }
  | { ok: false; problems: RowProblem[]; messageId: string };

/** What the message of a row records about where it came from (kept in `context.import`). */
export interface RowOrigin {
  runId: string;
  file: string;
  sourceId: string;
}

const MAX_MESSAGE_ID = 100;

export { plainValue };

/**
 * The deterministic messageId of a row: the ingest's dedup drops a row imported again from the same source. Orders
 * use their order id; rows with a messageId column use it; other rows a hash of (source, kind, row number, cells).
 */
export function rowMessageId(kind: string, sourceId: string, row: SourceRow, key: { orderId?: string; messageId?: string }): string {
  if (key.messageId !== undefined && key.messageId.length <= MAX_MESSAGE_ID) return key.messageId;
  if (key.orderId !== undefined && key.orderId.length + 6 <= MAX_MESSAGE_ID) return `order-${key.orderId}`;
  const h = createHash('sha256').update(`${sourceId}\u0000${kind}\u0000${row.row}\u0000${JSON.stringify(row.values)}`).digest('hex');
  return `imp-${h.slice(0, 40)}`;
}

const text = (v: unknown): string => (typeof v === 'string' ? v.normalize('NFC').trim() : typeof v === 'object' ? JSON.stringify(v) : String(v));

/**
 * Turns one row into a Segment message: identify (customers) or track (events; orders as "Order Completed").
 * Every column is checked and normalised; a row with any problem is refused whole, with all its problems.
 */
export function rowToMessage(m: CompiledMapping, row: SourceRow, origin: RowOrigin): RowOutcome {
  const problems: RowProblem[] = [];
  const flagged: RowProblem[] = [];
  const fields = new Map<string, unknown>();
  const named: Record<string, unknown> = {};
  let currencyFromAmount: string | null = null;
  // The timestamp first: an amount's exchange rate is the one of the row's date.
  const ordered = [...m.columns].sort((a, b) => Number(b.target === 'timestamp') - Number(a.target === 'timestamp'));
  let date: string | undefined;
  for (const c of ordered) {
    if (c.target === 'ignore') continue;
    const raw = row.values[c.column];
    if (isBlank(raw)) {
      if (c.required) problems.push({ code: 'import.missing_field', message: `The column "${c.column}" is required and empty.`, column: c.column, value: raw ?? null });
      continue;
    }
    let value: unknown;
    if (c.normalise) {
      const r = c.normalise(raw, date ? { date } : undefined);
      if (!r.ok) {
        const problem = { code: r.error.code, message: `${c.column}: ${r.error.message}`, column: c.column, value: raw };
        if (c.onInvalid === 'reject') {
          problems.push(problem);
          continue;
        }
        flagged.push(problem);
        if (c.onInvalid === 'drop') continue;
        value = typeof raw === 'number' || typeof raw === 'boolean' ? raw : text(raw);
      } else {
        if (typeof r.value === 'object' && 'amount' in r.value) currencyFromAmount = r.value.currency;
        value = plainValue(r.value);
      }
    } else if (c.target === 'products') {
      value = productsOf(raw);
      if (value === null) {
        problems.push({ code: 'import.invalid_value', message: `${c.column}: products must be a JSON array of objects.`, column: c.column, value: raw });
        continue;
      }
    } else value = typeof raw === 'number' || typeof raw === 'boolean' ? raw : text(raw);
    if (c.target === 'timestamp' && typeof value === 'string') date = value;
    if (c.target.startsWith('traits.') || c.target.startsWith('properties.')) named[c.target.slice(c.target.indexOf('.') + 1)] = value;
    else fields.set(c.target, value);
  }
  if (m.keepUnmapped) {
    const mapped = new Set(m.columns.map((c) => c.column));
    for (const [k, v] of Object.entries(row.values)) if (!mapped.has(k) && !isBlank(v) && !(k in named)) named[k] = typeof v === 'string' ? text(v) : v;
  }

  const str = (k: string): string | undefined => {
    const v = fields.get(k);
    return v === undefined ? undefined : String(v);
  };
  const orderId = str('orderId');
  const messageId = rowMessageId(m.kind, origin.sourceId, row, { orderId, messageId: str('messageId') });
  const userId = str('userId');
  const email = str('email');
  const externalId = str('externalId');
  let anonymousId = str('anonymousId');
  if (
    userId === undefined &&
    anonymousId === undefined &&
    email === undefined &&
    externalId === undefined &&
    !problems.some((p) => ['userId', 'email', 'anonymousId', 'externalId'].includes(targetOf(m, p.column)))
  ) {
    problems.push({ code: 'import.missing_field', message: 'The row has no identifier: fill in its userId, email, anonymousId or externalId column.', column: null, value: null });
  }
  if (m.kind === 'orders' && orderId === undefined && !problems.some((p) => targetOf(m, p.column) === 'orderId')) {
    problems.push({ code: 'import.missing_field', message: 'The row has no order id.', column: m.columns.find((c) => c.target === 'orderId')?.column ?? null, value: null });
  }
  const event = m.kind === 'orders' ? 'Order Completed' : (str('event') ?? m.event ?? undefined);
  if (m.kind === 'events' && event === undefined && !problems.some((p) => targetOf(m, p.column) === 'event')) {
    problems.push({ code: 'import.missing_field', message: 'The row has no event name.', column: m.columns.find((c) => c.target === 'event')?.column ?? null, value: null });
  }
  if (problems.length > 0) return { ok: false, problems, messageId };

  // An external id (a CRM customer number) is known as the anonymousId TYPE:ID: a profile may hold several (so the
  // duplicate records of one person can merge), where it holds one userId. Segment's context.externalIds keeps it too.
  if (userId === undefined && anonymousId === undefined && externalId !== undefined) anonymousId = `${m.externalIdType}:${externalId}`;
  // A row known by its email only gets an anonymousId derived from it: the ingest needs a userId or anonymousId, and
  // the email links the profile (hashed, as the identity table holds it).
  if (userId === undefined && anonymousId === undefined && email !== undefined) {
    anonymousId = `email-${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 32)}`;
  }
  const context: Record<string, unknown> = { import: { runId: origin.runId, file: origin.file, row: row.row, line: row.line } };
  if (externalId !== undefined) context.externalIds = [{ id: externalId, type: m.externalIdType, collection: 'users', encoding: 'none' }];
  const message: Record<string, unknown> = { messageId, ...(userId !== undefined ? { userId } : {}), ...(anonymousId !== undefined ? { anonymousId } : {}) };
  const timestamp = str('timestamp');
  if (timestamp !== undefined) message.timestamp = timestamp.length === 10 ? `${timestamp}T00:00:00.000Z` : timestamp;
  if (m.kind === 'customers') {
    message.type = 'identify';
    message.traits = { ...named, ...(email !== undefined ? { email } : {}) };
  } else {
    message.type = 'track';
    message.event = event;
    const properties: Record<string, unknown> = { ...named };
    if (m.kind === 'orders') {
      properties.order_id = orderId;
      const revenue = fields.get('revenue');
      if (revenue !== undefined) properties.revenue = revenue;
      const currency = str('currency') ?? (currencyFromAmount ?? m.currency ?? undefined);
      if (currency !== undefined) properties.currency = currency;
      const products = fields.get('products');
      if (products !== undefined) properties.products = products;
    }
    message.properties = properties;
    // context.traits.email links the event to the person's profile by email (its personal part goes to the vault).
    if (email !== undefined) context.traits = { email };
  }
  message.context = context;
  return { ok: true, message, messageId, flagged };
}

function targetOf(m: CompiledMapping, column: string | null): string {
  return m.columns.find((c) => c.column === column)?.target ?? '';
}

function productsOf(raw: unknown): unknown[] | null {
  let v: unknown = raw;
  if (typeof raw === 'string') {
    try {
      v = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  return Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x)) ? v : null;
}
