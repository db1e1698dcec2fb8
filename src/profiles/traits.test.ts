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

describe('merge strategies per trait', () => {
  const state = (values: Record<string, unknown>, at: string) => {
    const s = emptyTraits();
    applyTraits(s, values, new Date(at), 'most_recent');
    return s;
  };
  const winner = () => state({ plan: 'gold', visits: 3, tags: ['vip', 'fr'], phone: '+33600000001', nickname: 'Jo' }, '2026-03-01');
  const loser = () => {
    const l = state({ plan: 'free', visits: 4, tags: ['fr', 'newsletter'], phone: '', nickname: 'Jojo' }, '2026-04-01');
    applyTraits(l, { region: 'Bretagne' }, new Date('2026-01-01'), 'most_recent');
    return l;
  };

  it('keeps the most recent value by default, the oldest when asked', () => {
    const a = winner();
    mergeTraits(a, loser(), 'most_recent');
    expect(a.values).toMatchObject({ plan: 'free', visits: 4, phone: '', region: 'Bretagne' });
    const b = winner();
    mergeTraits(b, loser(), 'most_recent', { plan: 'oldest', nickname: 'most_recent' });
    expect(b.values).toMatchObject({ plan: 'gold', nickname: 'Jojo' });
    expect(b.times.plan).toBe('2026-03-01T00:00:00.000Z');
  });

  it('keeps a non-empty value over a more recent empty one (non_empty)', () => {
    const a = winner();
    mergeTraits(a, loser(), 'most_recent', { phone: 'non_empty' });
    expect(a.values.phone).toBe('+33600000001');
    // Both non-empty: the most recent.
    const b = winner();
    mergeTraits(b, loser(), 'most_recent', { nickname: 'non_empty' });
    expect(b.values.nickname).toBe('Jojo');
  });

  it('adds numbers (sum) and joins lists without repeats (union), with the later time', () => {
    const a = winner();
    mergeTraits(a, loser(), 'most_recent', { visits: 'sum', tags: 'union' });
    expect(a.values.visits).toBe(7);
    expect(a.values.tags).toEqual(['vip', 'fr', 'newsletter']);
    expect(a.times.visits).toBe('2026-04-01T00:00:00.000Z');
    // A scalar joins a list as one element; sum of a number and a string keeps the most recent.
    const w = state({ tags: 'vip', visits: 'n/a' }, '2026-01-01');
    mergeTraits(w, state({ tags: ['fr'], visits: 2 }, '2026-02-01'), 'most_recent', { tags: 'union', visits: 'sum' });
    expect(w.values).toEqual({ tags: ['vip', 'fr'], visits: 2 });
  });

  it('takes the loser value of a trait the winner lacks, whatever the strategy', () => {
    const w = emptyTraits();
    mergeTraits(w, loser(), 'most_recent', { visits: 'sum', tags: 'union', region: 'oldest' });
    expect(w.values).toEqual(loser().values);
    expect(w.times).toEqual(loser().times);
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
