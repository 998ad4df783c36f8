/**
 * Per-device rate limits on push and pull (rate-limiter-flexible): a device flooding the sync
 * routes gets `429 rate_limited` with `Retry-After` instead of taking the database from everyone.
 * Redis-backed when Redis is configured, so the allowance holds across instances, with an
 * in-memory limiter as insurance while Redis is unreachable. The defaults are far above what a
 * real device sends (its engine batches and backs off), so only floods meet them.
 */
import { ErrorCode } from '@duet/shared';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from './api-error.ts';
import { identityOf } from './authenticate.ts';

export interface SyncRateLimits {
  pushPerDevice: number;
  pullPerDevice: number;
  windowSec: number;
}

function limiter(redis: Redis | null, keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration });
  if (!redis) return memory;
  // rejectIfRedisNotReady: while Redis is down, count in memory at once rather than wait for it.
  return new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration, insuranceLimiter: memory, rejectIfRedisNotReady: true });
}

function tooMany(msBeforeNext: number): ApiError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ApiError(429, ErrorCode.rateLimited, 'this device is syncing too often; try again later', { retryAfterSec: seconds }, {
    'Retry-After': String(seconds),
  });
}

/** Middleware taking one request from the calling device's allowance; behind `authenticate`. */
function perDevice(limit: RateLimiterAbstract): RequestHandler {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const { deviceId } = identityOf(req);
    try {
      await limit.consume(deviceId);
    } catch (error) {
      // rate-limiter-flexible rejects with its result when the allowance is used up, else with the error.
      if (error instanceof RateLimiterRes) return next(tooMany(error.msBeforeNext));
      return next(error);
    }
    next();
  };
}

export function syncRateLimits(limits: SyncRateLimits, redis: Redis | null, prefix: string): { push: RequestHandler; pull: RequestHandler } {
  return {
    push: perDevice(limiter(redis, `${prefix}sync-push`, limits.pushPerDevice, limits.windowSec)),
    pull: perDevice(limiter(redis, `${prefix}sync-pull`, limits.pullPerDevice, limits.windowSec)),
  };
}
