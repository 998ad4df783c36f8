/**
 * Text that Postgres can store, and cutting text without breaking characters.
 * Postgres `text` refuses U+0000 and `jsonb` refuses it and lone UTF-16 surrogates, so such strings
 * are invalid input at every boundary rather than a write that fails deep inside a batch.
 */
import { z } from 'zod';

// U+0000, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- U+0000 is exactly what this looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when the string has no U+0000 and no lone surrogate. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/**
 * The string schema of every text field a client sends (bodies, mutation args, frames): any string
 * Postgres text and jsonb can hold. Entity schemas (what pulls deliver and devices store) stay plain
 * strings: that data is only read, and a stricter check would hide a draft an older app stored.
 */
export const StorableString = z.string().refine(isStorableText, 'contains U+0000 or a lone surrogate, which cannot be stored');

/** The same with the surrounding white space trimmed first (names, titles, emails). */
export const TrimmedStorableString = z
  .string()
  .trim()
  .refine(isStorableText, 'contains U+0000 or a lone surrogate, which cannot be stored');

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * The longest prefix of `text` of at most `maxUnits` UTF-16 units (the unit that length limits
 * count) that ends on a grapheme boundary, so an emoji or a letter with its accents is never split.
 */
export function cutAtGrapheme(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  let end = 0;
  for (const { index, segment } of graphemes.segment(text)) {
    if (index + segment.length > maxUnits) break;
    end = index + segment.length;
  }
  return text.slice(0, end);
}
