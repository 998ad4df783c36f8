/** Retry delays after failed syncs: exponential, capped, with jitter so devices spread out. */

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000 };

/**
 * The delay before retry number `attempt` (0 for the first retry). "Equal jitter": half the
 * exponential ceiling is fixed so a retry never comes almost at once, the other half is random so
 * many devices that failed together (a server restart) do not come back together.
 */
export function backoffDelay(attempt: number, random: () => number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  const jitter = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (jitter * ceiling) / 2);
}
