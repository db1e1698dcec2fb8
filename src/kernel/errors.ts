/**
 * The one catalogue of error codes. Every code is listed once, mapped once to an HTTP status, documented in
 * docs/errors.md (a test keeps the two in step) and never reused for another meaning.
 */
export const ERROR_CATALOGUE = {
  // Authentication and scopes
  'auth.missing_write_key': {
    status: 401,
    hint: 'Send the source write key as HTTP Basic auth (username = key), an X-Write-Key header, ?writeKey= or a writeKey field.',
  },
  'auth.invalid_write_key': { status: 401, hint: 'Check the write key: `segmentum serve` prints the keys it accepts.' },
  'auth.missing_admin_key': {
    status: 401,
    hint: 'Send a key with the read or manage scope (such as the admin key) as `Authorization: Bearer <key>`.',
  },
  'auth.invalid_admin_key': { status: 401, hint: 'Check the key: `segmentum serve` prints the admin key on start.' },
  'auth.forbidden_scope': {
    status: 403,
    hint: 'GET and HEAD on /api need the read scope, other methods the manage scope; a write key (track) can only send events. Use a key with that scope (GET /api/keys lists the scopes of each key).',
  },
  'auth.revoked_key': {
    status: 401,
    hint: 'The key was revoked and is refused from then on: use another key, or create one (POST /api/keys, or the dashboard).',
  },

  // The request as a whole
  'request.malformed_json': {
    status: 400,
    hint: 'Send a valid JSON body (application/json or text/plain); the raw body is kept in quarantine for replay.',
  },
  'request.body_too_large': {
    status: 413,
    hint: 'Split the batch: a request may carry at most the configured batch size in bytes (500 KB by default). A body up to maxKeptBodyBytes (8 MB) is kept in quarantine for replay.',
  },
  'request.too_many_events': {
    status: 413,
    hint: 'Split the batch: a request may carry at most the configured number of events (2,500 by default).',
  },
  'request.bad_encoding': { status: 400, hint: 'Send the body uncompressed or gzip-compressed with Content-Encoding: gzip.' },
  'request.unsupported_media_type': {
    status: 415,
    hint: 'Send the body as application/json or text/plain.',
  },
  'request.invalid': { status: 400, hint: 'Fix the field named in `path` and send the request again.' },
  'request.not_found': { status: 404, hint: 'Check the path; the API reference is served at /docs.' },

  // One event (per-event rejections: the event is kept in quarantine with this code)
  'event.invalid': { status: 400, hint: 'Fix the field named in `path`; the event is kept in quarantine for replay.' },
  'event.unknown_type': {
    status: 400,
    hint: 'Set `type` to identify, track, page, screen, group or alias.',
  },
  'event.too_large': { status: 400, hint: 'Keep each event under the configured size (32 KB by default).' },
  'event.too_deep': { status: 400, hint: 'Flatten the event: objects may nest at most the configured depth.' },
  'event.too_many_keys': { status: 400, hint: 'Send fewer properties: an event may hold at most the configured number of keys.' },
  'event.forbidden_key': {
    status: 400,
    hint: 'Rename the key: __proto__, constructor and prototype are refused as property names.',
  },
  'event.message_id_too_long': { status: 400, hint: 'Keep messageId to 100 characters at most.' },
  'event.missing_identity': { status: 400, hint: 'Give every event a userId or an anonymousId.' },
  'event.blocked_identity': {
    status: 400,
    hint: 'The event carries only blocked identifier values (such as "null" or "anonymous"); send a real userId or anonymousId.',
  },
  'event.invalid_timestamp': { status: 400, hint: 'Send timestamps as ISO 8601 strings, such as 2026-11-23T10:00:00.000Z.' },

  // Resources of the management API
  'profile.not_found': { status: 404, hint: 'Look the profile up by userId, anonymousId or email: GET /api/profiles?userId=...' },
  'quarantine.not_found': { status: 404, hint: 'List quarantined events with GET /api/quarantine or `segmentum quarantine list`.' },

  // API keys
  'keys.invalid_scopes': {
    status: 400,
    hint: 'Give track alone (a write key, which is public in web pages), or read and/or manage (manage includes read).',
  },
  'keys.not_found': { status: 404, hint: 'List keys and their ids with GET /api/keys or `segmentum keys list`.' },
  'keys.last_admin': {
    status: 409,
    hint: 'Create another key with the manage scope first, then revoke this one: a server without one could not be managed.',
  },

  // Segments
  'segments.parse_error': {
    status: 400,
    hint: 'Fix the definition at the line and column given; the language is described in docs/segments.md.',
  },
  'segments.invalid_definition': {
    status: 400,
    hint: 'Each issue names the part of the definition at fault (its path in the tree) and what it accepts.',
  },
  'segments.not_found': { status: 404, hint: 'List segments with GET /api/segments or `segmentum segments list`.' },
  'segments.name_taken': { status: 409, hint: 'Segment names are unique: pick another name or update the existing segment.' },
  'segments.unknown_reference': {
    status: 400,
    hint: 'in_segment(...) names a segment that does not exist: create it first or fix the name.',
  },
  'segments.cycle': { status: 400, hint: 'A segment cannot depend on itself, even through other segments: break the cycle shown.' },
  'segments.invalid_name': { status: 400, hint: 'Use 1 to 200 printable characters, without "/", other than "changes", "preview" or "trends".' },
  'segments.not_manual': { status: 409, hint: 'Only manual lists take uploaded members; a rule segment follows its definition.' },
  'segments.in_use': { status: 409, hint: 'Other segments refer to this one with in_segment(...): change or delete them first.' },

  // Data quality: field normalisers (src/quality/normalise), shared by imports and the tracking API's traits
  'quality.invalid_spec': {
    status: 400,
    hint: 'Fix the normaliser spec at the path given; docs/normalisation.md lists each kind and its options.',
  },
  'quality.empty_value': { status: 400, hint: 'Fill the value in, or leave the column optional so that empty cells are skipped.' },
  'quality.invalid_email': {
    status: 400,
    hint: 'Check the address: one @, a local part of at most 64 characters, a domain with a dot, no spaces, 254 characters in all.',
  },
  'quality.invalid_phone': {
    status: 400,
    hint: 'Check the digits, or write the number in international form (+33 6 12 34 56 78); national numbers are read in the default region of the spec.',
  },
  'quality.invalid_date': {
    status: 400,
    hint: 'Write the date in one of the formats declared for the column (or declare its format), and check that it exists in the calendar.',
  },
  'quality.ambiguous_date': {
    status: 400,
    hint: 'The value reads as different dates under the declared formats: declare only the format the column really uses.',
  },
  'quality.invalid_number': {
    status: 400,
    hint: 'Write the number with digits, an optional sign, one decimal separator and thousands grouped by three.',
  },
  'quality.ambiguous_number': {
    status: 400,
    hint: 'The value reads as different numbers (1,234 or 1.234 may be thousands or decimals): set decimalSeparator in the spec.',
  },
  'quality.unknown_currency': {
    status: 400,
    hint: 'Write an ISO 4217 code (EUR, USD, CHF) or a known symbol, or set defaultCurrency for amounts written without one.',
  },
  'quality.missing_rate': {
    status: 400,
    hint: "Add a rate for the currency on or before the amount's date to the rate table of the spec, or pass the date of the amount.",
  },
  'quality.invalid_country': {
    status: 400,
    hint: "Write an ISO 3166-1 code (FR, FRA) or the country's name in French or English, or add an alias to the spec.",
  },
  'quality.invalid_postal_code': {
    status: 400,
    hint: 'Write a French postal code as five digits, keeping the leading zero (01000); set numericInput if a spreadsheet dropped it.',
  },
  'quality.postal_code_mismatch': { status: 400, hint: 'The postal code does not belong to the country given: check both fields.' },
  'quality.invalid_siren': { status: 400, hint: 'Write the SIREN as its 9 digits and check them against the Sirene register (annuaire-entreprises.data.gouv.fr).' },
  'quality.invalid_siret': { status: 400, hint: 'Write the SIRET as its 14 digits (SIREN + NIC) and check them against the Sirene register.' },
  'quality.invalid_name': { status: 400, hint: 'Write a name with letters, spaces, hyphens and apostrophes only.' },
  'quality.invalid_address': { status: 400, hint: 'Write the address line with letters and digits.' },
  'quality.invalid_unit': {
    status: 400,
    hint: 'Write the quantity with a unit of the same kind as the target (g, kg, lb; cm, m, in; ml, cl, l), or set defaultUnit.',
  },
  'quality.invalid_boolean': { status: 400, hint: 'Write oui/non, vrai/faux, yes/no, true/false or 1/0, or add the values to the spec.' },
  // Validation rules (src/quality/rules): errors in the rules themselves. Violations carry the user's own rule.* codes,
  // which this catalogue never uses; quality.* stays the normalisers' codes.
  'validation.invalid_rule': {
    status: 400,
    hint: 'Fix the rule at the path given; docs/validation-rules.md lists each check kind and its options.',
  },
  'validation.unsafe_pattern': {
    status: 400,
    hint: 'Anchor the regex (^...$) and do not repeat a group that repeats or alternates, such as (a+)+; or use a named format or a valid check (docs/validation-rules.md).',
  },

  // File imports (segmentum import, POST /api/imports); per-row codes keep the row in quarantine
  'import.invalid_mapping': {
    status: 400,
    hint: 'Fix the mapping at the path given; docs/imports.md describes the mapping file. `segmentum import FILE --as KIND --infer` proposes one.',
  },
  'import.unreadable_file': { status: 400, hint: 'Check the path and that the file can be read by the process (for the API: a file inside the import folder).' },
  'import.unsupported_format': {
    status: 400,
    hint: 'Import .csv, .tsv or .txt (CSV), .ndjson or .jsonl (one JSON object per line), or .json (an array); pass --format when the extension says otherwise.',
  },
  'import.bad_encoding': { status: 400, hint: 'Declare the encoding of the file: --encoding windows-1252 (also for latin1/ISO-8859-1 files) or utf-8.' },
  'import.malformed_row': {
    status: 400,
    hint: 'Fix the line given: a CSV line needs as many cells as the header (quote cells holding the delimiter), an NDJSON line one JSON object.',
  },
  'import.missing_field': { status: 400, hint: 'Fill in the column named (required columns, an identifier, the order id or event name), then import the file again.' },
  'import.invalid_value': { status: 400, hint: 'Fix the cell named: products must be a JSON array of objects.' },
  'import.not_found': { status: 404, hint: 'List import runs with GET /api/imports.' },
  'import.forbidden_path': {
    status: 403,
    hint: 'The API imports files from its import folder only (imports/ beside the database): copy the file there and give its path inside it.',
  },

  // Record matching (`segmentum dedup`)
  'matching.unreadable_file': { status: 400, hint: 'Check the path of the CSV or mapping file, and that it can be read.' },
  'matching.invalid_csv': {
    status: 400,
    hint: 'Fix the line named in the message: every row needs as many cells as the header row; quote cells that contain the separator.',
  },
  'matching.unknown_column': {
    status: 400,
    hint: 'Use a column name of the file header (the message lists them) in --id-column or in the mapping file.',
  },
  'matching.invalid_mapping': {
    status: 400,
    hint: 'Fix the mapping file at the path given, such as {"columns": {"first_name": "given_name"}}; docs/matching.md lists the roles and options.',
  },
  'matching.no_comparable_fields': {
    status: 400,
    hint: 'Name the columns after their role (given_name, surname, date_of_birth, email, phone...) or map them with --mapping FILE.',
  },

  // Customer lifetime value (`segmentum clv fit`)
  'clv.unreadable_file': { status: 400, hint: 'Check the path of the transaction file, and that it can be read.' },
  'clv.bad_line': {
    status: 400,
    hint: 'Fix the line named in the message: --format cdnow wants 5 fields (customer, sample, date YYYYMMDD, quantity, amount); a CSV row needs a customer id, a date in --date-format and an amount written with digits and a decimal point.',
  },
  'clv.unknown_column': {
    status: 400,
    hint: 'Name columns of the CSV header (the message lists them) with --customer-column, --date-column and --amount-column.',
  },
  'clv.no_customers': { status: 400, hint: 'Check --calibration-end: it must come after the first purchases of the file.' },
  'clv.no_repeat_customers': {
    status: 400,
    hint: 'The models learn from repeat purchases (on another day than the first, with a positive amount for spend): choose a later --calibration-end or a longer log.',
  },
  'clv.not_converged': {
    status: 422,
    hint: 'The fit did not settle (the message names the model and where its parameters went). Parameters growing without bound put the data at a limit of the model, such as no customer dropping out: check that the calibration period holds enough repeat purchases and silences (docs/clv.md, Limits).',
  },
  'clv.unbounded_spend': {
    status: 422,
    hint: 'The spread of spend between customers is too wide for the Gamma-Gamma model (q <= 1): check the amounts for outliers or wrong units.',
  },
  'clv.series_not_converged': {
    status: 422,
    hint: 'The horizon is too long for the time unit: shorten --horizon or --forecast, or use --unit week instead of day.',
  },

  // Identity graph: merges, unmerges, the review queue
  'identity.unknown_profile': { status: 404, hint: 'Check the profile id: `segmentum identity show <id|userId|email>` finds a profile by any of its identifiers.' },
  'identity.same_profile': { status: 409, hint: 'The two ids already stand for one profile (one was merged into the other): nothing to merge.' },
  'identity.merge_refused': { status: 409, hint: 'The merged profile would hold more identifiers of a kind than allowed (one userId; identity.maxIdsPerKind for the others). Unmerge or fix the identifiers first, or raise the limit.' },
  'identity.merge_not_found': { status: 404, hint: 'List the merges of a profile with `segmentum identity show <profile>` or GET /api/identity/profiles/{id}.' },
  'identity.already_undone': { status: 409, hint: 'This merge was undone already; `segmentum identity show` lists the merges still in force.' },
  'identity.unmerge_blocked': { status: 409, hint: 'The profile that absorbed this one was merged again later: undo that later merge first (named in the message), then this one.' },
  'identity.review_not_found': { status: 404, hint: 'List the pairs waiting for a decision with `segmentum identity review` or GET /api/identity/review.' },
  'identity.review_decided': { status: 409, hint: 'This pair was decided already; only pending pairs can be accepted or rejected.' },

  // Clustering (`segmentum cluster`)
  'cluster.unreadable_file': { status: 400, hint: 'Check the path of the --input file and that it can be read (CSV with a header line, NDJSON, JSON or Parquet).' },
  'cluster.invalid_value': { status: 400, hint: 'Every cell of a feature column must be a number: fix the cell named (file, line, column), or leave the column out of --features.' },
  'cluster.no_features': { status: 400, hint: 'Name numeric columns with --features a,b,c; without it, every column whose values are all numbers is used (--id-column excluded).' },
  'cluster.too_many_rows': { status: 400, hint: 'Hierarchical clustering keeps the distances of every pair of rows in memory (at most 20,000 rows): sample the table, or use kmeans or dbscan.' },
  'cluster.too_few_rows': { status: 400, hint: 'k-means needs at least k rows with every feature filled in: lower --k, or give more rows.' },
  'cluster.not_found': { status: 404, hint: 'List the stored clusterings with `segmentum cluster list` or GET /api/clusters; a clustering is named by its name (and version).' },
  'cluster.unknown_cluster': { status: 400, hint: "Clusters are numbered from 0 to k - 1 in the run's summary; noise (-1) of a DBSCAN run is not a cluster." },
  'cluster.no_profiles': { status: 409, hint: 'No profile has the events the chosen population needs (an order for `customers`): load data first, or use --population seen.' },

  // Propensity models (`segmentum model`, /api/models)
  'model.unreadable_file': { status: 400, hint: 'Check the path of the --input (or --test) file and that it can be read (CSV with a header line, NDJSON, JSON or Parquet).' },
  'model.invalid_value': { status: 400, hint: 'Fix the row named (file, line): each line must have as many cells as the header.' },
  'model.unknown_column': { status: 400, hint: 'Name columns of the file: --target must be a column, and so must every name in --features.' },
  'model.bad_target': { status: 400, hint: 'The target must have exactly two values (0/1, true/false, yes/no, or name the positive one with --positive), both present in the training rows.' },
  'model.too_few_rows': { status: 400, hint: 'A model needs at least 20 training rows and at least 5 of each class: give more rows, or a target that happens more often.' },
  'model.invalid_spec': { status: 400, hint: 'Fix the field named in the message; docs/models.md lists every option of a model with its range.' },
  'model.not_found': { status: 404, hint: 'List the trained models with `segmentum model list` or GET /api/models; train one with `segmentum model train`.' },
  'model.no_profiles': { status: 409, hint: "No profile is old enough to be labelled (the target window must end before now): load more history, or shorten the target's days." },

  // Capacity and infrastructure (transient: clients retry)
  'server.overloaded': { status: 503, hint: 'Retry after the number of seconds in the Retry-After header.' },
  'server.shutting_down': { status: 503, hint: 'The server is stopping; retry against it once it is back.' },
  'server.store_unavailable': {
    status: 503,
    hint: 'The database could not commit; retry later and check the server log and free disk space.',
  },
  'server.internal': { status: 500, hint: 'This is a bug in Segmentum: the server log has the details; please report it.' },

  // Start-up and configuration (CLI only)
  'config.invalid': { status: 400, hint: 'Fix the option or environment variable named in the message.' },
  'store.schema_too_new': {
    status: 500,
    hint: 'This database was written by a newer Segmentum: upgrade Segmentum, or point --db at another file.',
  },
  'store.locked': {
    status: 500,
    hint: 'Another Segmentum process has this database open: stop it, or talk to it with --url and --admin-key.',
  },
  'store.open_failed': { status: 500, hint: 'Check that the --db path is writable and the disk has free space.' },
  'cli.server_unreachable': { status: 500, hint: 'Check that `segmentum serve` runs at the --url given.' },
} as const satisfies Record<string, { status: number; hint: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

export function statusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}

export function hintOf(code: ErrorCode): string {
  return ERROR_CATALOGUE[code].hint;
}

/** An error a caller can show: a stable code, a message saying what went wrong, and where. */
export interface Problem {
  readonly code: ErrorCode;
  readonly message: string;
  /** Where in the input, as a dotted path (`batch.3.properties.price`), when it applies. */
  readonly path?: string;
}

/** The one exception type, for infrastructure failures and refusals that end a whole operation. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  /** Machine-readable specifics (a parse error's line and column, the path of a cycle). */
  readonly details: Record<string, unknown> | undefined;
  private readonly specificHint: string | undefined;
  constructor(
    code: ErrorCode,
    message: string,
    opts: { cause?: unknown; path?: string; retryAfterSeconds?: number; details?: Record<string, unknown>; hint?: string } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.path = opts.path;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.details = opts.details;
    this.specificHint = opts.hint;
  }
  get status(): number {
    return statusOf(this.code);
  }
  /** What to do: specific to this failure when the thrower knew better than the catalogue. */
  get hint(): string {
    return this.specificHint ?? hintOf(this.code);
  }
}
