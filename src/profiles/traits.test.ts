import { describe, expect, it } from 'vitest';
import { applyTraits, emptyTraits, mergeTraits, PiiKeys } from './traits.js';

describe('trait folding', () => {
  it('keeps the most recent value of each key whatever the order of arrival', () => {
    const a = emptyTraits();
    applyTraits(a, { plan: 'gold', city: 'Lyon' }, new Date('2026-01-02'), 'most_recent');
    applyTraits(a, { plan: 'free' }, new Date('2026-01-01'), 'most_recent');
    expect(a.values).toEqual({ plan: 'gold', city: 'Lyon' });

    const b = emptyTraits();
    applyTraits(b, { plan: 'free' }, new Date('2026-01-01'), 'most_recent');
    applyTraits(b, { plan: 'gold', city: 'Lyon' }, new Date('2026-01-02'), 'most_recent');
    expect(b).toEqual(a);
  });

  it('leaves a trait untouched when the same value comes again, and says nothing changed', () => {
    const s = emptyTraits();
    expect(applyTraits(s, { plan: 'gold', tags: ['a'] }, new Date('2026-01-01'), 'most_recent')).toBe(true);
    expect(applyTraits(s, { plan: 'gold', tags: ['a'] }, new Date('2026-02-01'), 'most_recent')).toBe(false);
    expect(s.times.plan).toBe('2026-01-01T00:00:00.000Z');
    expect(applyTraits(s, { plan: 'silver' }, new Date('2026-03-01'), 'most_recent')).toBe(true);
    expect(s.times.plan).toBe('2026-03-01T00:00:00.000Z');
  });

  it('keeps the first value under first_seen', () => {
    const s = emptyTraits();
    applyTraits(s, { plan: 'gold' }, new Date('2026-01-02'), 'first_seen');
    applyTraits(s, { plan: 'free' }, new Date('2026-01-01'), 'first_seen');
    expect(s.values.plan).toBe('free');
  });

  it('merges a loser into a winner key by key', () => {
    const w = emptyTraits();
    applyTraits(w, { plan: 'gold', city: 'Lyon' }, new Date('2026-03-01'), 'most_recent');
    const l = emptyTraits();
    applyTraits(l, { plan: 'platinum', age: 30 }, new Date('2026-04-01'), 'most_recent');
    applyTraits(l, { city: 'Paris' }, new Date('2026-02-01'), 'most_recent');
    mergeTraits(w, l, 'most_recent');
    expect(w.values).toEqual({ plan: 'platinum', city: 'Lyon', age: 30 });
  });
});

describe('PII split', () => {
  it('moves personal keys, whatever their case, to the vault part', () => {
    const keys = new PiiKeys(['email', 'firstName', 'loyaltyCard']);
    expect(keys.split({ Email: 'a@b.fr', firstname: 'Jean', plan: 'gold', loyaltycard: '123' })).toEqual({
      plain: { plan: 'gold' },
      pii: { Email: 'a@b.fr', firstname: 'Jean', loyaltycard: '123' },
    });
  });
});
