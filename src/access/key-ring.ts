import { createHash, randomBytes } from 'node:crypto';
import { err, ok, SourceId, type Clock, type Logger, type Result } from '../kernel/index.js';
import type { ApiKeyRow, KeyScope, KeyStore } from '../store/index.js';

export type { KeyScope };

/** The two keys a server makes or is given at start: a write key (track) and an admin key (read, manage). */
export type KeyKind = 'write' | 'admin';

const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** A write key's source: the id under which its events are deduplicated and attributed. */
export const sourceIdOf = (keyHash: string): SourceId => SourceId(`src_${keyHash.slice(0, 16)}`);

/** How many characters of a key are kept and shown to recognise it. */
export const KEY_PREFIX_LENGTH = 7;

const SCOPE_ORDER: readonly KeyScope[] = ['track', 'read', 'manage'];
const KIND_SCOPES: Record<KeyKind, KeyScope[]> = { write: ['track'], admin: ['read', 'manage'] };

export interface KnownKey {
  kind: KeyKind;
  key: string;
  label: string;
}

/** A key as the ring knows it (never its text, except for track keys, whose text is public by design). */
export type KeyEntry = Readonly<ApiKeyRow>;

export type KeyError =
  | { code: 'keys.invalid_scopes'; message: string }
  | { code: 'keys.not_found'; message: string }
  | { code: 'keys.last_admin'; message: string };

/** Why a key is refused for a request, or the key when it may go on. */
export type KeyCheck =
  | { ok: true; key: KeyEntry }
  | { ok: false; reason: 'unknown' }
  | { ok: false; reason: 'revoked'; key: KeyEntry }
  | { ok: false; reason: 'missing_scope'; key: KeyEntry; scope: KeyScope };

/**
 * The scopes a key is given, in their usual order: `manage` brings `read`; `track` stands alone, because a write key
 * sits in public web pages and must not read anything.
 * @example normalizeScopes(['manage']) // ok(['read', 'manage'])
 */
export function normalizeScopes(scopes: readonly KeyScope[]): Result<KeyScope[], KeyError> {
  const set = new Set(scopes);
  if (set.size === 0) return err({ code: 'keys.invalid_scopes', message: 'A key needs at least one scope: track, read or manage.' });
  if (set.has('track') && set.size > 1) {
    return err({
      code: 'keys.invalid_scopes',
      message: `A track key is put in public web pages, so it cannot also have ${[...set].filter((s) => s !== 'track').join(' or ')}: create two keys.`,
    });
  }
  if (set.has('manage')) set.add('read');
  return ok(SCOPE_ORDER.filter((s) => set.has(s)));
}

/** The prefix of a generated key says what it may do: wk_ sends events, ak_ manages, rk_ only reads. */
function generateKey(scopes: readonly KeyScope[]): string {
  if (scopes.includes('track')) return `wk_${randomBytes(18).toString('base64url')}`;
  if (scopes.includes('manage')) return `ak_${randomBytes(24).toString('base64url')}`;
  return `rk_${randomBytes(24).toString('base64url')}`;
}

/**
 * API keys with scopes: `track` sends events through /v1, `read` reads /api, `manage` changes through /api. The
 * database keeps hashes (and the text of track keys only); keys given by flag or environment are added, and a server
 * without any write key, or without a live key that can manage, gets a generated one. Checks are answered from
 * memory; creating and revoking write through to the store first, so a revoked key is refused from the next request.
 */
export class KeyRing {
  private readonly byHash = new Map<string, KeyEntry>();
  private readonly byId = new Map<string, KeyEntry>();
  /** Creating and revoking one at a time: "is this the last admin key?" must not race another revocation. */
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: KeyStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Loads the keys and adds the wanted ones. `remembered` are keys printed on an earlier start (keys.json): never
   * added, but a stored key among them gets its prefix (and, for a track key, its text) filled in.
   * @example const { ring, created } = await KeyRing.open(store, { adminKey: process.env.SEGMENTUM_ADMIN_KEY }, clock, logger)
   */
  static async open(
    store: KeyStore,
    wanted: { writeKey?: string | undefined; adminKey?: string | undefined; remembered?: readonly string[] | undefined },
    clock: Clock,
    logger: Logger,
  ): Promise<{ ring: KeyRing; created: KnownKey[] }> {
    const ring = new KeyRing(store, clock, logger);
    for (const k of await store.listKeys()) ring.remember(k);
    const created: KnownKey[] = [];
    const add = async (kind: KeyKind, key: string, label: string): Promise<void> => {
      const known = ring.byHash.get(hashKey(key));
      if (known) {
        await ring.complete(known, key);
        // Giving a revoked key again does not bring it back: revoking is meant to be final.
        if (known.revokedAt) logger.warn({ keyId: known.keyId, label }, 'a configured api key was revoked: it is refused');
        return;
      }
      await ring.insert(key, label, KIND_SCOPES[kind]);
      created.push({ kind, key, label });
      logger.info({ kind, label }, 'api key added');
    };
    for (const key of wanted.remembered ?? []) {
      const known = ring.byHash.get(hashKey(key));
      if (known) await ring.complete(known, key);
    }
    if (wanted.writeKey) await add('write', wanted.writeKey, 'configured');
    if (wanted.adminKey) await add('admin', wanted.adminKey, 'configured');
    const all = [...ring.byId.values()];
    // A write key revoked on purpose is not replaced behind the user's back; a server nobody can manage would be.
    if (!all.some((k) => k.scopes.includes('track'))) await add('write', generateKey(['track']), 'generated');
    if (!all.some((k) => k.scopes.includes('manage') && !k.revokedAt)) await add('admin', generateKey(['manage']), 'generated');
    return { ring, created };
  }

