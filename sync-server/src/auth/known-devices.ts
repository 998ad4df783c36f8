/**
 * Known devices: a browser that logged in to an account once keeps an HttpOnly cookie with 256
 * random bits, and the server keeps only its SHA-256. A login that presents it for the same account
 * is limited on its own allowance (see LoginLimiter), so an attacker's guesses from elsewhere never
 * lock the owner out. The cookie outlives logout: it names the device, not a session.
 */
import { parseCookie } from 'cookie';
import type { Request, Response } from 'express';
import type pg from 'pg';
import { KnownDevicesRepo } from '../store/known-devices-repo.ts';
import { hashToken, newToken } from './tokens.ts';

export const DEVICE_COOKIE = 'duet_device';
/** Browsers cap cookie lifetimes at 400 days. */
const MAX_AGE_MS = 400 * 86_400_000;
const KEY_SHAPE = /^[A-Za-z0-9_-]{43}$/;

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/** The hash of the request's device cookie, when it has a well-formed one. */
export function deviceKeyHash(req: Request): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  const value = parseCookie(header)[DEVICE_COOKIE];
  return value && KEY_SHAPE.test(value) ? hashToken(value) : null;
}

export class KnownDevices {
  private readonly repo: KnownDevicesRepo;

  constructor(db: Queryable) {
    this.repo = new KnownDevicesRepo(db);
  }

  /** Whether the key hash belongs to a device that has logged in to the account of this email. */
  async isKnown(keyHash: string | null, email: string): Promise<boolean> {
    return keyHash !== null && (await this.repo.isKnown(keyHash, email));
  }

  /**
   * After a successful signup or login: refreshes the device's record when its cookie is already
   * known for this user, otherwise gives it a new key and cookie.
   */
  async remember(req: Request, res: Response, userId: string): Promise<void> {
    const current = deviceKeyHash(req);
    if (current && (await this.repo.touch(current, userId))) return;
    const key = newToken();
    await this.repo.insert(hashToken(key), userId);
    // Cookies older than their lifetime are gone from every browser: forget their records too.
    await this.repo.forgetOlderThan(userId, MAX_AGE_MS / 1000);
    res.cookie(DEVICE_COOKIE, key, {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/api/auth',
      maxAge: MAX_AGE_MS,
    });
  }
}
