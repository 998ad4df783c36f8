/** Checks of 429 answers, and requests that look as if they came from elsewhere. */
import type request from 'supertest';
import { expect } from 'vitest';
import { expectError } from './api.ts';

/**
 * The server trusts X-Forwarded-For from loopback (a proxy on the same machine), so a test on
 * 127.0.0.1 can speak as any client address. Documentation addresses (RFC 5737) only.
 */
export const fromIp = (ip: string) => ({ 'X-Forwarded-For': ip });

/** 429 rate_limited, with the same whole number of seconds in Retry-After and details.retryAfterSec. */
export function expectRateLimited(res: request.Response, maxSec: number): number {
  expectError(res, 429, 'rate_limited');
  const header = res.headers['retry-after'];
  expect(header, 'Retry-After header').toMatch(/^\d+$/);
  const seconds = Number(header);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(maxSec);
  expect(res.body.error.details, 'details.retryAfterSec').toEqual({ retryAfterSec: seconds });
  return seconds;
}

/** The `Cookie` header that sends back the device cookie a signup or login set. */
export function deviceCookie(res: request.Response): string {
  const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = setCookie.find((c) => c.startsWith('duet_device='));
  expect(cookie, `a duet_device cookie in ${JSON.stringify(setCookie)}`).toBeDefined();
  return (cookie ?? '').split(';')[0] ?? '';
}
