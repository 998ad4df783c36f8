/** Whether an element has the keyboard focus. */
import type { Locator } from 'playwright-core';

export function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => element === document.activeElement);
}
