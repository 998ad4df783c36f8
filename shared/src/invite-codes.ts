/**
 * Invite codes: 12 symbols of Crockford's base32 (60 random bits), shown as three groups of four
 * ("7KQ2-M9XD-4TBN"). The alphabet has no I, L, O or U, so a code read aloud or typed on a phone
 * survives: case, spaces and dashes are ignored, and O is read as 0, I and L as 1.
 */
import { z } from 'zod';

export const INVITE_CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const INVITE_CODE_LENGTH = 12;
const GROUP = 4;

/** Any whitespace and any kind of dash (hyphen, en/em dash, minus sign) separate groups. */
const SEPARATORS = /[\s\-\u2010-\u2015\u2212]/gu;

export function normalizeInviteCode(typed: string): string {
  return typed.replace(SEPARATORS, '').toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function formatInviteCode(code: string): string {
  return code.match(new RegExp(`.{1,${GROUP}}`, 'g'))?.join('-') ?? code;
}

/**
 * A code as typed, normalised. Letters and digits only, up to 32 of them, so codes of the earlier
 * 8-symbol format (still valid until they expire) are accepted too.
 */
export const InviteCodeSchema = z
  .string()
  .max(64)
  .transform(normalizeInviteCode)
  .pipe(z.string().regex(/^[0-9A-Z]{1,32}$/, 'an invite code has letters and digits only'));
