/** Bearer-token authentication: resolves the device and its user, or answers 401 unauthorized. */
import type { NextFunction, Request, Response } from 'express';
import { hashToken } from '../auth/tokens.ts';
import type { SyncCache } from '../cache/sync-cache.ts';
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

/** The device a token belongs to: from the cache, else from Postgres (then cached). */
export async function resolveToken(users: UsersRepo, cache: SyncCache, token: string): Promise<DeviceIdentity | null> {
  const tokenHash = hashToken(token);
  const cached = await cache.identity(tokenHash);
  if (cached === 'revoked') return null;
  if (cached) return cached;
  const epoch = await cache.epoch();
  const identity = await users.findDeviceByTokenHash(tokenHash);
  if (identity) await cache.rememberIdentity(epoch, tokenHash, identity);
  return identity;
}

export function authenticate(users: UsersRepo, cache: SyncCache) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const token = bearerToken(req);
    if (!token) return next(unauthorized());
    const identity = await resolveToken(users, cache, token);
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
