/** The one error class of the server: it carries the protocol's {code, message, details}. */
import { ErrorCode } from '@duet/shared';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badBody = (message: string, details?: unknown) => new ApiError(400, ErrorCode.invalidBody, message, details);
export const unauthorized = () => new ApiError(401, ErrorCode.unauthorized, 'a valid bearer token is required');
export const notFound = (message = 'not found') => new ApiError(404, ErrorCode.notFound, message);
