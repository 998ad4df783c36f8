/** Words of an element's text that the layout split across two lines (a label broken mid-word). */
import type { Locator } from 'playwright-core';

export function wordsSplitAcrossLines(scope: Locator, selector: string): Promise<string[]> {
  return scope.evaluate((root, sel) => {
    const split: string[] = [];
    for (const element of Array.from(root.querySelectorAll(sel))) {
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/[\p{L}\p{N}]+/gu)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
          if (lines.size > 1) split.push(match[0]);
        }
      }
    }
    return split;
  }, selector);
}
