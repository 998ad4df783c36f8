/** Lists of names or words joined the way the language does ("Ana y Ben", "Ana وBen" with the Arabic comma). */
export function formatList(items: readonly string[], language: string, type: 'conjunction' | 'unit' = 'conjunction'): string {
  return new Intl.ListFormat(language, { style: 'long', type }).format(items);
}

/** The list's parts, items apart from separators, so each item can be isolated for bidi (<bdi>). */
export function listParts(
  items: readonly string[],
  language: string,
  type: 'conjunction' | 'unit' = 'conjunction',
): Array<{ type: 'element' | 'literal'; value: string }> {
  return new Intl.ListFormat(language, { style: 'long', type }).formatToParts(items);
}
