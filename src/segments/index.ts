export * from './ast.js';
export { parseDefinition, type ParseError } from './parse-text.js';
export { printDefinition } from './print-text.js';
export { checkDefinition, expandComputed, dependenciesOf, type ComputedTraits, type DefinitionIssue } from './check.js';
export { compileSegment, type CompileContext } from './compile-sql.js';
export { evaluate, type Facts } from './evaluate.js';
export { HistoryFacts, toSegmentEvent, type ProfileHistory, type SegmentEvent } from './history-facts.js';
export { LiveEngine, type ChangeReason, type LiveSegment, type LiveScorer } from './live-engine.js';
export {
  SegmentService,
  type SegmentError,
  type SegmentInput,
  type SegmentMember,
  type SegmentSummary,
  type Preview,
  type WriterLoop,
} from './segment-service.js';
export { fillTrend, trendDays, type TrendPoint } from './segment-trends.js';
export { explain, type ExplainNode } from './explain.js';
export { BUILT_IN_COMPUTED_TRAITS, BUILT_IN_MOST_FREQUENT, computedTraitsFrom, type MostFrequentTrait, type ComputedTraitSpec } from './computed-traits.js';
