/**
 * GET /metrics: Prometheus text. Who may read it: with METRICS_TOKEN, a caller sending it as a
 * bearer token; without, on the app's own listener, only callers on this machine (the counters
 * tell an outsider how busy the server is and which routes fail), or anyone who reaches the
 * separate METRICS_HOST:METRICS_PORT listener the operator chose.
 */
import { ErrorCode } from '@duet/shared';
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request } from 'express';
import { ApiError, unauthorized } from '../http/api-error.ts';
import type { Metrics } from '../http/metrics.ts';

export interface MetricsAccess {
  token: string | null;
  /** Without a token: serve only loopback callers (not forwarded by a proxy for someone else). */
  loopbackOnly: boolean;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
const digest = (value: string) => createHash('sha256').update(value).digest();

function fromLoopback(req: Request): boolean {
  // req.ip is the forwarded client behind a trusted (loopback) proxy: both must be this machine.
  return LOOPBACK.test(req.socket.remoteAddress ?? '') && LOOPBACK.test(req.ip ?? '');
}

function tokenMatches(req: Request, token: string): boolean {
  const match = /^Bearer\s+(\S+)$/i.exec((req.get('authorization') ?? '').trim());
  // Compared as hashes: equal lengths for timingSafeEqual, and no timing hint about the token.
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), digest(token));
}

export function metricsRoute(metrics: Metrics, access: MetricsAccess): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    if (access.token !== null) {
      if (!tokenMatches(req, access.token)) throw unauthorized();
    } else if (access.loopbackOnly && !fromLoopback(req)) {
      throw new ApiError(403, ErrorCode.forbidden, 'metrics are served to this machine only; set METRICS_TOKEN or METRICS_PORT');
    }
    res.set('Content-Type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}
