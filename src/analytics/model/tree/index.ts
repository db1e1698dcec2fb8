/**
 * Tree models for propensity scores: histogram gradient boosting (as scikit-learn's HistGradientBoostingClassifier)
 * and a random forest (as RandomForestClassifier, with histogram splits), both implementing BinaryClassifier with
 * TreeSHAP contributions and a compact JSON form.
 *
 * ```ts
 * import { fitGbdt, gbdtFromJSON } from './tree/index.js';
 * const model = fitGbdt(train);                       // defaults as scikit-learn: 100 trees of 31 leaves, rate 0.1
 * const p = model.predictProba(test.x, test.n);
 * const stored = JSON.stringify(model.toJSON());
 * const same = gbdtFromJSON(JSON.parse(stored));
 * ```
 */
export { fitGbdt, gbdtFromJSON, GbdtModel, type GbdtOptions, type GbdtJSON } from './gbdt.js';
export { fitForest, forestFromJSON, ForestModel, type ForestOptions, type ForestJSON } from './forest.js';
export type { BinMapper } from './bins.js';
export type { TreeEnsemble } from './ensemble.js';
export type { EnsembleJSON } from './ensemble-json.js';
