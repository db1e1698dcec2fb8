import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emailNormaliser, normaliseEmail } from './email.js';

describe('email normaliser', () => {
  it.each([
    [' Jean.Dupont@Orange.FR ', 'jean.dupont@orange.fr'],
    ['MARIE-CLAIRE.MARTIN@WANADOO.FR', 'marie-claire.martin@wanadoo.fr'],
    ['jean+newsletter@laposte.net', 'jean+newsletter@laposte.net'],
    ['J.Dupont@gmail.com', 'j.dupont@gmail.com'],
    ["o'neil@free.fr", "o'neil@free.fr"],
    ['contact@mairie-paris.fr.', 'contact@mairie-paris.fr'],
    ['élise@café.fr'.replace('élise', 'elise'), 'elise@café.fr'],
    ['a@xn--caf-dma.fr', 'a@xn--caf-dma.fr'],
  ])('normalises %j to %j', (raw, expected) => {
    expect(normaliseEmail(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['jean.dupont.orange.fr', 'no @'],
    ['jean dupont@orange.fr', 'spaces'],
    ['jean@orange', 'needs a dot'],
    ['jean@@orange.fr', 'more than one @'],
    ['@orange.fr', 'nothing comes before'],
    ['.jean@orange.fr', 'misplaced dot'],
    ['jean..dupont@orange.fr', 'misplaced dot'],
    ['jean.@orange.fr', 'misplaced dot'],
    ['jean@-orange.fr', 'malformed'],
    ['jean@orange..fr', 'malformed'],
    ['jean@orange.f', 'top-level domain'],
    ['jean@192.168.0.1', 'top-level domain'],
    ['"jean dupont"@orange.fr', 'spaces'],
    [`${'a'.repeat(65)}@orange.fr`, '65 characters'],
    [`jean@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.fr`, 'at most 254'],
  ])('refuses %j (%s)', (raw, why) => {
    const result = normaliseEmail(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('quality.invalid_email');
      expect(result.error.message).toContain(why);
      expect(result.error.raw).toBe(raw);
    }
  });

  it('accepts the longest allowed local part and address', () => {
    expect(normaliseEmail(`${'a'.repeat(64)}@orange.fr`).ok).toBe(true);
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(54)}.fr`;
    expect(`jean@${domain}`).toHaveLength(254);
    expect(normaliseEmail(`jean@${domain}`).ok).toBe(true);
  });

  it('answers quality.empty_value for blank cells and quality.invalid_email for other types', () => {
    for (const blank of ['', '   ', null, undefined]) expect(normaliseEmail(blank)).toMatchObject({ ok: false, error: { code: 'quality.empty_value' } });
    expect(normaliseEmail({ email: 'a@b.fr' })).toMatchObject({ ok: false, error: { code: 'quality.invalid_email' } });
  });

  it('leaves Gmail addresses alone by default', () => {
    expect(normaliseEmail('Jean.Dupont+promo@googlemail.com')).toEqual({ ok: true, value: 'jean.dupont+promo@googlemail.com' });
  });

  it('rewrites Gmail addresses when configured: dots and +tags dropped, googlemail.com -> gmail.com', () => {
    const gmail = emailNormaliser({ rewrite: ['gmail'] });
    expect(gmail('Jean.Dupont+promo@googlemail.com')).toEqual({ ok: true, value: 'jeandupont@gmail.com' });
    expect(gmail('j.e.a.n@gmail.com')).toEqual({ ok: true, value: 'jean@gmail.com' });
    // Other providers keep their dots and tags: only Gmail is known to ignore them.
    expect(gmail('jean.dupont+promo@orange.fr')).toEqual({ ok: true, value: 'jean.dupont+promo@orange.fr' });
  });

  it('drops +tags on every domain with plus_tags', () => {
    const tags = emailNormaliser({ rewrite: ['plus_tags'] });
    expect(tags('jean.dupont+promo@orange.fr')).toEqual({ ok: true, value: 'jean.dupont@orange.fr' });
    expect(tags('+33@orange.fr')).toEqual({ ok: true, value: '+33@orange.fr' });
  });

  it('is idempotent (fast-check), with and without rewrites', () => {
    const local = fc.stringMatching(/^[A-Za-z0-9_+-]{1,10}(\.[A-Za-z0-9_+-]{1,10}){0,2}$/);
    const domain = fc.constantFrom('gmail.com', 'GoogleMail.com', 'orange.fr', 'Free.FR', 'sub.example.co.uk');
    for (const normalise of [emailNormaliser(), emailNormaliser({ rewrite: ['gmail', 'plus_tags'] })]) {
      fc.assert(
        fc.property(local, domain, fc.constantFrom('', ' ', '\t'), (l, d, pad) => {
          const once = normalise(`${pad}${l}@${d}${pad}`);
          if (!once.ok) return;
          expect(normalise(once.value)).toEqual(once);
        }),
      );
    }
  });
});
