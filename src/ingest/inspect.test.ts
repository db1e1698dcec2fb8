import { describe, expect, it } from 'vitest';
import { inspectShape } from './inspect.js';

const limits = { maxDepth: 4, maxKeys: 10 };

describe('inspectShape', () => {
  it('accepts a plain event', () => {
    expect(inspectShape({ type: 'track', properties: { a: [1, 2], b: { c: 1 } } }, limits)).toBeNull();
  });
  it('refuses nesting past the limit and names where', () => {
    expect(inspectShape({ a: { b: { c: { d: { e: 1 } } } } }, limits)).toMatchObject({ code: 'event.too_deep', path: 'a.b.c.d' });
  });
  it('refuses prototype keys, even parsed from JSON', () => {
    const v: unknown = JSON.parse('{"properties":{"__proto__":{"admin":true}}}');
    expect(inspectShape(v, limits)).toMatchObject({ code: 'event.forbidden_key', path: 'properties.__proto__' });
    expect(inspectShape({ traits: { constructor: 1 } }, limits)).toMatchObject({ code: 'event.forbidden_key' });
  });
  it('counts keys and array items together', () => {
    expect(inspectShape({ a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] }, limits)).toMatchObject({ code: 'event.too_many_keys' });
  });
  it('survives a depth that would overflow a recursive walk', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(inspectShape(v, { maxDepth: 16, maxKeys: 1e9 })?.code).toBe('event.too_deep');
  });
});
