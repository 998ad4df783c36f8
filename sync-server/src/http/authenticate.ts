/** Bearer-token authentication: resolves the device and its user, or answers 401 unauthorized. */
import type { NextFunction, Request, Response } from 'express';
import { hashToken } from '../auth/tokens.ts';
import type { DeviceIdentity, UsersRepo } from '../store/users-repo.ts';
import { unauthorized } from './api-error.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      identity?: DeviceIdentity;
    }
  }
}

export function bearerToken(req: Request): string | null {
  const header = req.get('authorization') ?? '';
  const match = /^Bearer\s+([A-Za-z0-9_-]{20,200})$/i.exec(header.trim());
  return match?.[1] ?? null;
}

export function authenticate(users: UsersRepo) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    if (!token) return next(unauthorized());
    const identity = await users.findDeviceByTokenHash(hashToken(token));
    if (!identity) return next(unauthorized());
    req.identity = identity;
    next();
  };
}

/** The authenticated caller; only for routes behind `authenticate`. */
export function identityOf(req: Request): DeviceIdentity {
  if (!req.identity) throw unauthorized();
  return req.identity;
}