  private remember(row: ApiKeyRow): KeyEntry {
    const entry: KeyEntry = Object.freeze({ ...row, scopes: [...row.scopes] });
    this.byHash.set(entry.keyHash, entry);
    this.byId.set(entry.keyId, entry);
    return entry;
  }

  /** Fills in the prefix (and a track key's text) of a key stored before they were kept. */
  private async complete(known: KeyEntry, key: string): Promise<void> {
    const plainKey = known.scopes.includes('track') ? key : null;
    if (known.prefix !== '' && known.plainKey === plainKey) return;
    const fill = { prefix: key.slice(0, KEY_PREFIX_LENGTH), plainKey };
    await this.store.completeKey(known.keyId, fill);
    this.remember({ ...known, ...fill });
  }

  private async insert(key: string, label: string, scopes: KeyScope[]): Promise<KeyEntry> {
    const keyHash = hashKey(key);
    const row: ApiKeyRow = {
      keyId: `key_${keyHash.slice(0, 12)}`,
      keyHash,
      label,
      scopes,
      createdAt: this.clock.now(),
      revokedAt: null,
      prefix: key.slice(0, KEY_PREFIX_LENGTH),
      plainKey: scopes.includes('track') ? key : null,
    };
    await this.store.insertKey(row);
    return this.remember(row);
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn, fn);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Every key, revoked ones included, oldest first. */
  list(): KeyEntry[] {
    return [...this.byId.values()].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.keyId < b.keyId ? -1 : 1));
  }

  /**
   * Makes a key; its text is in the answer only (stored as a hash, and in full for a track key).
   * @example await ring.create('Reporting', ['read'])
   */
  create(label: string, scopes: readonly KeyScope[]): Promise<Result<{ entry: KeyEntry; key: string }, KeyError>> {
    const normal = normalizeScopes(scopes);
    if (!normal.ok) return Promise.resolve(normal);
    return this.serial(async () => {
      const key = generateKey(normal.value);
      const entry = await this.insert(key, label, normal.value);
      this.logger.info({ keyId: entry.keyId, scopes: entry.scopes }, 'api key created');
      return ok({ entry, key });
    });
  }

  /** Revokes a key at once; refused for the last live key that can manage. Revoking a revoked key changes nothing. */
  revoke(keyId: string): Promise<Result<KeyEntry, KeyError>> {
    return this.serial(async () => {
      const entry = this.byId.get(keyId);
      if (!entry) return err({ code: 'keys.not_found' as const, message: `No key has the id ${keyId}.` });
      if (entry.revokedAt) return ok(entry);
      const admins = [...this.byId.values()].filter((k) => !k.revokedAt && k.scopes.includes('manage'));
      if (entry.scopes.includes('manage') && admins.length === 1) {
        return err({
          code: 'keys.last_admin' as const,
          message: `${keyId} is the last key with the manage scope: revoking it would leave nobody able to manage this server.`,
        });
      }
      const at = this.clock.now();
      await this.store.revokeKey(keyId, at);
      this.logger.info({ keyId }, 'api key revoked');
      return ok(this.remember({ ...entry, revokedAt: at }));
    });
  }

  /** Whether `key` may be used for `scope` now: known, not revoked, and holding the scope. */
  check(key: string, scope: KeyScope): KeyCheck {
    const entry = this.byHash.get(hashKey(key));
    if (!entry) return { ok: false, reason: 'unknown' };
    if (entry.revokedAt) return { ok: false, reason: 'revoked', key: entry };
    if (!entry.scopes.includes(scope)) return { ok: false, reason: 'missing_scope', key: entry, scope };
    return { ok: true, key: entry };
  }

  /** The source a live track key stands for, or null. */
  writeSource(key: string): SourceId | null {
    const c = this.check(key, 'track');
    return c.ok ? sourceIdOf(c.key.keyHash) : null;
  }

  /** Whether `key` is known and not revoked (to print only the keys that still work). */
  isLive(key: string): boolean {
    const entry = this.byHash.get(hashKey(key));
    return entry !== undefined && entry.revokedAt === null;
  }
}
