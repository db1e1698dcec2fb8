import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock, silentLogger } from '../kernel/index.js';
import type { ApiKeyRow, KeyStore } from '../store/index.js';
import { KeyRing, normalizeScopes } from './key-ring.js';

/** A KeyStore in memory, as the DuckDB store behaves: rows in insertion order, updates by id. */
class MemoryKeys implements KeyStore {
  rows: ApiKeyRow[] = [];
  async listKeys(): Promise<ApiKeyRow[]> {
    return this.rows.map((r) => ({ ...r }));
  }
  async insertKey(row: ApiKeyRow): Promise<void> {
    this.rows.push({ ...row });
  }
  async revokeKey(keyId: string, at: Date): Promise<void> {
    for (const r of this.rows) if (r.keyId === keyId && !r.revokedAt) r.revokedAt = at;
  }
  async completeKey(keyId: string, fill: { prefix: string; plainKey: string | null }): Promise<void> {
    for (const r of this.rows) if (r.keyId === keyId) Object.assign(r, { prefix: fill.prefix, plainKey: r.plainKey ?? fill.plainKey });
  }
}

const sha = (k: string): string => createHash('sha256').update(k).digest('hex');
const clock = new ManualClock('2026-04-06T10:00:00.000Z');

/** A key as a database from before scopes holds it after migration 3: hash only, no prefix. */
function legacy(key: string, scopes: ApiKeyRow['scopes']): ApiKeyRow {
  return { keyId: `key_${sha(key).slice(0, 12)}`, keyHash: sha(key), label: 'generated', scopes, createdAt: clock.now(), revokedAt: null, prefix: '', plainKey: null };
}

describe('scopes', () => {
  it('adds read to manage, keeps track alone, and refuses none', () => {
    expect(normalizeScopes(['manage'])).toEqual({ ok: true, value: ['read', 'manage'] });
    expect(normalizeScopes(['read', 'read'])).toEqual({ ok: true, value: ['read'] });
    expect(normalizeScopes(['track'])).toEqual({ ok: true, value: ['track'] });
    expect(normalizeScopes(['manage', 'track'])).toMatchObject({ ok: false, error: { code: 'keys.invalid_scopes' } });
    expect(normalizeScopes([])).toMatchObject({ ok: false, error: { code: 'keys.invalid_scopes' } });
  });
});

describe('KeyRing.open', () => {
  it('fills in the text of a write key stored as a hash only when it is given again, and the prefix of any key', async () => {
    const store = new MemoryKeys();
    store.rows.push(legacy('wk_old-write-key', ['track']), legacy('ak_old-admin-key', ['read', 'manage']), legacy('wk_lost-key', ['track']));
    const { ring, created } = await KeyRing.open(store, { adminKey: 'ak_old-admin-key', remembered: ['wk_old-write-key'] }, clock, silentLogger);
    expect(created).toEqual([]);
    const byHash = (key: string) => ring.list().find((k) => k.keyHash === sha(key));
    expect(byHash('wk_old-write-key')).toMatchObject({ prefix: 'wk_old-', plainKey: 'wk_old-write-key' });
    expect(byHash('ak_old-admin-key')).toMatchObject({ prefix: 'ak_old-', plainKey: null });
    // Not given: the dashboard says to make a new write key.
    expect(byHash('wk_lost-key')).toMatchObject({ prefix: '', plainKey: null });
    // Written through: the next start knows them without being given them.
    expect(store.rows.map((r) => [r.prefix, r.plainKey])).toEqual([
      ['wk_old-', 'wk_old-write-key'],
      ['ak_old-', null],
      ['', null],
    ]);
    expect(ring.writeSource('wk_old-write-key')).toMatch(/^src_/);
  });

  it('generates a write key only when none ever existed, and an admin key whenever no live key can manage', async () => {
    const fresh = await KeyRing.open(new MemoryKeys(), {}, clock, silentLogger);
    expect(fresh.created.map((k) => [k.kind, k.key.slice(0, 3)])).toEqual([
      ['write', 'wk_'],
      ['admin', 'ak_'],
    ]);

    const store = new MemoryKeys();
    store.rows.push({ ...legacy('wk_revoked', ['track']), revokedAt: clock.now() }, { ...legacy('ak_revoked', ['read', 'manage']), revokedAt: clock.now() });
    const again = await KeyRing.open(store, { writeKey: 'wk_revoked' }, clock, silentLogger);
    expect(again.created.map((k) => k.kind)).toEqual(['admin']);
    // Giving a revoked key again does not bring it back.
    expect(again.ring.check('wk_revoked', 'track')).toMatchObject({ ok: false, reason: 'revoked' });
  });

  it('lets one of two concurrent revocations of the last two manage keys through, never both', async () => {
    const { ring } = await KeyRing.open(new MemoryKeys(), { writeKey: 'wk_write-key', adminKey: 'ak_admin-key' }, clock, silentLogger);
    const other = await ring.create('second', ['manage']);
    if (!other.ok) throw new Error('create failed');
    const admin = ring.list().find((k) => k.prefix === 'ak_admi');
    const results = await Promise.all([ring.revoke(other.value.entry.keyId), ring.revoke(admin?.keyId ?? '')]);
    expect(results.map((r) => (r.ok ? 'revoked' : r.error.code))).toEqual(['revoked', 'keys.last_admin']);
    expect(ring.check('ak_admin-key', 'manage').ok).toBe(true);
    expect(ring.check(other.value.key, 'read')).toMatchObject({ ok: false, reason: 'revoked' });
  });
});
