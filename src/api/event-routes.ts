import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../kernel/index.js';
import type { ProfileService } from '../profiles/index.js';
import { ErrorBody, RecentEventsView, RecentEventsQuery } from './schemas.js';

export interface EventDeps {
  profiles: ProfileService;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const security = [{ adminKey: [] }];

/** Events across all profiles, for the dashboard's live stream (read scope; the admin routes' hook applies). */
export async function eventRoutes(app: FastifyInstance, deps: EventDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/events/recent', {
    schema: {
      tags: ['profiles'],
      summary: 'The latest accepted events in receive order, newest first; poll with `after` for the new ones',
      description:
        'Without `after`, the newest `limit` events. With the `cursor` of a previous answer, only events received since; ' +
        'when more than `limit` arrived, the newest `limit` are returned (a live view skips ahead rather than lag). ' +
        'The cursor is opaque: pass it back as it is.',
      security,
      querystring: RecentEventsQuery,
      response: { 200: RecentEventsView, ...errors },
    },
    handler: async (req) => {
      const res = await deps.profiles.recentEvents({ after: req.query.after, limit: req.query.limit });
      if (!res.ok) throw new AppError(res.error.code, res.error.message, { path: `querystring.${res.error.path}` });
      return res.value;
    },
  });
}
