/**
 * Rate limits with rate-limiter-flexible: Redis-backed when Redis is configured (so every instance
 * shares one count), with an in-memory limiter as insurance while Redis is unreachable.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from '../http/api-error.ts';

export interface Allowance {
  points: number;
  windowSec: number;
}

export function rateLimiter(redis: Redis | null, keyPrefix: string, { points, windowSec }: Allowance): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration: windowSec });
  if (!redis) return memory;
  return new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: windowSec, insuranceLimiter: memory });
}

/**
 * Takes one point from each (limiter, key) at once, before the guarded work runs, so parallel
 * requests cannot all slip in; throws 429 rate_limited with the longest wait when any is used up.
 */
export async function takePoints(takes: ReadonlyArray<readonly [RateLimiterAbstract, string]>, message: string): Promise<void> {
  const results = await Promise.allSettled(takes.map(([limiter, key]) => limiter.consume(key)));
  const wait = Math.max(0, ...results.map((r) => (r.status === 'rejected' ? waitOf(r.reason) : 0)));
  if (wait > 0) throw rateLimited(wait, message);
}

/** Gives one point back to each (limiter, key): the guarded work turned out legitimate. */
export async function givePoints(takes: ReadonlyArray<readonly [RateLimiterAbstract, string]>): Promise<void> {
  await Promise.all(takes.map(([limiter, key]) => limiter.reward(key, 1)));
}

/** rate-limiter-flexible rejects with its result (msBeforeNext) when the allowance is used up. */
function waitOf(reason: unknown): number {
  if (reason && typeof reason === 'object' && 'msBeforeNext' in reason) return Math.max(1, Number(reason.msBeforeNext));
  throw reason;
}

/** 429 with the wait in whole seconds, in both Retry-After and details.retryAfterSec (the app shows it). */
export function rateLimited(msBeforeNext: number, message: string): ApiError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ApiError(429, 'rate_limited', message, { retryAfterSec: seconds }, { 'Retry-After': String(seconds) });
}
