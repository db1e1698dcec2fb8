import { z } from 'zod';
import { ok, type Result } from '../../kernel/index.js';
import { fail, show, textOf, type NormaliseError, type Normaliser } from './normalise-error.js';

/**
 * The Luhn check (ISO/IEC 7812-1, annex B): from the rightmost digit, double every second digit, subtract 9 from
 * doubles above 9, and the sum must be a multiple of 10. INSEE computes the last digit of a SIREN and of a SIRET this
 * way (insee.fr, "Numéro Siren" and "Numéro Siret" definitions; fr.wikipedia.org, "Système d'identification du
 * répertoire des entreprises" and "... des établissements").
 */
export function luhnValid(digits: string): boolean {
  return luhnSum(digits, false) % 10 === 0;
}

/** The digit that, appended to `digits`, makes the whole pass the Luhn check. */
export function luhnCheckDigit(digits: string): string {
  return String((10 - (luhnSum(digits, true) % 10)) % 10);
}

function luhnSum(digits: string, checkDigitMissing: boolean): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const positionFromRight = digits.length - i - (checkDigitMissing ? 0 : 1);
    let d = digits.charCodeAt(i) - 48;
    if (positionFromRight % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}

/**
 * La Poste has one SIREN, 356 000 000, for more establishments than the Luhn key of a NIC can tell apart, so INSEE
 * numbers them with another key: the sum of the 14 digits of the SIRET is a multiple of 5. The head office,
 * 356 000 000 00048, is the one La Poste SIRET that follows Luhn (fr.wikipedia.org, "Système d'identification du
 * répertoire des établissements", section "Exceptions pour le groupe La Poste"; python-stdnum's stdnum/fr/siret.py
 * applies the same rule).
 */
export const LA_POSTE_SIREN = '356000000';
const LA_POSTE_HEAD_OFFICE = '35600000000048';

export function siretKeyValid(siret: string): boolean {
  if (siret.startsWith(LA_POSTE_SIREN) && siret !== LA_POSTE_HEAD_OFFICE) {
    let sum = 0;
    for (const c of siret) sum += c.charCodeAt(0) - 48;
    return sum % 5 === 0;
  }
  return luhnValid(siret);
}

/** The digits of an identifier written with spaces or dots ("732 829 320", "732.829.320"). */
function digitsOf(text: string): string {
  return text.replace(/[\s.]/gu, '');
}

export const SirenSpec = z.strictObject({ kind: z.literal('siren') });
export const SiretSpec = z.strictObject({ kind: z.literal('siret') });

/** SIREN numbers: `sirenNormaliser()("732 829 320")` is `ok("732829320")`; the Luhn key is checked. */
export function sirenNormaliser(): Normaliser<string> {
  return (raw) => {
    const text = textOf(raw, 'quality.invalid_siren', 'SIREN');
    if (!text.ok) return text;
    const siren = digitsOf(text.value);
    if (!/^\d+$/.test(siren)) return fail('quality.invalid_siren', raw, `${show(raw)} is not a SIREN: it may hold digits only.`);
    if (siren.length !== 9) {
      const hint = siren.length === 14 ? ' (14 digits is a SIRET: map the column as siret)' : '';
      return fail('quality.invalid_siren', raw, `${show(raw)} has ${siren.length} digits, a SIREN has 9${hint}: check the number.`);
    }
    if (!luhnValid(siren)) {
      return fail('quality.invalid_siren', raw, `${show(raw)} fails the SIREN check digit: a digit is mistyped; check it in the Sirene register.`);
    }
    return ok(siren);
  };
}

/** SIRET numbers: `siretNormaliser()("732 829 320 00074")` is `ok("73282932000074")`; SIREN and NIC keys are checked. */
export function siretNormaliser(): Normaliser<string> {
  return (raw) => {
    const text = textOf(raw, 'quality.invalid_siret', 'SIRET');
    if (!text.ok) return text;
    const siret = digitsOf(text.value);
    if (!/^\d+$/.test(siret)) return fail('quality.invalid_siret', raw, `${show(raw)} is not a SIRET: it may hold digits only.`);
    if (siret.length !== 14) {
      const hint = siret.length === 9 ? ' (9 digits is a SIREN: map the column as siren)' : '';
      return fail('quality.invalid_siret', raw, `${show(raw)} has ${siret.length} digits, a SIRET has 14${hint}: check the number.`);
    }
    if (!luhnValid(siret.slice(0, 9)) || !siretKeyValid(siret)) {
      return fail('quality.invalid_siret', raw, `${show(raw)} fails the SIRET check digit: a digit is mistyped; check it in the Sirene register.`);
    }
    return ok(siret);
  };
}

export function normaliseSiren(raw: unknown): Result<string, NormaliseError> {
  return sirenNormaliser()(raw);
}

export function normaliseSiret(raw: unknown): Result<string, NormaliseError> {
  return siretNormaliser()(raw);
}
