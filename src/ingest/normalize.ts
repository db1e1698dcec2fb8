import { randomUUID } from 'node:crypto';
import type { Limits } from '../config/index.js';
import { err, ok, type ErrorCode, type Result, type SourceId } from '../kernel/index.js';
import { BlockList, emailIdentityValue, looksLikeEmail, type Identifier } from '../identity/index.js';
import type { PiiKeys } from '../profiles/index.js';
import { isBlank, plainValue, type NormalisedValue, type Normaliser } from '../quality/normalise/index.js';
import type { EventType } from '../store/index.js';
import { inspectJson } from './inspect.js';
import { guardMessage } from './message-guard.js';
import { KNOWN_FIELDS, MESSAGE_SCHEMAS, MESSAGE_TYPES, type MessageType } from './schemas.js';

/** What the server knows about the request an event came in. */
export interface RequestMeta {
  sourceId: SourceId;
  receivedAt: Date;
  ip: string | null;
}

/** Batch-level fields applied to each event of the batch (the event's own values win). */
export interface Envelope {
  context?: unknown;
  integrations?: unknown;
  sentAt?: unknown;
}

/** An event that passed validation, with server fields set and personal data split out. */
export interface NormalizedEvent {
  index: number;
  sourceId: SourceId;
  messageId: string;
  messageIdGenerated: boolean;
  type: EventType;
  event: string | null;
  userId: string | null;
  anonymousId: string | null;
  groupId: string | null;
  previousId: string | null;
  timestamp: Date;
  originalTimestamp: Date | null;
  sentAt: Date | null;
  receivedAt: Date;
  properties: Record<string, unknown>;
  /** identify/group traits without personal data. */
  traits: Record<string, unknown>;
  /** Personal traits of an identify call, bound for the vault. */
  personal: Record<string, unknown>;
  context: Record<string, unknown>;
  integrations: Record<string, unknown>;
  extra: Record<string, unknown>;
  /** Usable identifiers, blocked values removed; an alias's previousId is resolved at commit. */
  identifiers: Identifier[];
}

/** A refused event: the code says why, `raw` keeps it for replay. */
export interface RejectedEvent {
  index: number;
  code: ErrorCode;
  message: string;
  path: string | null;
  messageId: string | null;
  /** The event as received; null when it cannot be written back as JSON (then the request body is kept). */
  raw: string | null;
}

/** A trait's normaliser for tracking calls, and what an invalid value does. */
export interface TraitNormaliser {
  normalise: Normaliser<NormalisedValue>;
  onInvalid: 'keep' | 'drop' | 'reject';
}

export interface NormalizerOptions {
  limits: Limits;
  blockList: BlockList;
  piiKeys: PiiKeys;
  linkByEmail: boolean;
  /** By trait name (identify traits and context.traits); none by default. */
  traitNormalisers?: ReadonlyMap<string, TraitNormaliser> | undefined;
}

const MIN_TIME = Date.UTC(1900, 0, 1);
const MAX_TIME = Date.UTC(2200, 0, 1);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks one tracking message against the limits and the Segment spec and turns it into a NormalizedEvent: batch
 * envelope applied, missing messageId filled, timestamp corrected for client clock skew
 * (`receivedAt - (sentAt - originalTimestamp)`), personal traits split out for the vault.
 */
export class EventNormalizer {
  constructor(private readonly opts: NormalizerOptions) {}

