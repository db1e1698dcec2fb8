import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Clock } from '../kernel/index.js';
import type { ProfileService } from '../profiles/index.js';
import { fillTrend, trendDays, type SegmentService } from '../segments/index.js';
import { ErrorBody, OverviewView, TrendsQuery, TrendsView } from './schemas.js';

export interface OverviewDeps {
  profiles: ProfileService;
  segments: SegmentService;
  clock: Clock;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const security = [{ adminKey: [] }];
const OVERVIEW_TREND_DAYS = 7;

/** The dashboard's first page and the segment size trends (read scope; the admin routes' hook applies). */
export async function overviewRoutes(app: FastifyInstance, deps: OverviewDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/overview', {
    schema: {
      tags: ['operations'],
      summary: 'Counts, events per minute over the last hour, top events of the week, every segment with its 7-day trend',
      security,
      response: { 200: OverviewView, ...errors },
    },
    handler: async () => {
      // One instant for every figure: the trend's today and the per-minute buckets end at the same now.
      const now = deps.clock.now();
      const summary = await deps.profiles.summary(now);
      const trends = new Map((await deps.segments.trends(OVERVIEW_TREND_DAYS, now)).map((t) => [t.id, t.trend]));
      const segments = [];
      for (const seg of deps.segments.list()) {
        segments.push({ id: seg.id, name: seg.name, kind: seg.kind, size: await deps.segments.size(seg.id), trend: trends.get(seg.id) ?? fillTrend(trendDays(now, OVERVIEW_TREND_DAYS), []) });
      }
      return {
        ...summary,
        at: summary.at.toISOString(),
        eventsPerMinute: summary.eventsPerMinute.map((m) => ({ minute: m.minute.toISOString(), count: m.count })),
        segments,
      };
    },
  });

  r.get('/api/segments/trends', {
    schema: {
      tags: ['segments'],
      summary: 'Size of every segment at the end of each of the last N UTC days, today last',
      security,
      querystring: TrendsQuery,
      response: { 200: TrendsView, ...errors },
    },
    handler: async (req) => ({ items: await deps.segments.trends(req.query.days) }),
  });
}
