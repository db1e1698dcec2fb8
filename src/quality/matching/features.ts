import { COMPARATOR_OF, type ComparatorKind, type Role } from './config.js';
import { compact, normaliseDate, normaliseEmail, normalisePhone, normaliseText, tokensOf } from './normalise.js';
import { soundex, soundexFr } from './phonetic.js';
import { charMask } from './sketch.js';

/**
 * Per-record features, computed once before any pair is compared: normalised strings, and for each distinct value an
 * integer id, its phonetic codes and its token ids. Comparing two records then mostly compares integers; string
 * comparators only run when two values differ. Everything derived from a value is computed once per distinct value
 * (a million records hold far fewer distinct names), which is what keeps this phase linear and cheap.
 */

/**
 * Strings to dense integer ids, in order of first sight. An open-addressing table over an Int32Array with an FNV-1a
 * hash of the characters: twice as fast as a Map at a million distinct emails (no entry objects, no rehash of them).
 */
export class Interner {
  readonly values: string[] = [];
  private slots = new Int32Array(1024).fill(-1);
  private hashes = new Int32Array(1024);
  private mask = 1023;
  id(value: string): number {
    if (this.values.length * 2 >= this.slots.length) this.grow();
    const h = hashOf(value);
    let s = h & this.mask;
    for (;;) {
      const v = this.slots[s]!;
      if (v === -1) {
        this.slots[s] = this.values.length;
        this.hashes[s] = h;
        this.values.push(value);
        return this.values.length - 1;
      }
      if (this.hashes[s] === h && this.values[v] === value) return v;
      s = (s + 1) & this.mask;
    }
  }
  get size(): number {
    return this.values.length;
  }
  private grow(): void {
    const oldSlots = this.slots;
    const oldHashes = this.hashes;
    this.slots = new Int32Array(oldSlots.length * 2).fill(-1);
    this.hashes = new Int32Array(oldSlots.length * 2);
    this.mask = this.slots.length - 1;
    for (let i = 0; i < oldSlots.length; i++) {
      if (oldSlots[i] === -1) continue;
      const h = oldHashes[i]!;
      let s = h & this.mask;
      while (this.slots[s] !== -1) s = (s + 1) & this.mask;
      this.slots[s] = oldSlots[i]!;
      this.hashes[s] = h;
    }
  }
}

function hashOf(value: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < value.length; k++) h = Math.imul(h ^ value.charCodeAt(k), 0x01000193);
  return h ^ (h >>> 16);
}

export interface FieldFeatures {
  readonly role: Role;
  readonly kind: ComparatorKind;
  /** Distinct normalised values; `id[i]` indexes it, -1 when record i has no value. */
  readonly values: readonly string[];
  readonly id: Int32Array;
  /** Per distinct value (names): Soundex2 (French) and Soundex (English) codes as ids, -1 when there is none. */
  readonly phoneticFr: Int32Array;
  readonly phoneticEn: Int32Array;
  /** Per distinct value: its length and character mask (sketch.ts), to reject pairs without the strings. */
  readonly len: Uint16Array;
  readonly mask: Int32Array;
  /** Per distinct value (dates): YYYYMMDD as a number; (emails): the id of the part before the @. */
  readonly num: Int32Array;
  /** Per distinct value v (tokens): its sorted word-token ids are tokenIds[tokenStart[v] .. tokenStart[v + 1]). */
  readonly tokenStart: Int32Array;
  readonly tokenIds: Int32Array;
  /** Per token id: its text, length and mask. */
  readonly tokenText: readonly string[];
  readonly tokenLen: Uint16Array;
  readonly tokenMask: Int32Array;
}

export interface RecordTable {
  readonly size: number;
  readonly ids: readonly string[];
  /** 0 or 1: the file a record came from (all 0 when deduplicating one file). */
  readonly source: Uint8Array;
  readonly linking: boolean;
  readonly fields: readonly FieldFeatures[];
  readonly byRole: ReadonlyMap<Role, FieldFeatures>;
  /**
   * The value ids again, record by record (`rows[r * fields.length + f]`): comparing a pair then reads two short
   * runs of memory instead of one cell in each field's column, which is what the comparison phase is bound by.
   */
  readonly rows: Int32Array;
}

export interface RecordInput {
  ids: readonly string[];
  columns: Partial<Record<Role, readonly string[]>>;
  /** Present when linking two files: the file (0 or 1) of each record. */
  source?: Uint8Array;
}

const NULLISH = new Set(['null', 'none', 'nan', 'unknown', 'inconnu', 'n a']);

