/** A search hit's text around its first match, one or two lines, with the matched words marked. */
import { normalizeTerm } from '@duet/client';

const CONTEXT = 60;

/** Splits `text` into runs, marking those whose normalized form starts with one of `terms`. */
function markRuns(text: string, terms: readonly string[]): Array<{ text: string; match: boolean }> {
  const wanted = terms.map(normalizeTerm);
  return text.split(/([\p{L}\p{N}]+)/u).flatMap((run) => {
    if (run === '') return [];
    const normal = normalizeTerm(run);
    return [{ text: run, match: /[\p{L}\p{N}]/u.test(run) && wanted.some((term) => normal === term || normal.startsWith(term)) }];
  });
}

export function HighlightedSnippet({ text, terms }: { text: string; terms: readonly string[] }) {
  const line = text.replace(/\s+/g, ' ').trim();
  const runs = markRuns(line, terms);
  // Start a little before the first match, at a word.
  let offset = 0;
  let start = 0;
  for (const run of runs) {
    if (run.match) {
      start = Math.max(0, offset - CONTEXT);
      break;
    }
    offset += run.text.length;
  }
  const shown: Array<{ text: string; match: boolean }> = [];
  let at = 0;
  let length = 0;
  for (const run of runs) {
    const end = at + run.text.length;
    if (end > start && length < CONTEXT * 3) {
      shown.push(run);
      length += run.text.length;
    }
    at = end;
  }
  const cutStart = start > 0;
  const cutEnd = at > 0 && length < line.length - (cutStart ? start : 0);
  return (
    <span className="search-snippet" dir="auto">
      {cutStart && '…'}
      {shown.map((run, i) => (run.match ? <mark key={i}>{run.text}</mark> : run.text))}
      {cutEnd && '…'}
    </span>
  );
}
