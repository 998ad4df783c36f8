/**
 * `DELETE /api/account`: the person deletes their account, with their password. What goes and what
 * stays (docs/everyday-features.md): their personal space and everything in it, their devices,
 * uploads and invites go; in a shared space the conversations stay with the partner, and every
 * message and transcript the person wrote there becomes a tombstone (the partner sees "message
 * deleted"); the person leaves the space. One SpaceWrite does it all, then tokens, sockets and
 * audio bytes follow.
 */
import { DeleteAccountRequestSchema, ErrorCode, type Message, type Transcript } from '@duet/shared';
import { Router } from 'express';
import type pg from 'pg';
import { deviceKeyHash, KnownDevices } from '../auth/known-devices.ts';
import type { LoginLimiter } from '../auth/login-limiter.ts';
import { verifyPassword } from '../auth/passwords.ts';
import type { SyncCache } from '../cache/sync-cache.ts';
import { ApiError } from '../http/api-error.ts';
import { identityOf, type authenticate } from '../http/authenticate.ts';
import { parseBody } from '../http/validate.ts';
import { clientAddressKey } from '../limits/client-address.ts';
import { AccountDeletionRepo } from '../store/account-deletion-repo.ts';
import type { SpaceWriter } from '../store/space-writer.ts';
import { UsersRepo } from '../store/users-repo.ts';

export interface AccountRouteDeps {
  pool: pg.Pool;
  writer: SpaceWriter;
  cache: SyncCache;
  /** Wrong passwords count as failed logins: a stolen token cannot guess the password here either. */
  loginLimiter: LoginLimiter;
  auth: ReturnType<typeof authenticate>;
  onLoggedOut: (deviceId: string) => void;
  /** Deletes an upload's bytes and record. */
  removeUpload: (uploadId: string) => Promise<void>;
}

function tombstone(kind: 'message' | 'transcript', data: unknown): unknown {
  if (kind === 'message') return { ...(data as Message), body: '', deleted: true };
  return { ...(data as Transcript), text: '', audio: null, deleted: true };
}

export function accountRoutes(deps: AccountRouteDeps): Router {
  const router = Router();
  const users = new UsersRepo(deps.pool);
  const knownDevices = new KnownDevices(deps.pool);

  router.delete('/account', deps.auth, async (req, res) => {
    const body = parseBody(DeleteAccountRequestSchema, req.body);
    const { user } = identityOf(req);
    const deviceKey = deviceKeyHash(req);
    const known = await knownDevices.isKnown(deviceKey, user.email);
    const attempt = await deps.loginLimiter.takeAttempt(user.email, clientAddressKey(req), known ? deviceKey : null);
    const row = await users.findById(user.id);
    if (!row || !(await verifyPassword(body.password, row.passwordHash))) {
      throw new ApiError(403, ErrorCode.invalidCredentials, 'wrong password');
    }
    await deps.loginLimiter.loginSucceeded(attempt);

    const gone = await deps.writer.write(async (write) => {
      const repo = new AccountDeletionRepo(write.client);
      const spaceIds = await write.spaces.memberSpaceIds(user.id);
      await write.lock(spaceIds);
      const shared = spaceIds.filter((id) => id !== row.personalSpaceId);
      const partners = new Set<string>();
      for (const spaceId of shared) {
        const written = await repo.writtenInSpace(spaceId, user.id);
        await write.put(written.map((e) => ({ kind: e.kind, id: e.id, spaceId, deleted: true, data: tombstone(e.kind, e.data) })));
        for (const member of (await write.spaces.get(spaceId))?.members ?? []) if (member.userId !== user.id) partners.add(member.userId);
      }
      const devices = await repo.devices(user.id);
      const uploads = await repo.uploadIds(user.id, row.personalSpaceId);
      await repo.deleteAll(user.id, row.personalSpaceId);
      // The shared spaces now list only the partner; their devices pull the new member list.
      for (const spaceId of shared) {
        const space = await write.spaces.get(spaceId);
        if (space) await write.put([{ kind: 'space', id: spaceId, spaceId, deleted: false, data: space }]);
      }
      const lists = await write.spaces.memberships([...partners]);
      write.setMemberships(new Map([[user.id, []], ...[...partners].map((id) => [id, lists.get(id) ?? []] as [string, string[]])]));
      return { devices, uploads };
    });

    for (const device of gone.devices) {
      await deps.cache.revokeToken(device.tokenHash);
      deps.onLoggedOut(device.id);
    }
    for (const uploadId of gone.uploads) await deps.removeUpload(uploadId);
    res.status(204).end();
  });

  return router;
}
