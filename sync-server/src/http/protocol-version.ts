/** Refuses clients whose protocol version the server no longer serves (they must update the app). */
import { ErrorCode, MIN_SUPPORTED_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION, protocolSupport } from '@duet/shared';
import type { RequestHandler } from 'express';
import { ApiError, badBody } from './api-error.ts';

export const requireSupportedProtocol: RequestHandler = (req, _res, next) => {
  const support = protocolSupport(req.get(PROTOCOL_HEADER));
  if (support === 'supported') return next();
  if (support === 'malformed') return next(badBody(`${PROTOCOL_HEADER} must be a protocol version number`));
  const range = { min: MIN_SUPPORTED_PROTOCOL_VERSION, current: PROTOCOL_VERSION };
  next(
    new ApiError(
      426,
      ErrorCode.unsupportedProtocol,
      `this server serves protocol versions ${range.min} to ${range.current}: update the app`,
      range,
    ),
  );
};
