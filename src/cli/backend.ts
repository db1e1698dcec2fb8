import { z } from 'zod';
import { ErrorBody, QuarantineItem, ReplayResult, quarantineView } from '../api/index.js';
import { loadConfig } from '../config/index.js';
import { AppError, ERROR_CODES, ProfileId } from '../kernel/index.js';
import type { ReplayReport } from '../ingest/index.js';
import { createSegmentum, type Segmentum } from '../main.js';
import { ProfileView, StatsView } from '../profiles/index.js';
import type { Stats } from '../store/index.js';

export type QuarantineListItem = z.infer<typeof QuarantineItem>;

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
    // The same shape as GET /api/quarantine, so --json output does not depend on the backend.
    return { total: res.total, items: res.items.map(quarantineView) };
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
  /** Every answer is parsed with the schema the server answers with: the server is an edge too. */
  private async call<S extends z.ZodType>(schema: S, path: string, init: { method?: string; body?: unknown } = {}): Promise<z.output<S>> {
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
      const e = ErrorBody.safeParse(body);
      const code = e.success ? ERROR_CODES.find((c) => c === e.data.error.code) : undefined;
      throw new AppError(code ?? 'server.internal', e.success ? e.data.error.message : `HTTP ${res.status} from ${path}`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new AppError('cli.server_unreachable', `The answer of ${this.base} to ${path} is not what Segmentum sends.`);
    return parsed.data;
  }
  stats(): Promise<Stats> {
    return this.call(StatsView, '/api/stats');
  }
  async profile(ref: string): Promise<ProfileView> {
    if (ref.startsWith('prof_')) return this.call(ProfileView, `/api/profiles/${encodeURIComponent(ref)}`);
    const tries = ref.includes('@') ? [`email=${encodeURIComponent(ref)}`] : [`userId=${encodeURIComponent(ref)}`, `anonymousId=${encodeURIComponent(ref)}`];
    let last: unknown;
    for (const q of tries) {
      try {
        return await this.call(ProfileView, `/api/profiles?${q}`);
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
    return this.call(z.object({ total: z.number(), items: z.array(QuarantineItem) }), `/api/quarantine?${params}`);
  }
  quarantineReplay(q: { ids?: string[] | undefined; code?: string | undefined; limit: number }): Promise<ReplayReport> {
    return this.call(ReplayResult, '/api/quarantine/replay', { method: 'POST', body: q });
  }
  async close(): Promise<void> {}
}
