/**
 * A request not answered within the timeout is answered `503 unavailable` with `Retry-After`, so no
 * client waits forever on a stuck dependency. Its work may still be running: a write that has not
 * begun to COMMIT is rolled back when it gets there (SpaceWriter throws WriteAbandoned), so a 503 never
 * hides an applied push; one already committing is left to finish and answer (its statements are
 * bounded by the Postgres timeouts), since a 503 then could be a lie.
 */
import { ErrorCode, type ErrorBody } from '@duet/shared';
import type { RequestHandler, Response } from 'express';
import type { Timers } from '../clock.ts';
import type { RequestTiming } from './request-timing.ts';

export function requestTimeout(ms: number, timing: RequestTiming, timers: Timers): RequestHandler {
  return (_req, res, next) => {
    const timer = timers.setTimeout(() => {
      const account = timing.current();
      if (res.headersSent || account?.committing) return;
      if (account) account.timedOut = true;
      const body: ErrorBody = { error: { code: ErrorCode.unavailable, message: 'the server took too long to answer; try again shortly' } };
      res.status(503).set('Retry-After', '2').json(body);
      silence(res);
    }, ms);
    res.once('finish', () => timers.clearTimeout(timer));
    res.once('close', () => timers.clearTimeout(timer));
    next();
  };
}

/** The route answers late, into a response already sent: its answer is dropped, not an error. */
function silence(res: Response): void {
  const ignore = () => res;
  res.json = ignore;
  res.send = ignore;
  res.status = ignore;
  res.set = ignore as Response['set'];
}
