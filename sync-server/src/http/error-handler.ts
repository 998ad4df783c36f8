/** Turns every error into the protocol's error body. Registered after the routes. */
import { ErrorCode, type ErrorBody } from '@duet/shared';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { WriteAbandoned } from '../store/space-writer.ts';
import { ApiError, notFound } from './api-error.ts';
import { failureKind } from './failure-kind.ts';
import type { Metrics } from './metrics.ts';

/** How long a client should wait after a 503 before it tries again (an outage or an overload). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

function classify(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  // The request timeout answered already (http/request-timeout.ts); the write rolled back.
  if (error instanceof WriteAbandoned)
    return new ApiError(503, ErrorCode.unavailable, 'the request took too long; nothing of it was applied');
  const e = error as BodyParserError;
  if (e?.type === 'entity.too.large') return new ApiError(413, ErrorCode.payloadTooLarge, 'the request body is larger than 1 MiB');
  if (e?.type === 'entity.parse.failed') return new ApiError(400, ErrorCode.invalidBody, 'the request body is not valid JSON');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new ApiError(e.status, ErrorCode.invalidBody, 'the request could not be read');
  }
  // Only an outage is worth retrying; anything else would fail the same way again, so it is not "try again".
  if (failureKind(error) === 'infrastructure') {
    return new ApiError(503, ErrorCode.unavailable, 'the server cannot reach its database or cache right now; try again shortly');
  }
  return new ApiError(500, ErrorCode.internal, 'the server failed on this request; the problem was logged');
}

export function errorHandler(logger: Logger, metrics: Pick<Metrics, 'internalErrors'>): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const apiError = classify(error);
    if (apiError.status >= 500) {
      // The stack (pino's err serializer) and the request id, to find the request that met a bug.
      (req.log ?? logger).error({ err: error, requestId: req.id, kind: apiError.code }, 'request failed');
    }
    if (apiError.code === ErrorCode.internal) metrics.internalErrors.inc();
    if (res.headersSent) return;
    res.status(apiError.status).set(apiError.headers);
    if (apiError.status === 503 && !res.get('Retry-After')) res.set('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    const body: ErrorBody['error'] = { code: apiError.code, message: apiError.message };
    if (apiError.details !== undefined) body.details = apiError.details;
    res.json({ error: body } satisfies ErrorBody);
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(notFound(`no route for ${req.method} ${req.path}`));
};
