export { computeQualityReport, DEFAULT_FIELD_SPECS, type FreshnessLabel, type QualityInput, type QualityProfile, type QualityReport } from './report.js';
export { QualityService, type QualityServiceOptions, type QualityTrendPoint, type StoredQualityReport } from './quality-service.js';
