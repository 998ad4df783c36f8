/**
 * Rate limits with rate-limiter-flexible: Redis-backed when Redis is configured (so every instance
 * shares one count), counted in memory while Redis is unreachable. A circuit breaker (cockatiel)
 * opens on the first Redis failure, so a stalled Redis costs one command timeout per limiter and
 * then nothing until the breaker tries again; meanwhile this instance counts alone, in memory.
 */
import { ErrorCode } from '@duet/shared';
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import type { RedisClient } from '../cache/redis-client.ts';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiError } from '../http/api-error.ts';

export interface Allowance {
  points: number;
  windowSec: number;
}

/** What the limits use of a limiter; rejects with a RateLimiterRes when the allowance is used up. */
export interface RateLimit {
  consume(key: string): Promise<RateLimiterRes>;
  reward(key: string, points: number): Promise<unknown>;
  delete(key: string): Promise<unknown>;
}

/** How long the breaker keeps Redis out after a failure before one call tries it again. */
const HALF_OPEN_AFTER_MS = 2000;

class RedisOrMemoryLimit implements RateLimit {
  // A used-up allowance is an answer, not a Redis failure.
  private readonly breaker: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((error) => !(error instanceof RateLimiterRes)),
    { halfOpenAfter: HALF_OPEN_AFTER_MS, breaker: new ConsecutiveBreaker(1) },
  );

  constructor(
    private readonly redis: RedisClient,
    private readonly shared: RateLimiterRedis,
    private readonly memory: RateLimiterMemory,
  ) {}

  private async either<T>(onRedis: (l: RateLimiterRedis) => Promise<T>, onMemory: (l: RateLimiterMemory) => Promise<T>): Promise<T> {
    // Open, or a trial call already running (cockatiel would queue this one behind it): memory.
    if (this.redis.status !== 'ready' || this.breaker.state !== CircuitState.Closed) return onMemory(this.memory);
    try {
      return await this.breaker.execute(() => onRedis(this.shared));
    } catch (error) {
      if (error instanceof RateLimiterRes) throw error;
      return onMemory(this.memory);
    }
  }

  consume(key: string): Promise<RateLimiterRes> {
    return this.either(
      (l) => l.consume(key),
      (l) => l.consume(key),
    );
  }

  reward(key: string, points: number): Promise<unknown> {
    return this.either(
      (l) => l.reward(key, points),
      (l) => l.reward(key, points),
    );
  }

  delete(key: string): Promise<unknown> {
    return this.either(
      (l) => l.delete(key),
      (l) => l.delete(key),
    );
  }
}

export function rateLimiter(redis: RedisClient | null, keyPrefix: string, { points, windowSec }: Allowance): RateLimit {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration: windowSec });
  if (!redis) return memory;
  return new RedisOrMemoryLimit(redis, new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration: windowSec }), memory);
}

/**
 * Takes one point from each (limiter, key) at once, before the guarded work runs, so parallel
 * requests cannot all slip in; throws 429 rate_limited with the longest wait when any is used up.
 */
export async function takePoints(takes: ReadonlyArray<readonly [RateLimit, string]>, message: string): Promise<void> {
  const results = await Promise.allSettled(takes.map(([limiter, key]) => limiter.consume(key)));
  const wait = Math.max(0, ...results.map((r) => (r.status === 'rejected' ? waitOf(r.reason) : 0)));
  if (wait > 0) throw rateLimited(wait, message);
}

/** Gives one point back to each (limiter, key): the guarded work turned out legitimate. */
export async function givePoints(takes: ReadonlyArray<readonly [RateLimit, string]>): Promise<void> {
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
  return new ApiError(429, ErrorCode.rateLimited, message, { retryAfterSec: seconds }, { 'Retry-After': String(seconds) });
}
