import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { guardMessage } from './message-guard.js';
import { KNOWN_FIELDS, MESSAGE_SCHEMAS, MESSAGE_TYPES } from './schemas.js';

/** Differential test: the hot-path guard and the zod schemas must accept the same messages and give the same output. */

const fieldValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('', ' ', 'x'.repeat(500), 'x'.repeat(501), '2026-01-01T00:00:00Z'),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);

// Every field the spec knows (type is set per test), plus one it does not.
const FIELDS = [...[...KNOWN_FIELDS].filter((f) => f !== 'type' && f !== 'receivedAt'), 'extraField'];

const message = fc.record(Object.fromEntries(FIELDS.map((f) => [f, fieldValue])) as Record<string, fc.Arbitrary<unknown>>, {
  requiredKeys: [],
});

describe('guardMessage agrees with the zod schemas', () => {
  for (const type of MESSAGE_TYPES) {
    it(`on generated ${type} messages`, () => {
      fc.assert(
        fc.property(message, (fields) => {
          const m: Record<string, unknown> = { ...fields, type };
          const z = MESSAGE_SCHEMAS[type].safeParse(m);
          const g = guardMessage(type, m);
          expect(g !== null, JSON.stringify(m)).toBe(z.success);
          if (z.success) expect(g).toEqual(z.data);
        }),
        { numRuns: 1000 },
      );
    });
  }

  it('accepts a typical message and turns numeric ids into text', () => {
    const g = guardMessage('track', { type: 'track', event: 'Order Completed', userId: 42, messageId: 7, properties: { revenue: 10 } });
    expect(g).toMatchObject({ userId: '42', messageId: '7', event: 'Order Completed' });
  });
});
