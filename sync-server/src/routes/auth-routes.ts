/** Accounts and devices: signup, login, logout, me. */
import { ErrorCode, LoginRequestSchema, SignupRequestSchema } from '@duet/shared';
import { Router } from 'express';
import type pg from 'pg';
import { deviceKeyHash, KnownDevices } from '../auth/known-devices.ts';
import type { LoginLimiter } from '../auth/login-limiter.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/passwords.ts';
import type { SignupLimiter } from '../auth/signup-limiter.ts';
import { hashToken, newToken } from '../auth/tokens.ts';
import { ApiError } from '../http/api-error.ts';
import type { SyncCache } from '../cache/sync-cache.ts';
import { BEHIND, type ReadReplica } from '../db/read-replica.ts';
import { bearerToken, identityOf, type authenticate } from '../http/authenticate.ts';
import { parseBody } from '../http/validate.ts';
import { clientAddressKey } from '../limits/client-address.ts';
import type { SpaceWriter } from '../store/space-writer.ts';
import { SpacesRepo } from '../store/spaces-repo.ts';
import { publicUser, UsersRepo } from '../store/users-repo.ts';

const invalidCredentials = () => new ApiError(401, ErrorCode.invalidCredentials, 'wrong email or password');

export interface AuthLimiters {
  login: LoginLimiter;
  signup: SignupLimiter;
}

export interface AuthRouteDeps {
  pool: pg.Pool;
  /** `/api/me` may be answered by the read replica. */
  reads: ReadReplica;
  /** Signup writes the personal space (see SpaceWriter). */
  writer: SpaceWriter;
  cache: SyncCache;
  limiters: AuthLimiters;
  auth: ReturnType<typeof authenticate>;
  /** New ids (see shared ids.ts). */
  newId: () => string;
  /** After a device's token was revoked: its open sockets, on every instance, are closed. */
  onLoggedOut: (deviceId: string) => void;
}

export function authRoutes({ pool, reads, writer, cache, limiters, auth, newId, onLoggedOut }: AuthRouteDeps): Router {
  const router = Router();
  const users = new UsersRepo(pool);
  const knownDevices = new KnownDevices(pool);

  router.post('/auth/signup', async (req, res) => {
    const body = parseBody(SignupRequestSchema, req.body);
    await limiters.signup.takeAttempt(clientAddressKey(req));
    const passwordHash = await hashPassword(body.password);
    const token = newToken();
    const created = await writer.write(async (write) => {
      const repo = new UsersRepo(write.client);
      const personalSpaceId = newId();
      const user = await repo.create({
        id: newId(),
        email: body.email,
        displayName: body.displayName,
        locale: body.locale ?? 'en',
        timeZone: body.timeZone ?? 'UTC',
        passwordHash,
        personalSpaceId,
      });
      if (!user) return null;
      await write.createSpace(personalSpaceId, 'personal');
      await write.spaces.addMember(personalSpaceId, user.id);
      const space = { id: personalSpaceId, kind: 'personal', members: [{ userId: user.id, displayName: user.displayName }] };
      await write.put([{ kind: 'space', id: personalSpaceId, spaceId: personalSpaceId, deleted: false, data: space }]);
      const deviceId = await repo.createDevice(newId(), user.id, null, hashToken(token));
      return { user, deviceId };
    });
    if (!created) throw new ApiError(409, ErrorCode.emailTaken, 'an account with this email exists');
    await knownDevices.remember(req, res, created.user.id);
    res.status(201).json({ token, deviceId: created.deviceId, user: publicUser(created.user) });
  });

  router.post('/auth/login', async (req, res) => {
    const body = parseBody(LoginRequestSchema, req.body);
    const ip = clientAddressKey(req);
    const deviceKey = deviceKeyHash(req);
    const known = await knownDevices.isKnown(deviceKey, body.email);
    const attempt = await limiters.login.takeAttempt(body.email, ip, known ? deviceKey : null);
    const user = await users.findByEmail(body.email);
    // Verify against a dummy hash for an unknown email so both failures look and take the same.
    const ok = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !ok) throw invalidCredentials();
    await limiters.login.loginSucceeded(attempt);
    await knownDevices.remember(req, res, user.id);
    const token = newToken();
    const deviceId = await users.createDevice(newId(), user.id, body.deviceName ?? null, hashToken(token));
    res.status(200).json({ token, deviceId, user: publicUser(user) });
  });

  router.post('/auth/logout', auth, async (req, res) => {
    const { deviceId } = identityOf(req);
    await users.revokeDevice(deviceId);
    const token = bearerToken(req);
    if (token) await cache.revokeToken(hashToken(token));
    onLoggedOut(deviceId);
    res.status(204).end();
  });

  router.get('/me', auth, async (req, res) => {
    const { user } = identityOf(req);
    const spaces = await reads.read('me', {
      needed: (primary) => new SpacesRepo(primary).memberSpaceIds(user.id),
      async read(db, needed) {
        const list = await new SpacesRepo(db).listForUser(user.id);
        // A space is created with its members in one transaction: the same spaces means the same answer.
        const ids = list.map((space) => space.id).sort();
        const wanted = needed ? [...needed].sort() : null;
        if (wanted && (ids.length !== wanted.length || ids.some((id, i) => id !== wanted[i]))) return BEHIND;
        return list;
      },
    });
    res.json({ user, spaces });
  });

  return router;
}
