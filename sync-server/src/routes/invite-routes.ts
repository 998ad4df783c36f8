/** Partners: an invite code links two users in one shared space. */
import { AcceptInviteRequestSchema, formatInviteCode, INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH, newId } from '@duet/shared';
import { Router } from 'express';
import { customAlphabet } from 'nanoid';
import type pg from 'pg';
import type { InviteLimiter } from '../auth/invite-limiter.ts';
import type { SyncCache } from '../cache/sync-cache.ts';
import { inTransaction } from '../db/pool.ts';
import { ApiError } from '../http/api-error.ts';
import { identityOf, type authenticate } from '../http/authenticate.ts';
import { parseBody } from '../http/validate.ts';
import { clientAddressKey } from '../limits/client-address.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';
import { SpacesRepo } from '../store/spaces-repo.ts';

// 12 symbols of 32 from a cryptographic source: 60 bits (see shared/invite-codes.ts).
const newInviteCode = customAlphabet(INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH);

const inviteNotFound = () => new ApiError(404, 'invite_not_found', 'this invite code is unknown');
const inviteUsed = () => new ApiError(410, 'invite_used', 'this invite code has already been used by someone else');
const inviteExpired = () => new ApiError(410, 'invite_expired', 'this invite code has expired');
const alreadyMember = () => new ApiError(409, 'already_member', 'you are already in this space');

export interface InviteRouteDeps {
  pool: pg.Pool;
  cache: SyncCache;
  ttlDays: number;
  limiter: InviteLimiter;
  auth: ReturnType<typeof authenticate>;
  /** After a commit added members to a space. */
  onMembersChanged: (spaceId: string, userIds: readonly string[]) => void;
}

export function inviteRoutes({ pool, cache, ttlDays, limiter, auth, onMembersChanged }: InviteRouteDeps): Router {
  const router = Router();

  router.post('/invites', auth, async (req, res) => {
    const { user } = identityOf(req);
    await limiter.takeCreate(user.id);
    const expiresAt = new Date(Date.now() + ttlDays * 86_400_000);
    const code = newInviteCode();
    await pool.query('INSERT INTO invites (code, inviter_id, expires_at) VALUES ($1, $2, $3)', [code, user.id, expiresAt]);
    res.status(201).json({ code: formatInviteCode(code), expiresAt: expiresAt.toISOString() });
  });

  router.post('/invites/accept', auth, async (req, res) => {
    const { user } = identityOf(req);
    const { code } = parseBody(AcceptInviteRequestSchema, req.body);
    const taken = await limiter.takeAccept(user.id, clientAddressKey(req));
    const space = await inTransaction(pool, async (client) => {
      const invite = await client.query<{ inviter_id: string; accepted_by: string | null; expired: boolean }>(
        'SELECT inviter_id, accepted_by, expires_at <= now() AS expired FROM invites WHERE code = $1 FOR UPDATE',
        [code],
      );
      const row = invite.rows[0];
      if (!row) throw inviteNotFound();
      if (row.inviter_id === user.id || row.accepted_by === user.id) throw alreadyMember();
      if (row.accepted_by !== null) throw inviteUsed();
      if (row.expired) throw inviteExpired();

      const spaces = new SpacesRepo(client);
      // One shared space per pair of partners: a third person never sees the pair's history.
      const shared = await client.query(
        `SELECT 1 FROM spaces s
           JOIN space_members a ON a.space_id = s.id AND a.user_id = $1
           JOIN space_members b ON b.space_id = s.id AND b.user_id = $2
          WHERE s.kind = 'shared' LIMIT 1`,
        [row.inviter_id, user.id],
      );
      if (shared.rowCount) throw alreadyMember();
      const spaceId = newId();
      await client.query(`INSERT INTO spaces (id, kind) VALUES ($1, 'shared')`, [spaceId]);
      await client.query('INSERT INTO space_members (space_id, user_id) VALUES ($1, $2)', [spaceId, row.inviter_id]);
      const heads = await spaces.lockHeads([spaceId]);
      await client.query('INSERT INTO space_members (space_id, user_id) VALUES ($1, $2)', [spaceId, user.id]);
      await client.query('UPDATE invites SET accepted_by = $2, accepted_at = now() WHERE code = $1', [code, user.id]);
      const current = await spaces.get(spaceId);
      if (!current) throw new Error('space vanished inside its transaction');
      const version = (heads.get(spaceId) ?? 0) + 1;
      await new EntitiesRepo(client).upsertMany([{ kind: 'space', id: spaceId, spaceId, version, deleted: false, data: current }]);
      await spaces.setHeads(new Map([[spaceId, version]]));
      const memberIds = current.members.map((m) => m.userId);
      const lists = await client.query<{ user_id: string; spaces: string[] }>(
        'SELECT user_id, array_agg(space_id) AS spaces FROM space_members WHERE user_id = ANY($1::text[]) GROUP BY user_id',
        [memberIds],
      );
      const memberships = new Map(lists.rows.map((r) => [r.user_id, r.spaces] as const));
      return { ...current, memberships, version };
    });
    await limiter.acceptSucceeded(taken);
    // After the commit, never inside the transaction that holds the space lock (see SyncCache).
    await cache.membershipAfterCommit(space.memberships, new Map([[space.id, space.version]]));
    onMembersChanged(space.id, space.members.map((m) => m.userId));
    res.status(200).json({ space: { id: space.id, kind: space.kind, members: space.members } });
  });

  return router;
}
