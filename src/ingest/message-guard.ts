import type { MessageType, SegmentMessage } from './schemas.js';

/**
 * A hand-written twin of the zod message schemas for the hot path: it decides in one pass, without allocating
 * issue lists, whether zod would accept a message, and builds the same output. zod still runs on every rejection
 * (to word the error), and a differential test (message-guard.test.ts) holds the two to the same answers.
 */

type Obj = Record<string, unknown>;

const isRecord = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string | number => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
const isNullishId = (v: unknown): boolean => v === undefined || v === null || isId(v);
// zod's number() refuses Infinity and NaN (JSON cannot carry them, but the two must agree on any input).
const isNullishTime = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
const isNullishRecord = (v: unknown): boolean => v === undefined || v === null || isRecord(v);
const isNullishName = (v: unknown): boolean => v === undefined || v === null || (typeof v === 'string' && v.length <= 500);
const idText = (v: unknown): string | null | undefined => (v === undefined ? undefined : v === null ? null : String(v));

/** The parsed message when zod would accept `m` as a message of `type`, else null. */
export function guardMessage(type: MessageType, m: Obj): SegmentMessage | null {
  if (
    !(m.messageId === undefined || isId(m.messageId)) ||
    !isNullishId(m.userId) ||
    !isNullishId(m.anonymousId) ||
    !isNullishTime(m.timestamp) ||
    !isNullishTime(m.originalTimestamp) ||
    !isNullishTime(m.sentAt) ||
    !isNullishRecord(m.context) ||
    !isNullishRecord(m.integrations) ||
    !(m.writeKey === undefined || typeof m.writeKey === 'string')
  ) {
    return null;
  }
  switch (type) {
    case 'identify':
      if (!isNullishRecord(m.traits)) return null;
      break;
    case 'track':
      if (typeof m.event !== 'string' || m.event.length < 1 || m.event.length > 500 || !isNullishRecord(m.properties)) return null;
      break;
    case 'page':
    case 'screen':
      if (!isNullishName(m.name) || !isNullishName(m.category) || !isNullishRecord(m.properties)) return null;
      break;
    case 'group':
      if (!isId(m.groupId) || String(m.groupId).trim().length === 0 || !isNullishRecord(m.traits)) return null;
      break;
    case 'alias':
      if (!isId(m.previousId) || String(m.previousId).trim().length === 0) return null;
      break;
  }
  // A copy, as zod gives: unknown keys kept (z.looseObject), ids as text (the Id transform). The input stays as
  // received, for quarantine.
  const out: Obj = { ...m };
  if (m.messageId !== undefined) out.messageId = String(m.messageId);
  if (m.userId !== undefined) out.userId = idText(m.userId);
  if (m.anonymousId !== undefined) out.anonymousId = idText(m.anonymousId);
  if (type === 'group') out.groupId = String(m.groupId);
  if (type === 'alias') out.previousId = String(m.previousId);
  return out as SegmentMessage;
}
