/** What can be wrong with a transaction log or with what it allows to fit: expected outcomes, returned as values. */
export type ClvProblem =
  | { readonly code: 'clv.bad_line'; readonly message: string; /** 1-based line of the file. */ readonly line: number }
  | { readonly code: 'clv.unknown_column'; readonly message: string; readonly column: string; readonly columns: readonly string[] }
  | { readonly code: 'clv.no_customers'; readonly message: string }
  | { readonly code: 'clv.no_repeat_customers'; readonly message: string }
  | { readonly code: 'clv.unbounded_spend'; readonly message: string; readonly q: number };
