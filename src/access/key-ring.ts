import { createHash, randomBytes } from 'node:crypto';
import { SourceId, type Clock, type Logger } from '../kernel/index.js';
import type { KeyStore } from '../store/index.js';

export type KeyKind = 'write' | 'admin';

const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** A write key's source: the id under which its events are deduplicated and attributed. */
export const sourceIdOf = (keyHash: string): SourceId => SourceId(`src_${keyHash.slice(0, 16)}`);

export interface KnownKey {
  kind: KeyKind;
  key: string;
  label: string;
}

/**
 * API keys with scopes: a write key can only send events, the admin key reads and manages. Only hashes are stored
 * in the database; keys given by flag or environment are added, and a kind with no key at all gets a generated one.
 */
export class KeyRing {
  private readonly byHash = new Map<string, KeyKind>();

  private constructor() {}

  static async open(
    store: KeyStore,
    wanted: { writeKey?: string | undefined; adminKey?: string | undefined },
    clock: Clock,
    logger: Logger,
  ): Promise<{ ring: KeyRing; created: KnownKey[] }> {
    const ring = new KeyRing();
    for (const k of await store.listKeys()) ring.byHash.set(k.keyHash, k.kind);
    const created: KnownKey[] = [];
    const add = async (kind: KeyKind, key: string, label: string): Promise<void> => {
      const keyHash = hashKey(key);
      if (ring.byHash.has(keyHash)) return;
      await store.insertKey({ keyId: `key_${keyHash.slice(0, 12)}`, kind, keyHash, label, createdAt: clock.now() });
      ring.byHash.set(keyHash, kind);
      created.push({ kind, key, label });
      logger.info({ kind, label }, 'api key added');
    };
    if (wanted.writeKey) await add('write', wanted.writeKey, 'configured');
    if (wanted.adminKey) await add('admin', wanted.adminKey, 'configured');
    if (![...ring.byHash.values()].includes('write')) await add('write', `wk_${randomBytes(18).toString('base64url')}`, 'generated');
    if (![...ring.byHash.values()].includes('admin')) await add('admin', `ak_${randomBytes(24).toString('base64url')}`, 'generated');
    return { ring, created };
  }

  /** The source a write key stands for, or null when it is not a write key. */
  writeSource(key: string): SourceId | null {
    const h = hashKey(key);
    return this.byHash.get(h) === 'write' ? sourceIdOf(h) : null;
  }

  kindOf(key: string): KeyKind | null {
    return this.byHash.get(hashKey(key)) ?? null;
  }
}
