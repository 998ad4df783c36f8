/**
 * Per-device rate limits on push and pull (rate-limiter-flexible): a device flooding the sync
 * routes gets `429 rate_limited` with `Retry-After` instead of taking the database from everyone.
 * Redis-backed when Redis is configured, so the allowance holds across instances, counted in memory
 * while Redis is unreachable (limits/rate-limits.ts). The defaults are far above what a real device
 * sends (its engine batches and backs off), so only floods meet them.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RedisClient } from '../cache/redis-client.ts';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited, rateLimiter, type RateLimit } from '../limits/rate-limits.ts';
import { identityOf } from './authenticate.ts';

export interface SyncRateLimits {
  pushPerDevice: number;
  pullPerDevice: number;
  windowSec: number;
}

/** Middleware taking one request from the calling device's allowance; behind `authenticate`. */
function perDevice(limit: RateLimit): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const { deviceId } = identityOf(req);
    try {
      await limit.consume(deviceId);
    } catch (error) {
      // rate-limiter-flexible rejects with its result when the allowance is used up, else with the error.
      if (error instanceof RateLimiterRes)
        return next(rateLimited(error.msBeforeNext, 'this device is syncing too often; try again later'));
      return next(error);
    }
    next();
  };
}

export function syncRateLimits(
  limits: SyncRateLimits,
  redis: RedisClient | null,
  prefix: string,
): { push: RequestHandler; pull: RequestHandler } {
  return {
    push: perDevice(rateLimiter(redis, `${prefix}sync-push`, { points: limits.pushPerDevice, windowSec: limits.windowSec })),
    pull: perDevice(rateLimiter(redis, `${prefix}sync-pull`, { points: limits.pullPerDevice, windowSec: limits.windowSec })),
  };
}
