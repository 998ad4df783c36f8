/** Lists of names or words joined the way the language does ("Ana y Ben", "Ana وBen" with the Arabic comma). */
export function formatList(items: readonly string[], language: string, type: 'conjunction' | 'unit' = 'conjunction'): string {
  return new Intl.ListFormat(language, { style: 'long', type }).format(items);
}
