import { afterEach, describe, expect, it } from 'vitest';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, WRITE_KEY, basic, bearer, startTestSegmentum } from './helpers.js';

/** The normalisers of imports applied to the traits of tracking calls (config traitNormalisers). */

let s: Segmentum | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const CONFIG = {
  traitNormalisers: {
    phone: { normalise: { kind: 'phone', defaultRegion: 'FR' } },
    postalCode: { normalise: { kind: 'postal_code' }, onInvalid: 'drop' as const },
    email: { normalise: { kind: 'email' }, onInvalid: 'reject' as const },
    birthday: { normalise: { kind: 'date', formats: ['DD/MM/YYYY', 'ISO'] } },
  },
};

describe('traitNormalisers', () => {
  it('normalises identify traits and context.traits; an invalid value is kept, dropped or rejects the event as configured', async () => {
    s = await startTestSegmentum(CONFIG);
    const res = await s.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: basic(WRITE_KEY) },
      payload: {
        batch: [
          { type: 'identify', userId: 'u1', traits: { phone: '06 12 34 56 78', email: ' Jean.Dupont@Example.FR ', birthday: '14/07/1989', postalCode: '7500' } },
          { type: 'identify', userId: 'u2', traits: { phone: '12', email: 'not-an-email' } },
          { type: 'track', userId: 'u3', event: 'Viewed', context: { traits: { phone: '+33 6 98 76 54 32' } } },
        ],
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected).toEqual([expect.objectContaining({ index: 1, code: 'quality.invalid_email', path: 'batch.1.traits.email' })]);
    const get = async (userId: string) => (await s!.app.inject({ url: `/api/profiles?userId=${userId}`, headers: { authorization: bearer(ADMIN_KEY) } })).json();
    const u1 = await get('u1');
    expect(u1.personal).toEqual({ phone: '+33612345678', email: 'jean.dupont@example.fr', birthday: '1989-07-14' });
    expect(u1.traits).toEqual({}); // the invalid postal code was dropped
    expect((await get('u3')).personal).toEqual({ phone: '+33698765432' });
    // The rejected event is in quarantine as sent, for replay once fixed.
    const q = (await s.app.inject({ url: '/api/quarantine?code=quality.invalid_email', headers: { authorization: bearer(ADMIN_KEY) } })).json();
    expect(q.total).toBe(1);
    expect(JSON.parse(q.items[0].raw).traits.email).toBe('not-an-email');
  });

  it('keeps an invalid value as sent when onInvalid is keep (the default)', async () => {
    s = await startTestSegmentum(CONFIG);
    await s.app.inject({ method: 'POST', url: '/v1/identify', headers: { authorization: basic(WRITE_KEY) }, payload: { userId: 'u9', traits: { phone: 'call me' } } });
    const u = (await s.app.inject({ url: '/api/profiles?userId=u9', headers: { authorization: bearer(ADMIN_KEY) } })).json();
    expect(u.personal).toEqual({ phone: 'call me' });
  });

  it('refuses to start with a normaliser spec that does not parse, naming the option', async () => {
    await expect(startTestSegmentum({ traitNormalisers: { phone: { normalise: { kind: 'telephone' } } } })).rejects.toMatchObject({
      code: 'config.invalid',
      message: expect.stringContaining('traitNormalisers.phone.normalise'),
    });
  });
});
