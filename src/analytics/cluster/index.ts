export { kmeans, kmeansPlusPlus, type KMeansOptions, type KMeansResult, type Matrix } from './kmeans.js';
export { workerCount } from './kmeans-passes.js';
export { adjustedRandIndex, calinskiHarabasz, daviesBouldin, knee, silhouette, silhouetteSamples, type SilhouetteSummary } from './metrics.js';
export { scaleColumns, unscale, type ScaleMethod, type Scaled } from './scale.js';
export {
  clusterTable,
  dbscanTable,
  hierarchicalTable,
  projection2d,
  type ClusterRun,
  type ClusterOptions,
  type DbscanOptions,
  type DbscanRun,
  type HierarchicalOptions,
  type HierarchicalRun,
} from './run.js';
export { pca, project, type Pca } from './pca.js';
export { dbscan, kDistance, type DbscanResult } from './dbscan.js';
export { cut, hierarchical, MAX_HIERARCHICAL_ROWS, type Linkage, type Merge } from './hierarchical.js';
