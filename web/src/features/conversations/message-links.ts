/**
 * Finds the links in a message's text. Only what is plainly a link becomes one: `http://`,
 * `https://` and `mailto:` addresses as typed, and `www.` names (opened as https). Every candidate
 * goes through the URL parser and must come out with one of those schemes, so `javascript:`,
 * `data:` and the like stay plain text whatever they are disguised as. A small scanner rather than a
 * linkify library: with no guessing at bare domains, this is all the app needs, and it costs the
 * first load nothing.
 */
export type MessagePart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const SAFE_PROTOCOLS = new Set(['http:', 'https:', 'mailto:']);
// A candidate starts at a word boundary and runs to whitespace or an angle bracket or quote.
const CANDIDATE = /(?<![\p{L}\p{N}_@.])(?:https?:\/\/|mailto:|www\.)[^\s<>"'`]+/giu;
// Punctuation that ends a sentence rather than the address.
const TRAILING = /[.,;:!?)\]}’”»]+$/u;

/** The URL to open for a candidate, or null when it is not a safe link. */
export function safeHref(candidate: string): string | null {
  const withScheme = /^www\./i.test(candidate) ? `https://${candidate}` : candidate;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return null;
  }
  if (!SAFE_PROTOCOLS.has(url.protocol)) return null;
  if (url.protocol === 'mailto:') return /^[^@\s]+@[^@\s]+\.[^@\s]+$/u.test(decodeURIComponent(url.pathname)) ? url.href : null;
  // http(s) with no real host ("http://", "https://.") is no link.
  if (!/[\p{L}\p{N}]/u.test(url.hostname)) return null;
  return url.href;
}

/** Keeps a closing bracket that belongs to the address, as in a wiki link "…/Foo_(bar)". */
function trimTrailing(candidate: string): string {
  let text = candidate.replace(TRAILING, '');
  const rest = candidate.slice(text.length);
  for (const ch of rest) {
    const open = ch === ')' ? '(' : ch === ']' ? '[' : null;
    if (open && text.split(open).length > text.split(ch).length) text += ch;
    else break;
  }
  return text;
}

/** The text split into plain runs and links, in order; joining every part's text gives `text` back. */
export function splitLinks(text: string): MessagePart[] {
  const parts: MessagePart[] = [];
  let at = 0;
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index;
    const candidate = trimTrailing(match[0]);
    const href = safeHref(candidate);
    if (!href) continue;
    if (start > at) parts.push({ kind: 'text', text: text.slice(at, start) });
    parts.push({ kind: 'link', text: candidate, href });
    at = start + candidate.length;
  }
  if (at < text.length) parts.push({ kind: 'text', text: text.slice(at) });
  return parts;
}
