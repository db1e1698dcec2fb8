/**
 * File imports: customers, events and orders from CSV/TSV, NDJSON or JSON files, through the ingest path (identity
 * resolution, dedup, quarantine). docs/imports.md is the user guide.
 *
 * ```ts
 * const summary = await imports.run({ path: 'clients.csv', kind: 'customers', mapping });
 * ```
 */
export { ImportService, importSourceId, type ImportProgress, type ImportRequest, type ImportSummary, type QuarantineWriter } from './import-service.js';
export { compileMapping, ColumnMapping, ImportKind, Mapping, type CompiledMapping, type MappingInput } from './mapping.js';
export { foldName, inferMapping } from './infer.js';
export { CsvParser, CsvSyntaxError, detectDelimiter, type CsvRecord } from './csv-parser.js';
export { formatOf, isBadRow, openImportFile, type Encoding, type FileFormat, type FileInfo } from './read-file.js';
export { rowToMessage, rowMessageId, plainValue } from './to-message.js';
