/** Turns every error into the protocol's error body. Registered after the routes. */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ApiError, notFound } from './api-error.ts';

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

function classify(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as BodyParserError;
  if (e?.type === 'entity.too.large') return new ApiError(413, 'payload_too_large', 'the request body is larger than 1 MiB');
  if (e?.type === 'entity.parse.failed') return new ApiError(400, 'invalid_body', 'the request body is not valid JSON');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new ApiError(e.status, 'invalid_body', 'the request could not be read');
  }
  return new ApiError(503, 'unavailable', 'the server could not complete the request; try again');
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const apiError = classify(error);
    if (apiError.status >= 500) (req.log ?? logger).error({ err: error }, 'request failed');
    if (res.headersSent) return;
    res.status(apiError.status).set(apiError.headers);
    const body: { code: string; message: string; details?: unknown } = { code: apiError.code, message: apiError.message };
    if (apiError.details !== undefined) body.details = apiError.details;
    res.json({ error: body });
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(notFound(`no route for ${req.method} ${req.path}`));
};
