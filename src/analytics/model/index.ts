export * from './types.js';
export { fitLogReg, logRegFromJSON, LogisticRegressionModel, type LogRegJSON, type LogRegOptions } from './logreg.js';
export {
  averagePrecision,
  brierScore,
  calibrationCurve,
  confusionAt,
  logLoss,
  prCurve,
  precisionRecallF1,
  rocAuc,
  rocCurve,
  thinCurve,
  tuneThreshold,
  type CalibrationCurve,
  type ClassificationScores,
  type Confusion,
  type CurvePoints,
  type PrCurve,
  type RocCurve,
  type ThresholdChoice,
  type ThresholdGoal,
} from './metrics.js';
export {
  crossValidate,
  gridSearch,
  parameterGrid,
  stratifiedKFold,
  stratifiedSplit,
  takeRows,
  type GridPoint,
  type GridSearchResult,
  type ParamGrid,
  type ParamsOf,
  type Split,
} from './split.js';
export { classWeights, smote, type SmoteOptions } from './imbalance.js';
export { permutationImportance, type ImportanceMetric, type PermutationImportance, type PermutationImportanceOptions } from './importance.js';
export * from './tree/index.js';
export { fitMlp, mlpFromJSON, MlpModel, type MlpEpoch, type MlpJSON, type MlpOptions, type MlpSettings, type MlpWeights } from './mlp.js';
export type { Activation as MlpActivation } from './mlp-kernel.js';