  normalize(item: unknown, index: number, envelope: Envelope, meta: RequestMeta): Result<NormalizedEvent, RejectedEvent> {
    const reject = (code: ErrorCode, message: string, path: string | null, raw: string | null, messageId: unknown) =>
      err({ index, code, message, path, raw, messageId: typeof messageId === 'string' ? messageId.slice(0, 200) : null });

    if (!isObj(item)) {
      return reject('event.invalid', 'An event must be a JSON object.', null, safeStringify(item), null);
    }
    // The shape is checked before anything walks the event recursively (JSON.stringify included).
    const report = inspectJson(item, this.opts.limits);
    const shape = report.problem;
    let maxBytes = report.maxBytes;
    const rawItem = (): string | null => safeStringify(item);
    if (shape) return reject(shape.code, shape.message, shape.path || null, rawItem(), item.messageId);

    // The event is this request's own parsed object: the envelope and server fields are applied to it in place
    // (copying every event cost more than validating it). A batch context or integrations object is merged into a
    // new object, never shared between events.
    const merged: Obj = item;
    const envContext = isObj(envelope.context) && (item.context === undefined || isObj(item.context)) ? envelope.context : null;
    const envIntegrations =
      isObj(envelope.integrations) && (item.integrations === undefined || isObj(item.integrations)) ? envelope.integrations : null;
    const envSentAt = item.sentAt === undefined ? envelope.sentAt : undefined;
    const primitiveSentAt = envSentAt === undefined || envSentAt === null || typeof envSentAt !== 'object';
    if (envContext || envIntegrations || !primitiveSentAt) {
      // What the batch envelope brings becomes part of the event: it gets the same shape checks before it is walked.
      const asReceived = rawItem();
      if (envContext) merged.context = { ...envContext, ...(item.context as Obj | undefined) };
      if (envIntegrations) merged.integrations = { ...envIntegrations, ...(item.integrations as Obj | undefined) };
      if (envSentAt !== undefined) merged.sentAt = envSentAt;
      const again = inspectJson(merged, this.opts.limits);
      maxBytes = again.maxBytes;
      if (again.problem) return reject(again.problem.code, again.problem.message, again.problem.path || null, asReceived, item.messageId);
    } else if (envSentAt !== undefined) {
      merged.sentAt = envSentAt;
      maxBytes += 12 + (typeof envSentAt === 'string' ? envSentAt.length * 6 : 25);
    }
    if (meta.ip !== null) {
      if (merged.context === undefined) {
        merged.context = { ip: meta.ip };
        maxBytes += 20 + meta.ip.length * 6;
      } else if (isObj(merged.context) && merged.context.ip === undefined) {
        merged.context.ip = meta.ip;
        maxBytes += 10 + meta.ip.length * 6;
      }
    }

    // The event as received (envelope applied), serialised only when it is needed: for a rejection, or to measure
    // an event whose size bound does not already prove it is under the limit.
    let rawText: string | null = null;
    const raw = (): string => (rawText ??= JSON.stringify(merged));
    const max = this.opts.limits.maxEventBytes;
    if (maxBytes > max && Buffer.byteLength(raw()) > max) {
      return reject('event.too_large', `The event is larger than ${max} bytes.`, null, raw(), merged.messageId);
    }

    const type = merged.type;
    if (typeof type !== 'string' || !MESSAGE_TYPES.includes(type as MessageType)) {
      return reject(
        'event.unknown_type',
        `Unknown event type ${JSON.stringify(type ?? null)}: expected one of ${MESSAGE_TYPES.join(', ')}.`,
        'type',
        raw(),
        merged.messageId,
      );
    }
    const guarded = guardMessage(type as MessageType, merged);
    if (guarded === null) {
      // Rare path: zod words the error (the guard only says yes or no).
      const parsed = MESSAGE_SCHEMAS[type as MessageType].safeParse(merged);
      const issue = parsed.success ? undefined : parsed.error.issues[0];
      const path = issue ? issue.path.map(String).join('.') : null;
      const code: ErrorCode = path && /^(timestamp|originalTimestamp|sentAt)$/.test(path) ? 'event.invalid_timestamp' : 'event.invalid';
      return reject(code, `${path ? `${path}: ` : ''}${issue?.message ?? 'invalid event'}.`, path, raw(), merged.messageId);
    }
    const msg = guarded;

    if (msg.messageId !== undefined && msg.messageId.length > this.opts.limits.maxMessageIdLength) {
      return reject(
        'event.message_id_too_long',
        `messageId is ${msg.messageId.length} characters long; the limit is ${this.opts.limits.maxMessageIdLength}.`,
        'messageId',
        raw(),
        msg.messageId,
      );
    }

    const times: Partial<Record<'timestamp' | 'originalTimestamp' | 'sentAt', Date | null>> = {};
    for (const field of ['timestamp', 'originalTimestamp', 'sentAt'] as const) {
      const v = msg[field];
      if (v === undefined || v === null) {
        times[field] = null;
        continue;
      }
      const t = typeof v === 'number' ? v : Date.parse(v);
      if (!Number.isFinite(t) || t < MIN_TIME || t > MAX_TIME) {
        return reject('event.invalid_timestamp', `${field} ${JSON.stringify(v)} is not an ISO 8601 date-time.`, field, raw(), msg.messageId);
      }
      times[field] = new Date(t);
    }

    const userId = msg.userId ?? null;
    const anonymousId = msg.anonymousId ?? null;
    if (userId === null && anonymousId === null) {
      return reject('event.missing_identity', 'The event has neither userId nor anonymousId.', 'userId', raw(), msg.messageId);
    }
    const { blockList, piiKeys } = this.opts;
    const identifiers: Identifier[] = [];
    if (userId !== null && !blockList.isBlocked(userId)) identifiers.push({ kind: 'user_id', value: userId });
    if (anonymousId !== null && !blockList.isBlocked(anonymousId)) identifiers.push({ kind: 'anonymous_id', value: anonymousId });
    if (identifiers.length === 0 && msg.type !== 'alias') {
      return reject(
        'event.blocked_identity',
        `The event's identifiers (${[userId, anonymousId].filter((x) => x !== null).map((x) => JSON.stringify(x)).join(', ')}) are all blocked values.`,
        userId !== null ? 'userId' : 'anonymousId',
        raw(),
        msg.messageId,
      );
    }

    let context: Obj = msg.context ?? {};
    let traits: Obj = {};
    let personal: Obj = {};
    let msgTraits: Obj = msg.type === 'identify' || msg.type === 'group' ? ((msg.traits as Obj | undefined) ?? {}) : {};
    const normalisers = this.opts.traitNormalisers;
    if (normalisers && normalisers.size > 0) {
      if (msg.type === 'identify') {
        const r = normaliseTraits(msgTraits, normalisers);
        if (!r.ok) return reject(r.error.code, r.error.message, `traits.${r.error.key}`, raw(), msg.messageId);
        msgTraits = r.value;
      }
      if (isObj(context.traits)) {
        const r = normaliseTraits(context.traits, normalisers);
        if (!r.ok) return reject(r.error.code, r.error.message, `context.traits.${r.error.key}`, raw(), msg.messageId);
        context = { ...context, traits: r.value };
      }
    }
    if (msg.type === 'identify' || msg.type === 'group') {
      const split = piiKeys.split(msgTraits);
      traits = split.plain;
      if (msg.type === 'identify') personal = split.pii;
      else traits = { ...split.plain, ...split.pii }; // company traits of a group are not a person's data
    }
    if (isObj(context.traits)) {
      // context.traits is a copy of the person's traits that SDKs attach to every call: its personal part goes to
      // the vault like an identify's (an identify's own traits win), never into behaviour data, never dropped.
      const split = piiKeys.split(context.traits);
      if (Object.keys(split.pii).length > 0) personal = { ...split.pii, ...personal };
      context = { ...context, traits: split.plain };
    }
    if (this.opts.linkByEmail) {
      const email = personal.email;
      if (looksLikeEmail(email) && !blockList.isBlocked(email)) identifiers.push({ kind: 'email', value: emailIdentityValue(email) });
    }

    const extra: Obj = {};
    for (const k of Object.keys(merged)) if (!KNOWN_FIELDS.has(k)) extra[k] = merged[k];

    const originalTimestamp = times.originalTimestamp ?? times.timestamp ?? null;
    const sentAt = times.sentAt ?? null;
    const timestamp =
      originalTimestamp && sentAt
        ? new Date(meta.receivedAt.getTime() - (sentAt.getTime() - originalTimestamp.getTime()))
        : (originalTimestamp ?? meta.receivedAt);

    const generated = msg.messageId === undefined || msg.messageId === '';
    return ok({
      index,
      sourceId: meta.sourceId,
      messageId: generated ? `gen-${randomUUID()}` : (msg.messageId as string),
      messageIdGenerated: generated,
      type: msg.type,
      event: msg.type === 'track' ? msg.event : msg.type === 'page' || msg.type === 'screen' ? (msg.name ?? null) : null,
      userId,
      anonymousId,
      groupId: msg.type === 'group' ? msg.groupId : null,
      // A blocked previousId ("anonymous", "0"...) links nothing, like any other blocked identifier.
      previousId: msg.type === 'alias' && !blockList.isBlocked(msg.previousId) ? msg.previousId : null,
      timestamp,
      originalTimestamp,
      sentAt,
      receivedAt: meta.receivedAt,
      properties:
        msg.type === 'track' || msg.type === 'page' || msg.type === 'screen'
          ? { ...(msg.properties ?? {}), ...(msg.type !== 'track' && msg.category ? { category: msg.category } : {}) }
          : {},
      traits,
      personal,
      context,
      integrations: msg.integrations ?? {},
      extra,
      identifiers,
    });
  }
}

/** JSON text of any value, or null for a value JSON.stringify cannot write back (too deep for its recursion). */
export function safeStringify(v: unknown): string | null {
  try {
    return JSON.stringify(v) ?? 'null';
  } catch {
    return null;
  }
}

/** Applies the trait normalisers to one traits object; the first invalid value of a rejecting trait stops it. */
function normaliseTraits(
  traits: Obj,
  normalisers: ReadonlyMap<string, TraitNormaliser>,
): Result<Obj, { code: ErrorCode; message: string; key: string }> {
  let out: Obj | null = null;
  for (const [key, n] of normalisers) {
    if (!Object.hasOwn(traits, key)) continue;
    const v = traits[key];
    if (isBlank(v)) continue;
    const r = n.normalise(v);
    out ??= { ...traits };
    if (r.ok) {
      out[key] = plainValue(r.value);
      continue;
    }
    if (n.onInvalid === 'reject') return err({ code: r.error.code, message: `traits.${key}: ${r.error.message}`, key });
    if (n.onInvalid === 'drop') delete out[key];
  }
  return ok(out ?? traits);
}