function normaliserOf(role: Role, kind: ComparatorKind): (raw: string) => string {
  switch (role) {
    case 'email':
      return normaliseEmail;
    case 'phone':
      return normalisePhone;
    case 'date_of_birth':
      return normaliseDate;
    default:
      break;
  }
  if (kind === 'name' || kind === 'code') return (raw) => compact(normaliseText(raw));
  return normaliseText;
}

function buildField(role: Role, raw: readonly string[]): FieldFeatures {
  const kind = COMPARATOR_OF[role];
  const normalise = normaliserOf(role, kind);
  const interner = new Interner();
  const id = new Int32Array(raw.length);
  // Names, towns, addresses and dates repeat and cost a regular expression or two to normalise: each distinct raw
  // cell is normalised once. Emails and phones hardly repeat and normalise cheaply: a cache would cost more.
  if (role === 'email' || role === 'phone') {
    for (let i = 0; i < raw.length; i++) {
      const n = normalise(raw[i] ?? '');
      id[i] = n === '' || NULLISH.has(n) ? -1 : interner.id(n);
    }
  } else {
    const rawInterner = new Interner();
    const rawValue: number[] = [];
    for (let i = 0; i < raw.length; i++) {
      const r = rawInterner.id(raw[i] ?? '');
      if (r === rawValue.length) {
        const n = normalise(raw[i] ?? '');
        rawValue.push(n === '' || NULLISH.has(n) ? -1 : interner.id(n));
      }
      id[i] = rawValue[r]!;
    }
  }
  const values = interner.values;
  let phoneticFr = new Int32Array(0);
  let phoneticEn = new Int32Array(0);
  if (kind === 'name') {
    const fr = new Interner();
    const en = new Interner();
    phoneticFr = new Int32Array(values.length);
    phoneticEn = new Int32Array(values.length);
    for (let v = 0; v < values.length; v++) {
      const f = soundexFr(values[v]!);
      const e = soundex(values[v]!);
      phoneticFr[v] = f === '' ? -1 : fr.id(f);
      phoneticEn[v] = e === '' ? -1 : en.id(e);
    }
  }
  const tokenInterner = new Interner();
  const tokenStart = new Int32Array(kind === 'tokens' ? values.length + 1 : 0);
  const tokenList: number[] = [];
  if (kind === 'tokens') {
    values.forEach((v, i) => {
      const ids = tokensOf(v).map((t) => tokenInterner.id(t));
      ids.sort((x, y) => x - y);
      for (const t of ids) tokenList.push(t);
      tokenStart[i + 1] = tokenList.length;
    });
  }
  const tokenText = tokenInterner.values;
  const len = Uint16Array.from(values, (v) => Math.min(65535, v.length));
  const mask = Int32Array.from(values, charMask);
  let num = new Int32Array(0);
  if (kind === 'date') num = Int32Array.from(values, (v) => (/^\d{8}$/.test(v) ? Number(v) : -1));
  if (kind === 'email') {
    const locals = new Interner();
    num = Int32Array.from(values, (v) => locals.id(v.slice(0, v.indexOf('@'))));
  }
  return {
    role,
    kind,
    values,
    id,
    phoneticFr,
    phoneticEn,
    len,
    mask,
    num,
    tokenStart,
    tokenIds: Int32Array.from(tokenList),
    tokenText,
    tokenLen: Uint16Array.from(tokenText, (t) => Math.min(65535, t.length)),
    tokenMask: Int32Array.from(tokenText, charMask),
  };
}

/** Features of every record, one field per role present; roles whose column is empty throughout are left out. */
export function buildRecordTable(input: RecordInput): RecordTable {
  const size = input.ids.length;
  const fields: FieldFeatures[] = [];
  for (const [role, raw] of Object.entries(input.columns) as [Role, readonly string[]][]) {
    if (raw.length !== size) throw new Error(`column ${role} has ${raw.length} values for ${size} records`);
    const f = buildField(role, raw);
    if (f.values.length > 0) fields.push(f);
  }
  const source = input.source ?? new Uint8Array(size);
  const F = fields.length;
  const rows = new Int32Array(size * F);
  fields.forEach((f, k) => {
    for (let r = 0; r < size; r++) rows[r * F + k] = f.id[r]!;
  });
  return {
    rows,
    size,
    ids: input.ids,
    source,
    linking: input.source !== undefined,
    fields,
    byRole: new Map(fields.map((f) => [f.role, f])),
  };
}

/** The normalised value of a field for a record ('' when missing). */
export function valueOf(f: FieldFeatures, record: number): string {
  const v = f.id[record]!;
  return v < 0 ? '' : f.values[v]!;
}
