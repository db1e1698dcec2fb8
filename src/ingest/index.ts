export { IngestService, type SubmitInput, type ReplayReport } from './ingest-service.js';
export { GroupCommitter, noMetrics, type IngestMetrics, type Work, type WorkOutcome } from './group-committer.js';
export { EventNormalizer, safeStringify, type Envelope, type RequestMeta, type NormalizedEvent, type TraitNormaliser } from './normalize.js';
export * from './schemas.js';
