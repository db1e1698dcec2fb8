import { hash } from 'node:crypto';
import type { KeyBuilder, KeyColumn } from './block-keys.js';
import type { Role } from './config.js';
import type { RecordTable } from './features.js';

/**
 * Exact keys: a SHA-256 digest of a record's normalised values for a composite of roles (email; phone; surname +
 * given name + date of birth). Records with the same digest are certain duplicates. The digest, not the values,
 * is what a key column holds, so it can be stored or exchanged between two parties linking their files without
 * either seeing the other's personal data (both must normalise the same way, which this module does).
 */

/** The digest of a composite, or '' when one of its values is missing: `exactDigest(["a@b.fr"])`. */
export function exactDigest(values: readonly string[]): string {
  if (values.some((v) => v === '')) return '';
  // Unit separator between values: ("ab", "c") and ("a", "bc") must not collide.
  return hash('sha256', values.join('\u001f'), 'base64');
}

/** The name of an exact key, as reported: `exact:surname+given_name+date_of_birth`. */
export const exactKeyName = (roles: readonly Role[]): string => `exact:${roles.join('+')}`;

/**
 * One key column per composite whose roles the table has; records sharing a digest share a key id. Records are first
 * grouped on their values' ids (the same normalised values, so the same grouping as the digests'), and a digest is
 * computed once per group of two records or more: a key no other record has cannot make a pair, and skipping its
 * digest is what keeps this phase from hashing a million emails.
 */
export function exactKeyColumns(table: RecordTable, keys: KeyBuilder, composites: readonly (readonly Role[])[]): KeyColumn[] {
  const out: KeyColumn[] = [];
  for (const roles of composites) {
    const grouped = keys.column(exactKeyName(roles), roles.map((role) => ({ role, take: 'value' as const })));
    if (grouped === undefined) continue;
    const ids = grouped.ids;
    const size = new Int32Array(table.size);
    for (let r = 0; r < table.size; r++) if (ids[r]! >= 0) size[ids[r]!]!++;
    const fields = roles.map((role) => table.byRole.get(role)!);
    const digestId = new Map<string, number>();
    const groupKey = new Int32Array(table.size).fill(-1);
    for (let r = 0; r < table.size; r++) {
      const g = ids[r]!;
      if (g < 0 || size[g]! < 2) {
        ids[r] = -1;
        continue;
      }
      if (groupKey[g] === -1) {
        const d = exactDigest(fields.map((f) => f.values[f.id[r]!]!));
        let id = digestId.get(d);
        if (id === undefined) {
          id = digestId.size;
          digestId.set(d, id);
        }
        groupKey[g] = id;
      }
      ids[r] = groupKey[g]!;
    }
    out.push({ name: grouped.name, kind: 'exact', ids });
  }
  return out;
}
