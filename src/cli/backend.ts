import { loadConfig } from '../config/index.js';
import { AppError, ProfileId } from '../kernel/index.js';
import type { ReplayReport } from '../ingest/index.js';
import { createSegmentum, type Segmentum } from '../main.js';
import type { ProfileView } from '../profiles/index.js';
import type { Stats } from '../store/index.js';

export interface QuarantineListItem {
  id: string;
  receivedAt: string;
  sourceId: string;
  code: string;
  message: string;
  path: string | null;
  messageId: string | null;
  raw: string;
  status: string;
  replayCount: number;
}

/** What the read/manage commands need: served by the database file directly, or by a running server over HTTP. */
export interface Backend {
  stats(): Promise<Stats>;
  profile(ref: string): Promise<ProfileView>;
  quarantineList(q: { status?: string | undefined; code?: string | undefined; limit: number }): Promise<{ total: number; items: QuarantineListItem[] }>;
  quarantineReplay(q: { ids?: string[] | undefined; code?: string | undefined; limit: number }): Promise<ReplayReport>;
  close(): Promise<void>;
}

export interface BackendOptions {
  db?: string | undefined;
  url?: string | undefined;
  adminKey?: string | undefined;
}

export async function openBackend(o: BackendOptions): Promise<Backend> {
  if (o.url) return new HttpBackend(o.url, o.adminKey ?? process.env.SEGMENTUM_ADMIN_KEY ?? '');
  return new LocalBackend(await createSegmentum(loadConfig({ env: process.env, flags: o.db ? { db: o.db } : {} }), { logger: false }));
}

/** `prof_…` is a profile id; an address with @ an email; anything else a userId, then an anonymousId. */
async function findProfile(s: Segmentum, ref: string): Promise<ProfileView> {
  if (ref.startsWith('prof_')) {
    const r = await s.profiles.get(ProfileId(ref));
    if (r.ok) return r.value;
    throw new AppError('profile.not_found', r.error.message);
  }
  const tries = ref.includes('@') ? [{ email: ref }] : [{ userId: ref }, { anonymousId: ref }];
  for (const by of tries) {
    const r = await s.profiles.find(by);
    if (r.ok) return r.value;
  }
  throw new AppError('profile.not_found', `No profile has the id, userId, anonymousId or email ${ref}.`);
}

class LocalBackend implements Backend {
  constructor(private readonly s: Segmentum) {}
  stats(): Promise<Stats> {
    return this.s.profiles.stats();
  }
  profile(ref: string): Promise<ProfileView> {
    return findProfile(this.s, ref);
  }
  async quarantineList(q: { status?: string | undefined; code?: string | undefined; limit: number }) {
    const status = q.status === 'pending' || q.status === 'replayed' ? q.status : undefined;
    const res = await this.s.store.listQuarantine({ status, code: q.code, limit: q.limit });
    return {
      total: res.total,
      items: res.items.map((i) => ({ ...i, receivedAt: i.receivedAt.toISOString() })),
    };
  }
  quarantineReplay(q: { ids?: string[] | undefined; code?: string | undefined; limit: number }): Promise<ReplayReport> {
    return this.s.ingest.replayWhere(q);
  }
  close(): Promise<void> {
    return this.s.close();
  }
}

class HttpBackend implements Backend {
  constructor(
    private readonly base: string,
    private readonly adminKey: string,
  ) {}
  private async call<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.base), {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${this.adminKey}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
        ...(init.body ? { body: JSON.stringify(init.body) } : {}),
      });
    } catch (cause) {
      throw new AppError('cli.server_unreachable', `Cannot reach ${this.base}.`, { cause });
    }
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      const e = (body as { error?: { code?: string; message?: string } } | null)?.error;
      const code = (e?.code ?? 'server.internal') as ConstructorParameters<typeof AppError>[0];
      throw new AppError(code, e?.message ?? `HTTP ${res.status}`);
    }
    return body as T;
  }
  stats(): Promise<Stats> {
    return this.call('/api/stats');
  }
  async profile(ref: string): Promise<ProfileView> {
    if (ref.startsWith('prof_')) return this.call(`/api/profiles/${encodeURIComponent(ref)}`);
    const tries = ref.includes('@') ? [`email=${encodeURIComponent(ref)}`] : [`userId=${encodeURIComponent(ref)}`, `anonymousId=${encodeURIComponent(ref)}`];
    let last: unknown;
    for (const q of tries) {
      try {
        return await this.call(`/api/profiles?${q}`);
      } catch (e) {
        last = e;
        if (!(e instanceof AppError) || e.code !== 'profile.not_found') throw e;
      }
    }
    throw last;
  }
  quarantineList(q: { status?: string | undefined; code?: string | undefined; limit: number }) {
    const params = new URLSearchParams({ limit: String(q.limit) });
    if (q.status) params.set('status', q.status);
    if (q.code) params.set('code', q.code);
    return this.call<{ total: number; items: QuarantineListItem[] }>(`/api/quarantine?${params}`);
  }
  quarantineReplay(q: { ids?: string[] | undefined; code?: string | undefined; limit: number }): Promise<ReplayReport> {
    return this.call('/api/quarantine/replay', { method: 'POST', body: q });
  }
  async close(): Promise<void> {}
}
