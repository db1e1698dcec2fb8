export type * from './port.js';
export { openDuckDbStore, freeDiskBytes } from './duckdb/duckdb-store.js';
export { LATEST_SCHEMA_VERSION } from './duckdb/migrations.js';
export { writeSyntheticAudience } from './duckdb/synthetic.js';
export { openParquet, type ParquetFile } from './duckdb/parquet-reader.js';
