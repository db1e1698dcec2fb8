import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { QualityService } from '../quality/index.js';
import { ErrorBody, QualityReportView, QualityTrendView } from './schemas.js';

export interface QualityDeps {
  quality: QualityService;
}

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
const security = [{ adminKey: [] }];

const RulesView = z.object({ items: z.array(z.record(z.string(), z.unknown())).describe('The validation rules in force (quality.rules), as data.') });

/** The data-quality report under /api/quality. */
export async function qualityRoutes(app: FastifyInstance, deps: QualityDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/api/quality', {
    schema: {
      tags: ['quality'],
      summary: 'The data-quality report: the latest one when recent (quality.maxAgeMinutes), else computed now and stored',
      security,
      response: { 200: QualityReportView, ...errors },
    },
    handler: async () => deps.quality.latest(),
  });

  r.post('/api/quality/runs', {
    schema: { tags: ['quality'], summary: 'Compute the data-quality report now and store it (a point of the trend)', security, response: { 200: QualityReportView, ...errors } },
    handler: async () => deps.quality.run(),
  });

  r.get('/api/quality/trend', {
    schema: { tags: ['quality'], summary: 'The stored reports over time, oldest first: duplicate rates, completeness, violations, invalid values', security, response: { 200: QualityTrendView, ...errors } },
    handler: async () => ({ items: await deps.quality.trend() }),
  });

  r.get('/api/quality/rules', {
    schema: { tags: ['quality'], summary: 'The validation rules the report applies', security, response: { 200: RulesView, ...errors } },
    handler: async () => ({ items: deps.quality.rules.map((x) => ({ ...x })) }),
  });
}
