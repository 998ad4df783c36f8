/** On a failed test, a screenshot of every open profile (e2e/artifacts/FAILED-…png), to see what the user saw. */
import { onTestFailed } from 'vitest';
import { screenshot } from './browser.ts';
import type { Profile } from './browser.ts';

/** Call at the start of a test; `profiles` is read when the test fails, so later profiles count too. */
export function screenshotsOnFailure(name: string, profiles: () => readonly Profile[]): void {
  onTestFailed(async () => {
    await Promise.allSettled(profiles().map((profile, index) => screenshot(profile.page, `FAILED-${name}-${index + 1}`)));
  });
}
