/**
 * Feature preparation: the columns a marketer picked (numbers and categories, with gaps) into the clean numeric matrix
 * a model needs, fitted once and replayed on new profiles. See pipeline.ts for the order of the steps and why.
 *
 * ```ts
 * import { applyFeatures, fitFeatures } from '../analytics/index.js';
 * const fitted = fitFeatures(
 *   [
 *     { name: 'total_spent', kind: 'numeric', values: Float64Array.from([120, NaN, 40, 900]) },
 *     { name: 'city', kind: 'categorical', values: ['Paris', 'Lyon', null, 'Paris'] },
 *   ],
 *   { impute: 'median', transform: 'log', scale: 'zscore', maxLevels: 10 },
 * );
 * fitted.names; // ['total_spent', 'city=Paris', 'city=Lyon', 'city=__missing__']
 * const live = applyFeatures(JSON.parse(JSON.stringify(fitted.transform)), newColumns);
 * ```
 */
export { applyFeatures, fitFeatures } from './pipeline.js';
export { boxcox, boxcoxLambda, boxcoxLogLikelihood, yeojohnson, yeojohnsonLambda, yeojohnsonLogLikelihood } from './power.js';
export { MISSING as ONE_HOT_MISSING, OTHER as ONE_HOT_OTHER } from './one-hot.js';
export type {
  AppliedFeatures,
  CategoricalStep,
  ClipQuantiles,
  FeatureColumn,
  FeatureSpec,
  FeatureTransform,
  FittedFeatures,
  ImputeMethod,
  IterativeState,
  IterativeStep,
  KnnState,
  NumericFeatureSpec,
  NumericStep,
  PreparedFeatures,
  TransformMethod,
} from './types.js';
