import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_INPUT, unsafePatternReason } from './safe-regex.js';

describe('unsafePatternReason', () => {
  it.each([
    ['^\\d{5}$'],
    ['^[A-Z]{2}$'],
    ['^(?:0[1-9]|[1-8]\\d|9[0-5])\\d{3}$'],
    ['^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$'],
    ['^FR\\d{2}(?:\\d{4}){5}\\d{3}$'],
    ['^\\p{Lu}[\\p{L} \'-]*$'],
    ['^(?<dept>\\d{2})\\d{3}$'],
    ['^a\\\\$'],
  ])('accepts %s', (source) => {
    expect(unsafePatternReason(source)).toBeNull();
  });

  it.each([
    ['^(a+)+$', 'exponential'],
    ['^(a*)*$', 'exponential'],
    ['^(a|aa)+$', 'exponential'],
    ['^(a|a)*$', 'exponential'],
    ['^(?:a?a?){20}$', 'exponential'],
    ['^(\\d+){3}$', 'exponential'],
    ['^([a-z]+\\.)*[a-z]+$', 'exponential'],
    ['^(?:(?:a)+)+$', 'exponential'],
    ['^(a)\\1$', 'back-references'],
    ['^(?<x>a)\\k<x>$', 'back-references'],
    ['^(?=a)a$', 'look-arounds'],
    ['^a(?<!b)$', 'look-arounds'],
    ['\\d{5}$', 'start it with ^'],
    ['^\\d{5}', 'end it with $'],
    ['^\\d{5}\\$', 'end it with $'],
    ['^a|b$', 'top level'],
    ['^[a-z$', 'does not compile'],
    ['^\\-$', 'does not compile'], // a legacy escape, refused by the u flag
    ['^a*b*c*d*$', 'open-ended repetitions'],
    ['^\\d*\\d*\\d*\\d*$', 'open-ended repetitions'],
    [`^${'a'.repeat(200)}$`, 'longer than'],
  ])('refuses %s', (source, reason) => {
    expect(unsafePatternReason(source)).toContain(reason);
  });

  it('accepts only patterns that stay fast on long near misses', () => {
    // The worst accepted shapes, run on the longest value a rule lets through: a few milliseconds each (the bound is
    // loose for slow CI machines; four overlapping repetitions took 200 ms, and are refused).
    for (const source of ['^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$', '^\\d*\\d*\\d*$', '^[a-z]*[a-z]*[a-z]+$']) {
      expect(unsafePatternReason(source)).toBeNull();
      const regex = new RegExp(source, 'u');
      const started = performance.now();
      regex.test(`${'1'.repeat(MAX_PATTERN_INPUT - 1)}x`);
      regex.test(`${'a'.repeat(MAX_PATTERN_INPUT - 1)}@`);
      expect(performance.now() - started).toBeLessThan(100);
    }
  });
});
