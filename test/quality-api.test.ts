import { afterEach, describe, expect, it } from 'vitest';
import type { Segmentum } from '../src/main.js';
import { ADMIN_KEY, WRITE_KEY, basic, bearer, startTestSegmentum } from './helpers.js';

/** The data-quality report over HTTP: computed, stored, served again while recent, trended; scopes enforced. */

let s: Segmentum | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

describe('GET /api/quality', () => {
  it('computes the report on live profiles, answers the stored one while recent, and trends every run', async () => {
    s = await startTestSegmentum();
    const admin = { authorization: bearer(ADMIN_KEY) };
    const send = await s.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization: basic(WRITE_KEY) },
      payload: {
        batch: [
          { type: 'identify', userId: 'a', traits: { email: 'a@example.fr', phone: '0612345678', birthday: '1990-01-01' } },
          { type: 'identify', userId: 'b', traits: { email: 'b@example.fr', phone: '+33 6 12 34 56 78', birthday: '01/02/1990' } },
          { type: 'identify', userId: 'c', traits: { plan: 'free' } },
        ],
      },
    });
    expect(send.statusCode).toBe(200);

    const first = await s.app.inject({ url: '/api/quality', headers: admin });
    expect(first.statusCode).toBe(200);
    const r = first.json();
    expect(r).toMatchObject({ profiles: 3, duplicates: { exactPairs: 1, exactProfiles: 2 } });
    // birthday 01/02/1990 is not ISO 8601: invalid for the default check.
    expect(r.fields.find((f: { field: string }) => f.field === 'birthday')).toMatchObject({ present: 2, invalid: 1, invalidByCode: { 'quality.invalid_date': 1 } });
    expect((await s.app.inject({ url: '/api/quality', headers: admin })).json().id).toBe(r.id);

    const again = await s.app.inject({ method: 'POST', url: '/api/quality/runs', headers: admin, payload: {} });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).not.toBe(r.id);
    const trend = (await s.app.inject({ url: '/api/quality/trend', headers: admin })).json();
    expect(trend.items.map((p: { id: string }) => p.id)).toEqual([r.id, again.json().id]);
    expect(trend.items[0]).toMatchObject({ profiles: 3, exactRate: r.duplicates.exactRate });

    const rules = (await s.app.inject({ url: '/api/quality/rules', headers: admin })).json();
    expect(rules.items.map((x: { id: string }) => x.id)).toContain('one-phone-per-address');

    const created = await s.app.inject({ method: 'POST', url: '/api/keys', headers: admin, payload: { label: 'analyst', scopes: ['read'] } });
    const reader = { authorization: bearer(created.json().key as string) };
    expect((await s.app.inject({ url: '/api/quality', headers: reader })).statusCode).toBe(200);
    const denied = await s.app.inject({ method: 'POST', url: '/api/quality/runs', headers: reader, payload: {} });
    expect(denied.statusCode).toBe(403);
  });

  it('refuses a configuration whose rules or field checks are not valid, saying which option', async () => {
    await expect(startTestSegmentum({ quality: { rules: [{ id: 'x', check: { kind: 'nope' } }] } })).rejects.toMatchObject({
      code: 'config.invalid',
      message: expect.stringContaining('quality.rules'),
    });
    await expect(startTestSegmentum({ quality: { fields: { phone: { kind: 'telephone' } } } })).rejects.toMatchObject({
      code: 'config.invalid',
      message: expect.stringContaining('quality.fields.phone'),
    });
  });
});
