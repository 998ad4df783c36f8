import { describe, expect, it } from 'vitest';
import { safeHref, splitLinks } from './message-links.ts';

const links = (text: string) => splitLinks(text).filter((p) => p.kind === 'link');

describe('splitLinks', () => {
  it('finds http, https, mailto and www links and keeps the rest as text', () => {
    expect(splitLinks('See https://example.com/a?b=1#c, or mail mailto:ana@example.org. Also www.duet.app!')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.com/a?b=1#c', href: 'https://example.com/a?b=1#c' },
      { kind: 'text', text: ', or mail ' },
      { kind: 'link', text: 'mailto:ana@example.org', href: 'mailto:ana@example.org' },
      { kind: 'text', text: '. Also ' },
      { kind: 'link', text: 'www.duet.app', href: 'https://www.duet.app/' },
      { kind: 'text', text: '!' },
    ]);
  });

  it('keeps brackets that belong to the address and drops those that close a sentence', () => {
    expect(links('(see https://en.wikipedia.org/wiki/Duet_(music))')).toEqual([
      { kind: 'link', text: 'https://en.wikipedia.org/wiki/Duet_(music)', href: 'https://en.wikipedia.org/wiki/Duet_(music)' },
    ]);
  });

  it('gives the text back unchanged when parts are joined', () => {
    const text = 'a https://x.example/ b\nmailto:me@x.example c javascript:alert(1) d';
    expect(
      splitLinks(text)
        .map((p) => p.text)
        .join(''),
    ).toBe(text);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(document.cookie)',
    ' javascript://example.com/%0Aalert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    'http://',
    'https://.',
    'mailto:',
    'mailto:javascript:alert(1)',
    'xhttps://example.com',
    'user@https://example.com',
    '<a href="javascript:alert(1)">x</a>',
  ])('makes no link of hostile or broken input: %s', (text) => {
    for (const link of links(text)) expect(link.href).toMatch(/^(https?:\/\/[^/]*[a-z0-9]|mailto:[^@]+@)/i);
    expect(links(text).some((l) => /^(javascript|data|vbscript|file):/i.test(l.href))).toBe(false);
  });

  it('never lets a link smuggle markup: the href is the parsed URL, quotes and brackets end it', () => {
    const [link] = links('https://example.com/"onmouseover="alert(1)');
    expect(link?.href).toBe('https://example.com/');
  });
});

describe('safeHref', () => {
  it('accepts only http, https and well-formed mailto', () => {
    expect(safeHref('https://example.com')).toBe('https://example.com/');
    expect(safeHref('mailto:a@b.co')).toBe('mailto:a@b.co');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref('mailto:nobody')).toBeNull();
  });
});
