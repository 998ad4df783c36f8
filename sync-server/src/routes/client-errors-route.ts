/**
 * POST /api/client-errors: the app reports its uncaught errors here (web/src/app/error-reporting.ts).
 * What is kept is the error's name, its stack frames, the app version, the page's path and the id
 * of the request that failed, if any: never an error message, which can quote what the person
 * wrote. Each report is one log line; reports are limited per address (429 past it).
 */
import { Router } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { parseBody } from '../http/validate.ts';
import { clientAddressKey } from '../limits/client-address.ts';
import { rateLimiter, takePoints, type Allowance } from '../limits/rate-limits.ts';

export const ClientErrorReportSchema = z.object({
  appVersion: z.string().min(1).max(40),
  kind: z.enum(['error', 'unhandledrejection']),
  /** The error's class (TypeError, ApiError), not its message. */
  name: z.string().min(1).max(100),
  /** Stack frames only (the app drops the first line, which repeats the message). */
  stack: z.string().max(4000).optional(),
  path: z.string().max(200).optional(),
  requestId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/)
    .optional(),
});

export function clientErrorsRoute(deps: { logger: Logger; redis: Redis | null; redisPrefix: string; limit: Allowance }): Router {
  const router = Router();
  const limiter = rateLimiter(deps.redis, `${deps.redisPrefix}client-errors:`, deps.limit);
  router.post('/client-errors', async (req, res) => {
    await takePoints([[limiter, clientAddressKey(req)]], 'too many error reports from this address; try again later');
    const report = parseBody(ClientErrorReportSchema, req.body);
    // Whatever else the body held (a message, say) was dropped by the schema.
    deps.logger.warn(
      { clientError: report, appVersion: report.appVersion, failedRequestId: report.requestId, requestId: req.id },
      'client error',
    );
    res.status(204).end();
  });
  return router;
}
